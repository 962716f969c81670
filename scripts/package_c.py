#!/usr/bin/env python3
"""Build and package the C library for one target: include/, lib/, bin/ (the `graph-emulator` test fixture, and the
DLL on Windows), a relocatable pkg-config file, the CMake package, the licences and a README, as intune-passcode-<version>-<archive>.tar.gz (.zip on Windows).

    python scripts/package_c.py --target x86_64-unknown-linux-gnu --archive x86_64-linux-gnu --out dist/c [--zig 2.17]

`--zig GLIBC` builds with cargo-zigbuild for that glibc floor (Linux; `make dist` uses 2.17). Used by `make dist`
here and by the release workflow on every platform (Python is the one scripting language every runner has)."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def version() -> str:
    m = re.search(r'^version = "(.+)"', (ROOT / "Cargo.toml").read_text(), re.M)
    assert m, "no version in Cargo.toml"
    return m.group(1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--archive", required=True, help="the platform part of the archive's name")
    ap.add_argument("--out", required=True)
    ap.add_argument("--zig", metavar="GLIBC", help="build with cargo-zigbuild for this glibc floor")
    a = ap.parse_args()
    v = version()
    if a.zig:
        cmd = ["cargo", "zigbuild", "--release", "--locked", "-p", "intune-passcode-c", "-p", "graph-emulator",
               "--target", f"{a.target}.{a.zig}"]
    else:
        cmd = ["cargo", "build", "--release", "--locked", "-p", "intune-passcode-c", "-p", "graph-emulator",
               "--target", a.target]
    subprocess.run(cmd, cwd=ROOT, check=True)
    built = ROOT / "target" / a.target / "release"
    name = f"intune-passcode-{v}-{a.archive}"
    stage = ROOT / "target" / "dist-c" / name
    shutil.rmtree(stage.parent, ignore_errors=True)
    (stage / "include").mkdir(parents=True)
    (stage / "lib" / "pkgconfig").mkdir(parents=True)
    cmake_dir = stage / "lib" / "cmake" / "IntunePasscode"
    cmake_dir.mkdir(parents=True)
    shutil.copy(ROOT / "bindings-c" / "include" / "intune_passcode.h", stage / "include")
    windows = "windows" in a.target
    # The Graph emulator, for C and C++ users' tests (docs/testing.md): the same binary as `graph-emulator`.
    (stage / "bin").mkdir()
    shutil.copy(built / ("graph-emulator.exe" if windows else "graph-emulator"), stage / "bin")
    if windows:
        shutil.copy(built / "intune_passcode.dll", stage / "bin")
        shutil.copy(built / "intune_passcode.dll.lib", stage / "lib")
        shutil.copy(built / "intune_passcode.lib", stage / "lib")
    elif "apple" in a.target:
        shutil.copy(built / "libintune_passcode.a", stage / "lib")
        shutil.copy(built / "libintune_passcode.dylib", stage / "lib")
        # Found through the program's rpath, wherever the archive was unpacked.
        subprocess.run(["install_name_tool", "-id", "@rpath/libintune_passcode.dylib",
                        str(stage / "lib" / "libintune_passcode.dylib")], check=True)
    else:
        shutil.copy(built / "libintune_passcode.a", stage / "lib")
        shutil.copy(built / "libintune_passcode.so", stage / "lib")
    # Relocatable: every path from where the .pc file is.
    pc = (ROOT / "bindings-c" / "intune_passcode.pc.in").read_text()
    pc = pc.replace("@PREFIX@", "${pcfiledir}/../..").replace("@VERSION@", v)
    if "apple" in a.target:
        pc = re.sub(r"^Libs.private:.*$", "Libs.private: -framework CoreFoundation -framework Security "
                    "-framework SystemConfiguration -liconv -lm", pc, flags=re.M)
    (stage / "lib" / "pkgconfig" / "intune_passcode.pc").write_text(pc)
    shutil.copy(ROOT / "bindings-c" / "cmake" / "IntunePasscodeConfig.cmake", cmake_dir)
    subprocess.run(["cmake", f"-DOUT={cmake_dir}", f"-DVERSION={v}", "-P",
                    str(ROOT / "bindings-c" / "cmake" / "write-version.cmake")], check=True)
    for f in ["LICENSE-MIT", "LICENSE-APACHE"]:
        shutil.copy(ROOT / f, stage)
    shutil.copy(ROOT / "bindings-c" / "README-archive.md", stage / "README.md")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    if windows:
        path = out / f"{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(stage.rglob("*")):
                z.write(p, p.relative_to(stage.parent))
    else:
        path = out / f"{name}.tar.gz"
        with tarfile.open(path, "w:gz") as t:
            t.add(stage, arcname=name)
    print(f"package_c: {path}")


if __name__ == "__main__":
    sys.exit(main())
