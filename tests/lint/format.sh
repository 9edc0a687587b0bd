#!/usr/bin/env bash
# Fails when a tracked C++ source is not formatted with the repository's .clang-format
# (CONTRIBUTING.md, "Formatting"); prints the files and the command that fixes them.
set -uo pipefail
cd "$(dirname "$0")/../.."
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find geo service cli tiles tests bench fuzz -name '*.cpp' -o -name '*.hpp')
bad=()
for f in $files; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf '%s\n' "${bad[@]}"
  echo "${#bad[@]} file(s) not formatted; fix with: clang-format -i ${bad[*]}"
  exit 1
fi
echo "all $(echo "$files" | wc -w) sources formatted"
