#!/usr/bin/env python3
"""Fails when a production function is longer than the limit (CONTRIBUTING.md, "Functions").

Functions and their extents come from Universal Ctags (its C++ parser gives each function's
first and last line); lambdas count as part of the function that holds them.

    tests/lint/function_size.py [--max 150] DIR...
"""
import argparse
import json
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=150)
    parser.add_argument("dirs", nargs="+")
    args = parser.parse_args()
    out = subprocess.run(
        ["ctags", "--languages=C++", "--kinds-C++=f", "--fields=+ne", "--output-format=json", "-R", "-f", "-"]
        + args.dirs,
        check=True, capture_output=True, text=True).stdout
    long = []
    for line in out.splitlines():
        tag = json.loads(line)
        if tag.get("_type") != "tag" or "end" not in tag:
            continue
        lines = tag["end"] - tag["line"] + 1
        if lines > args.max:
            name = (tag.get("scope", "") + "::" if tag.get("scope") else "") + tag["name"]
            long.append((lines, f'{tag["path"]}:{tag["line"]}: {name} has {lines} lines (limit {args.max})'))
    for _, message in sorted(long, reverse=True):
        print(message)
    if long:
        print(f"{len(long)} function(s) over {args.max} lines: split them into named steps")
        return 1
    print(f"every function in {' '.join(args.dirs)} has at most {args.max} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
