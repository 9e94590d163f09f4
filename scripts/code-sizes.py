#!/usr/bin/env python3
"""The largest source files and functions of the crate, for the guide "no file over ~800
lines, no function over ~120 without a reason stated at its top" (ARCHITECTURE.md).

    scripts/code-sizes.py [REV]    # the working tree, or a git revision (e.g. c443815)

Counts lines of `src/**/*.rs` outside `#[cfg(test)]` modules. A function runs from its `fn`
line to the closing brace at the same indentation (rustfmt's layout).
"""
import re
import subprocess
import sys
from pathlib import Path

FN = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def files(rev):
    if rev is None:
        for p in sorted(Path("src").rglob("*.rs")):
            yield str(p), p.read_text()
    else:
        names = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", rev, "src"],
            capture_output=True, text=True, check=True,
        ).stdout.split()
        for n in sorted(names):
            if n.endswith(".rs"):
                yield n, subprocess.run(
                    ["git", "show", f"{rev}:{n}"], capture_output=True, text=True, check=True
                ).stdout


def without_tests(text):
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "#[cfg(test)]" and i + 1 < len(lines) and re.match(r"^mod \w+ \{", lines[i + 1]):
            break  # test modules sit at the end of a file, by this crate's custom
        out.append(lines[i])
        i += 1
    return out


def reason_stated(lines, i):
    """Whether the doc comment above line `i` says why the function is long."""
    k = i
    while k > 0 and lines[k - 1].strip().startswith(("///", "#[")):
        k -= 1
    return any("long because" in l.lower() for l in lines[k:i])


def functions(name, lines):
    for i, line in enumerate(lines):
        m = FN.match(line)
        if not m or line.rstrip().endswith(";"):
            continue
        indent = m.group(1)
        for j in range(i + 1, len(lines)):
            if lines[j] == indent + "}":
                yield (j - i + 1, f"{name}:{i + 1} {m.group(7)}", reason_stated(lines, i))
                break


def main():
    rev = sys.argv[1] if len(sys.argv) > 1 else None
    sizes, fns = [], []
    for name, text in files(rev):
        lines = without_tests(text)
        sizes.append((len(lines), name))
        fns.extend(functions(name, lines))
    sizes.sort(reverse=True)
    fns.sort(reverse=True)
    print(f"# {rev or 'working tree'}: {sum(s for s, _ in sizes)} lines in {len(sizes)} files")
    print("largest files (lines, tests left out):")
    for s, n in sizes[:8]:
        print(f"  {s:5}  {n}")
    print(f"files over 800 lines: {sum(1 for s, _ in sizes if s > 800)}")
    print("largest functions (lines):")
    for s, n, why in fns[:8]:
        print(f"  {s:5}  {n}{'  (reason stated)' if why else ''}")
    long = [(s, n) for s, n, why in fns if s > 120]
    unexplained = [(s, n) for s, n, why in fns if s > 120 and not why]
    print(f"functions over 120 lines: {len(long)}, of which without a stated reason: {len(unexplained)}")
    for s, n in unexplained:
        print(f"  {s:5}  {n}")


if __name__ == "__main__":
    main()
