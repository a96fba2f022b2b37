#!/usr/bin/env python3
"""The layers of ARCHITECTURE.md: a module uses only its own layer, the
layers before it, and the leaf helpers (`hash`, `text`). Any `crate::X`
path in code or doc links that points to a later layer is a breach (and
would make a module cycle possible).

  python3 .ci/layers.py      # exit 1 on a breach
"""
import pathlib
import re
import sys

ORDER = ["model", "data", "ingest", "engine", "report", "cli"]
LEAVES = {"hash", "text"}
PATH = re.compile(r"\bcrate::(\w+)")


def layer_of(path):
    parts = pathlib.Path(path).relative_to("src").parts
    name = parts[0].removesuffix(".rs")
    return name


def main():
    problems = []
    for path in sorted(pathlib.Path("src").rglob("*.rs")):
        own = layer_of(path)
        if own in ("lib", "main"):
            continue
        rank = -1 if own in LEAVES else ORDER.index(own)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for used in PATH.findall(line):
                if used in LEAVES or used == own:
                    continue
                if used not in ORDER:
                    continue
                if ORDER.index(used) > rank:
                    problems.append(f"{path}:{n}: {own} uses crate::{used}, a later layer")
    for p in problems:
        print(f"layers: {p}", file=sys.stderr)
    print(f"layers: {'ok' if not problems else str(len(problems)) + ' breaches'} ({' -> '.join(ORDER)})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
