#!/usr/bin/env python3
"""The core's module graph: which top-level module (file or folder) of core/src uses which.

    scripts/module_graph.py            print the graph as a mermaid block (docs/architecture.md holds it)
    scripts/module_graph.py --write    put that block into docs/architecture.md
    scripts/module_graph.py --check    fail when the core has an import cycle between top-level modules, or when
                                       docs/architecture.md's block differs from the code

Edges come from `crate::<module>` paths in the source (use lines and inline paths), test modules included.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "core" / "src"
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- module-graph:begin -->", "<!-- module-graph:end -->"


def modules() -> dict:
    """Top-level module name -> the files it is made of."""
    mods = {}
    for path in sorted(SRC.rglob("*.rs")):
        rel = path.relative_to(SRC)
        if rel.parts == ("lib.rs",):
            continue
        name = rel.parts[0].removesuffix(".rs")
        mods.setdefault(name, []).append(path)
    return mods


def edges(mods: dict) -> dict:
    out = {m: set() for m in mods}
    pattern = re.compile(r"\bcrate::(\w+)")
    # `use crate::{a, b::c}` groups name modules too.
    group = re.compile(r"\bcrate::\{([^}]*)\}", re.S)
    for m, files in mods.items():
        for f in files:
            text = f.read_text()
            names = set(pattern.findall(text))
            for g in group.findall(text):
                names.update(re.findall(r"(?:^|,)\s*(\w+)", g))
            out[m].update(n for n in names if n in mods and n != m)
    return out


def cycles(graph: dict) -> list:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def mermaid(graph: dict) -> str:
    lines = ["```mermaid", "graph LR"]
    for m in sorted(graph):
        for d in sorted(graph[m]):
            lines.append(f"  {m} --> {d}")
    lines.append("```")
    return "\n".join(lines)


def main() -> int:
    graph = edges(modules())
    block = mermaid(graph)
    if "--write" in sys.argv:
        doc = DOC.read_text()
        head, rest = doc.split(BEGIN, 1)
        DOC.write_text(head + BEGIN + "\n" + block + "\n" + END + rest.split(END, 1)[1])
        return 0
    if "--check" not in sys.argv:
        print(block)
        return 0
    bad = cycles(graph)
    for c in bad:
        print(f"core/src: import cycle between modules {', '.join(c)}", file=sys.stderr)
    doc = DOC.read_text() if DOC.exists() else ""
    if BEGIN not in doc or END not in doc:
        print(f"{DOC.relative_to(ROOT)}: no {BEGIN} … {END} block", file=sys.stderr)
        return 1
    current = doc.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    if current != block:
        print(f"{DOC.relative_to(ROOT)}: the module graph is out of date; run scripts/module_graph.py --write",
              file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
