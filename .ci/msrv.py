#!/usr/bin/env python3
"""The crate's `rust-version` must be at least the newest `rust-version` of
any package it builds with on this platform (dependencies, build and dev
dependencies, from Cargo.lock), and the toolchain at hand must meet it.

  python3 .ci/msrv.py     # exit 1 when Cargo.toml claims too old a Rust
"""
import json
import subprocess
import sys


def version(v):
    return tuple(int(x) for x in v.split(".")) + (0,) * (3 - len(v.split(".")))


def main():
    host = next(
        l.split(": ")[1]
        for l in subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.splitlines()
        if l.startswith("host: ")
    )
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", host],
            capture_output=True, text=True, check=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    root = meta["resolve"]["root"]
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    seen, stack = set(), [root]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(d["pkg"] for d in nodes[n]["deps"])
    ours = version(packages[root]["rust_version"])
    needed = max(
        ((version(packages[i]["rust_version"]), packages[i]["name"]) for i in seen - {root} if packages[i].get("rust_version")),
        default=((0, 0, 0), "-"),
    )
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
    fmt = lambda v: ".".join(map(str, v[:2])) + (f".{v[2]}" if v[2] else "")
    print(f"msrv: rust-version {fmt(ours)}; dependencies need {fmt(needed[0])} ({needed[1]}); toolchain {rustc}")
    if ours < needed[0]:
        print(f"msrv: Cargo.toml says rust-version {fmt(ours)}, but {needed[1]} needs {fmt(needed[0])}", file=sys.stderr)
        return 1
    if version(rustc.split("-")[0]) < ours:
        print(f"msrv: the toolchain {rustc} is older than rust-version {fmt(ours)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
