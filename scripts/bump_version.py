#!/usr/bin/env python3
"""One version for everything that ships, written in one go and checked against a release tag.

    scripts/bump_version.py X.Y.Z          write X.Y.Z into every manifest below and turn the CHANGELOG's
                                           "Unreleased" section into "[X.Y.Z] - today" (a new empty Unreleased above)
    scripts/bump_version.py --check [vX.Y.Z]
                                           fail (exit 1) unless every manifest holds the same version, and, given a
                                           tag, unless it is that version; the release workflow runs this first

The manifests: the Cargo workspace (every crate inherits it) and Cargo.lock's entries for our crates, the Python
package's pyproject.toml, the npm package's package.json and package-lock.json, and the user project that installs
the npm tarball in dist-check. A hand edit of any one of them alone is what --check catches.
"""
import datetime
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$")
OUR_CRATES = ("intune-passcode", "intune-passcode-c", "intune-passcode-cli", "intune-passcode-node",
              "intune-passcode-python", "graph-emulator")


def toml_version(path: Path, table: str) -> str:
    """The `version = "…"` line of [table] in a TOML file (a plain reader: these files are ours and simple)."""
    text = path.read_text()
    m = re.search(rf'^\[{re.escape(table)}\]\n(?:(?!\[).*\n)*?version = "([^"]*)"', text, re.M)
    if not m:
        sys.exit(f"{path.relative_to(ROOT)}: no version in [{table}]")
    return m.group(1)


def set_toml_version(path: Path, table: str, version: str) -> None:
    text = path.read_text()
    new, n = re.subn(rf'(^\[{re.escape(table)}\]\n(?:(?!\[).*\n)*?version = ")[^"]*(")', rf"\g<1>{version}\g<2>",
                     text, count=1, flags=re.M)
    if n != 1:
        sys.exit(f"{path.relative_to(ROOT)}: no version in [{table}]")
    path.write_text(new)


def lock_versions(path: Path) -> dict:
    """Cargo.lock's version of each of our crates."""
    out = {}
    for m in re.finditer(r'^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"', path.read_text(), re.M):
        if m.group(1) in OUR_CRATES:
            out[m.group(1)] = m.group(2)
    return out


def set_lock_versions(path: Path, version: str) -> None:
    def repl(m):
        return f'{m.group(1)}{version}"' if m.group(2) in OUR_CRATES else m.group(0)
    path.write_text(re.sub(r'(^\[\[package\]\]\nname = "([^"]+)"\nversion = ")[^"]+"', repl, path.read_text(),
                           flags=re.M))


def json_edit(path: Path, edit) -> None:
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def versions() -> dict:
    """Every place the version is written, and what it says."""
    package = json.loads((ROOT / "bindings-node/package.json").read_text())
    lock = json.loads((ROOT / "bindings-node/package-lock.json").read_text())
    user = json.loads((ROOT / "tests/user-project/node/package.json").read_text())
    found = {
        "Cargo.toml [workspace.package]": toml_version(ROOT / "Cargo.toml", "workspace.package"),
        "bindings-python/pyproject.toml": toml_version(ROOT / "bindings-python/pyproject.toml", "project"),
        "bindings-node/package.json": package["version"],
        "bindings-node/package-lock.json": lock["version"],
        'bindings-node/package-lock.json packages[""]': lock["packages"][""]["version"],
        "tests/user-project/node/package.json": user["dependencies"]["intune-passcode"].lstrip("^~"),
    }
    for crate, v in lock_versions(ROOT / "Cargo.lock").items():
        found[f"Cargo.lock {crate}"] = v
    return found


def check(tag: str | None) -> int:
    found = versions()
    want = tag[1:] if tag and tag.startswith("v") else tag
    if tag is not None and not SEMVER.match(want or ""):
        print(f"the tag {tag!r} is not vX.Y.Z", file=sys.stderr)
        return 1
    distinct = set(found.values())
    if want is not None:
        distinct.add(want)
    if len(distinct) == 1:
        print(f"version {distinct.pop()} everywhere" + (f", as the tag {tag} says" if tag else ""))
        return 0
    print("the version differs:" + (f" the tag says {want}" if want else ""), file=sys.stderr)
    for where, v in found.items():
        print(f"  {v:<12} {where}", file=sys.stderr)
    print("run scripts/bump_version.py X.Y.Z, commit, and tag that commit", file=sys.stderr)
    return 1


def changelog(version: str) -> None:
    path = ROOT / "CHANGELOG.md"
    text = path.read_text()
    if f"## [{version}]" in text:
        return  # already written (a second run of the same bump)
    today = datetime.date.today().isoformat()
    if "## [Unreleased]" not in text:
        sys.exit("CHANGELOG.md has no '## [Unreleased]' section")
    path.write_text(text.replace("## [Unreleased]", f"## [Unreleased]\n\n## [{version}] - {today}", 1))


def bump(version: str) -> int:
    if not SEMVER.match(version):
        print(f"{version!r} is not X.Y.Z", file=sys.stderr)
        return 2
    set_toml_version(ROOT / "Cargo.toml", "workspace.package", version)
    set_lock_versions(ROOT / "Cargo.lock", version)
    set_toml_version(ROOT / "bindings-python/pyproject.toml", "project", version)
    json_edit(ROOT / "bindings-node/package.json", lambda d: d.__setitem__("version", version))

    def lock(d):
        d["version"] = version
        d["packages"][""]["version"] = version
    json_edit(ROOT / "bindings-node/package-lock.json", lock)
    json_edit(ROOT / "tests/user-project/node/package.json",
              lambda d: d["dependencies"].__setitem__("intune-passcode", f"^{version}"))
    changelog(version)
    return check(None)


def main(argv: list) -> int:
    if argv[:1] == ["--check"] and len(argv) <= 2:
        return check(argv[1] if len(argv) == 2 else None)
    if len(argv) == 1 and not argv[0].startswith("-"):
        return bump(argv[0])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
