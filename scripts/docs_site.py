#!/usr/bin/env python3
"""`make docs`: one static site with the guides and an API reference per language, built from what ships.

    scripts/docs_site.py            build into target/site/ (mkdocs-material; the Makefile provides the tools)

What it does, in order, failing on the first problem:
1. copies the guides (README.md as the home page, docs/*.md, CHANGELOG, SECURITY, CONTRIBUTING, the bench results)
   into target/docs-src/, rewriting each link that leaves that set to the file on GitHub, so that links work on the
   site as they do in the repository;
2. the Rust reference: `cargo doc` of the core, with warnings (a broken intra-doc link) and missing docs as errors;
3. the Node reference: typedoc over the shipped `.d.ts` files, a warning (an undocumented export) as an error;
4. the Python reference: mkdocstrings over the `intune_passcode` package as built (the docstrings of the native
   classes live in the compiled module), after scripts/check_docstrings.py found a docstring on every public name;
5. the C reference: scripts/c_reference.py renders the header's comments, and fails on an undocumented item;
6. `mkdocs build --strict`: a link to a page or anchor that does not exist fails the build.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "target" / "docs-src"
SITE = ROOT / "target" / "site"
REPO = "https://github.com/intune-passcode/intune-passcode"
VENV = Path(os.environ.get("DOCS_VENV", ROOT / ".venv-docs"))
TOOLS = ROOT / "docs" / "tools"

# Repository file → page on the site.
PAGES = {"README.md": "index.md", "CHANGELOG.md": "changelog.md", "SECURITY.md": "security.md",
         "CONTRIBUTING.md": "contributing.md", "bench/results.md": "bench/results.md",
         "bench/interpretation.md": "bench/interpretation.md", "bench/README.md": "bench/index.md",
         **{f"docs/{p.name}": p.name for p in sorted((ROOT / "docs").glob("*.md"))}}
# Pages this script writes (the references): links to them are left as they are.
GENERATED = {"api/python.md", "api/node.md", "api/c.md", "api/rust.md"}
LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def run(argv, **kw) -> None:
    print("+", " ".join(str(a) for a in argv), flush=True)
    subprocess.run([str(a) for a in argv], check=True, cwd=kw.pop("cwd", ROOT), **kw)


def rewrite(text: str, source: str, page: str) -> str:
    """Links relative to `source` in the repository, made right for `page` on the site."""
    def fix(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^[a-z]+:|^#|^/", target):
            return m.group(0)
        path, _, anchor = target.partition("#")
        if os.path.normpath(os.path.join(os.path.dirname(page), path)) in GENERATED:
            return m.group(0)
        repo_path = os.path.normpath(os.path.join(os.path.dirname(source), path))
        if repo_path in PAGES:
            rel = os.path.relpath(PAGES[repo_path], os.path.dirname(page) or ".")
            return f"{m.group(1)}{rel}{'#' + anchor if anchor else ''}{m.group(3)}"
        if not (ROOT / repo_path).exists():
            sys.exit(f"docs: {source} links to {target}, which is not in the repository")
        kind = "tree" if (ROOT / repo_path).is_dir() else "blob"
        return f"{m.group(1)}{REPO}/{kind}/main/{repo_path}{'#' + anchor if anchor else ''}{m.group(3)}"
    # Fenced code is left as it is: a link-like text in a snippet is not a link.
    parts = re.split(r"(```.*?```)", text, flags=re.S)
    return "".join(p if p.startswith("```") else LINK.sub(fix, p) for p in parts)


def guides() -> None:
    for source, page in PAGES.items():
        out = SRC / page
        out.parent.mkdir(parents=True, exist_ok=True)
        text = (ROOT / source).read_text()
        # The snippet harness's steering comments mean nothing to a reader.
        text = re.sub(r"<!-- snippet: [^>]*-->\n", "", text)
        if page == "index.md":
            # On the site, the references are pages of their own.
            text = re.sub(r"- API reference for each language[^\n]*\n[^\n]*\n",
                          "- API reference: [Python](api/python.md) · [Node](api/node.md) · [C](api/c.md) · "
                          "[Rust](api/rust.md)\n", text)
        out.write_text(rewrite(text, source, page))


def rust() -> None:
    env = dict(os.environ, RUSTDOCFLAGS="-D warnings -D missing_docs")
    run(["cargo", "doc", "--no-deps", "--locked", "-p", "intune-passcode"], env=env)
    shutil.copytree(ROOT / "target" / "doc", SRC / "api" / "rust")
    (SRC / "api" / "rust.md").write_text(
        "# Rust API reference\n\nThe core crate `intune-passcode`, as rustdoc renders it: "
        "[open the reference](rust/intune_passcode/index.html).\n\n"
        "Add it as a git dependency (it is not on crates.io); the minimum Rust version is 1.89:\n\n"
        "```toml\n[dependencies]\nintune-passcode = { git = \"" + REPO + "\", tag = \"v0.1.0\" }\n```\n\n"
        "Until `v0.1.0` is tagged, use `branch = \"main\"` (or a `rev`) in place of the tag.\n")


def node() -> None:
    typedoc = TOOLS / "node_modules" / ".bin" / "typedoc"
    # Not into api/node/: that is where mkdocs writes node.md's own page, which would replace typedoc's index.
    run([typedoc, "--options", TOOLS / "typedoc.json", "--out", SRC / "api" / "typedoc"])
    (SRC / "api" / "node.md").write_text(
        "# Node API reference\n\nThe package `intune-passcode` and `intune-passcode/testing`, from the `.d.ts` "
        "files that ship in it: [open the reference](typedoc/index.html).\n")


def python() -> None:
    pythonpath = str(ROOT / "bindings-python" / "python")
    env = dict(os.environ, PYTHONPATH=pythonpath)
    run([VENV / "bin" / "python", ROOT / "scripts" / "check_docstrings.py"], env=env)
    (SRC / "api" / "python.md").write_text(
        "# Python API reference\n\nThe package `intune_passcode` (sync and asyncio clients, the exceptions, "
        "the journal) and `intune_passcode.testing` (the emulator as a fixture).\n\n"
        "::: intune_passcode\n\n::: intune_passcode.testing\n    options:\n      members: [Emulator, FAULTS]\n")


def c() -> None:
    run([sys.executable, ROOT / "scripts" / "c_reference.py", SRC / "api" / "c.md"])


def main() -> int:
    shutil.rmtree(SRC, ignore_errors=True)
    shutil.rmtree(SITE, ignore_errors=True)
    (SRC / "api").mkdir(parents=True)
    guides()
    rust()
    node()
    python()
    c()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "bindings-python" / "python"))
    run([VENV / "bin" / "mkdocs", "build", "--strict", "--config-file", ROOT / "mkdocs.yml"], env=env)
    print(f"docs: {SITE}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
