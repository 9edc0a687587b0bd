#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests (issue 22): `start DIR` runs initdb into DIR/data and
# starts it on a free port of 127.0.0.1 (TCP only, trust authentication, no fsync: a throwaway
# cluster), creates the database microplan_test and writes its libpq URI to DIR/uri; `stop DIR`
# stops it (pg_ctl, by the pid in its data folder). When PostgreSQL is not installed, DIR/unavailable
# says so and the tests that need it skip with that line. As root, the cluster runs as the
# `postgres` user (initdb refuses root).
set -u
cmd=${1:?start or stop}
dir=${2:?a folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as=()
[ "$(id -u)" = 0 ] && as=(runuser -u postgres --)

case $cmd in
start)
  if [ -f "$dir/data/postmaster.pid" ] && [ -n "$bin" ]; then "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1; fi
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL is not installed (Debian's postgresql-15; make deps installs it as root)" > "$dir/unavailable"
    cat "$dir/unavailable"
    exit 0
  fi
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if ! "${as[@]}" "$bin/initdb" -D "$dir/data" -U microplan --auth=trust -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1; then
    echo "initdb failed (see $dir/initdb.log)" > "$dir/unavailable"
    cat "$dir/initdb.log"
    exit 1
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start > "$dir/pg_ctl.log" 2>&1; then
    echo "the test cluster did not start (see $dir/server.log)" > "$dir/unavailable"
    cat "$dir/pg_ctl.log" "$dir/server.log"
    exit 1
  fi
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U microplan microplan_test || exit 1
  echo "postgresql://microplan@127.0.0.1:$port/microplan_test" > "$dir/uri"
  echo "test cluster on 127.0.0.1:$port ($(cat "$dir/uri"))"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop; fi
  rm -f "$dir/uri"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
