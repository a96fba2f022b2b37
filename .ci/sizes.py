#!/usr/bin/env python3
"""Code-shape limits CI keeps (issue 12): no source file over 1,000 lines,
no non-test function over 80 lines, mean non-test function length under 15.

  python3 .ci/sizes.py            # check src/, exit 1 on a breach
  python3 .ci/sizes.py --top 20   # also list the longest functions

A function's length is its lines from the `fn` line to its closing brace.
Test code (`#[cfg(test)]` modules, `#[test]` functions) is left out of the
function figures but counts toward its file's length.
"""
import argparse
import pathlib
import re
import sys

MAX_FILE = 1000
MAX_FN = 80
MAX_MEAN = 15.0

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def strip_code(line, state):
    """The line without string, char and comment contents; `state` carries
    block comments and raw strings across lines."""
    out = []
    i = 0
    while i < len(line):
        if state["block"]:
            j = line.find("*/", i)
            if j < 0:
                return "".join(out)
            state["block"] = False
            i = j + 2
            continue
        if state["raw"]:
            j = line.find('"' + "#" * state["raw_hashes"], i)
            if j < 0:
                return "".join(out)
            state["raw"] = False
            i = j + 1 + state["raw_hashes"]
            continue
        if state["str"]:
            c = line[i]
            if c == "\\":
                i += 2
                continue
            if c == '"':
                state["str"] = False
            i += 1
            continue
        c = line[i]
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state["block"] = True
            i += 2
            continue
        m = re.match(r'b?r(#*)"', line[i:])
        if m and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
            state["raw"] = True
            state["raw_hashes"] = len(m.group(1))
            i += m.end()
            continue
        if c == '"':
            state["str"] = True
            i += 1
            continue
        m = re.match(r"b?'(\\.|[^\\'])'", line[i:])
        if m:
            i += m.end()
            continue
        out.append(c)
        i += 1
    return "".join(out)


def functions(path):
    """(name, first line, length, is_test) of every function in a file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    state = {"block": False, "raw": False, "raw_hashes": 0, "str": False}
    code = [strip_code(l, state) for l in lines]
    test_until = -1
    out = []
    pending_test = False
    i = 0
    while i < len(code):
        text = lines[i].strip()
        if text.startswith("#[cfg(test)]") or text.startswith("#[test]"):
            pending_test = True
        m = FN.match(code[i])
        if m:
            depth, j, opened = 0, i, False
            while j < len(code):
                depth += code[j].count("{") - code[j].count("}")
                opened = opened or "{" in code[j]
                if ";" in code[j] and not opened:
                    break  # a declaration without a body
                if opened and depth <= 0:
                    break
                j += 1
            if opened:
                out.append((m.group(6), i + 1, j - i + 1, pending_test or i <= test_until))
            pending_test = False
        elif pending_test and re.match(r"^\s*(pub\s+)?mod\s+\w+\s*\{", code[i]):
            depth, j = 0, i
            while j < len(code):
                depth += code[j].count("{") - code[j].count("}")
                if depth <= 0 and "{" in "".join(code[i : j + 1]):
                    break
                j += 1
            test_until = j
            pending_test = False
        elif text and not text.startswith("#") and not text.startswith("//"):
            if not m:
                pending_test = pending_test and text.startswith("#")
        i += 1
    return out, len(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=0)
    ap.add_argument("root", nargs="?", default="src")
    args = ap.parse_args()
    problems = []
    fns = []
    for path in sorted(pathlib.Path(args.root).rglob("*.rs")):
        found, n = functions(path)
        if n > MAX_FILE:
            problems.append(f"{path}: {n} lines (at most {MAX_FILE})")
        for name, line, length, test in found:
            if not test:
                fns.append((length, f"{path}:{line}", name))
                if length > MAX_FN:
                    problems.append(f"{path}:{line}: fn {name} is {length} lines (at most {MAX_FN})")
    mean = sum(f[0] for f in fns) / max(len(fns), 1)
    over = sum(1 for f in fns if f[0] > 50)
    print(f"sizes: {len(fns)} non-test functions, mean {mean:.1f} lines, {over} over 50, longest {max(fns)[0] if fns else 0}")
    if mean >= MAX_MEAN:
        problems.append(f"mean function length {mean:.1f} (under {MAX_MEAN} expected)")
    for length, at, name in sorted(fns, reverse=True)[: args.top]:
        print(f"  {length:4} {at} {name}")
    for p in problems:
        print(f"sizes: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
