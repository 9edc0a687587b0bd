#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests (issue 22): `start DIR` runs initdb into a fresh
# folder under /tmp (named in DIR/datadir: the `postgres` user must reach it, and a checkout under
# /root would not let it) and starts it on a free port of 127.0.0.1 (TCP only, trust
# authentication, no fsync: a throwaway cluster), creates the database microplan_test and writes
# its libpq URI to DIR/uri; `stop DIR` stops it (pg_ctl, by the pid in its data folder) and removes
# it. When PostgreSQL is not installed, DIR/unavailable says so and the tests that need it skip
# with that line. As root, the cluster runs as the `postgres` user (initdb refuses root).
set -u
cmd=${1:?start or stop}
dir=${2:?a folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as=()
[ "$(id -u)" = 0 ] && as=(runuser -u postgres --)

case $cmd in
start)
  "$0" stop "$dir" >/dev/null 2>&1
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL is not installed (Debian's postgresql-15; make deps installs it as root)" > "$dir/unavailable"
    cat "$dir/unavailable"
    exit 0
  fi
  data=$(mktemp -d /tmp/microplan-test-cluster.XXXXXX)
  echo "$data" > "$dir/datadir"
  [ "$(id -u)" = 0 ] && chown postgres "$data"
  if ! "${as[@]}" "$bin/initdb" -D "$data/data" -U microplan --auth=trust -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1; then
    echo "initdb failed (see $dir/initdb.log)" > "$dir/unavailable"
    cat "$dir/initdb.log"
    exit 1
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if ! "${as[@]}" "$bin/pg_ctl" -D "$data/data" -l "$data/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start > "$dir/pg_ctl.log" 2>&1; then
    echo "the test cluster did not start (see $data/server.log)" > "$dir/unavailable"
    cat "$dir/pg_ctl.log" "$data/server.log"
    exit 1
  fi
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U microplan microplan_test || exit 1
  echo "postgresql://microplan@127.0.0.1:$port/microplan_test" > "$dir/uri"
  echo "test cluster on 127.0.0.1:$port ($(cat "$dir/uri"))"
  ;;
stop)
  data=$(cat "$dir/datadir" 2>/dev/null)
  if [ -n "$data" ] && [ -f "$data/data/postmaster.pid" ]; then "${as[@]}" "$bin/pg_ctl" -D "$data/data" -m fast -w stop; fi
  case $data in /tmp/microplan-test-cluster.*) rm -rf "$data" ;; esac
  rm -f "$dir/uri" "$dir/datadir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
