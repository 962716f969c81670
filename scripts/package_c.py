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


def archive_readme(target: str, glibc: str | None, v: str) -> str:
    """The archive's README for this platform: its files, its floor and how to link on it (one template,
    bindings-c/README-archive.md.in, so that no archive describes another platform's files)."""
    arch = "aarch64" if target.startswith("aarch64") else "x86_64"
    if "windows" in target:
        platform, floor = f"Windows {'arm64' if arch == 'aarch64' else 'x64'} (MSVC)", ""
        files = [("include/intune_passcode.h", "the API (every function documented)"),
                 ("bin/intune_passcode.dll", "shared library (keep it beside your .exe or on PATH)"),
                 ("lib/intune_passcode.dll.lib", "import library for the DLL"),
                 ("lib/intune_passcode.lib", "static library"),
                 ("lib/pkgconfig/intune_passcode.pc", "pkg-config (relocatable)"),
                 ("lib/cmake/IntunePasscode/", "find_package(IntunePasscode)"),
                 ("bin/graph-emulator.exe", "the Graph emulator, to test your program without a tenant")]
        linking = ("MSVC without CMake:\n```bat\n"
                   "cl app.c /I include lib\\intune_passcode.dll.lib                  & rem shared: ship bin\\intune_passcode.dll\n"
                   "cl app.c /I include lib\\intune_passcode.lib ws2_32.lib bcrypt.lib ntdll.lib userenv.lib "
                   "advapi32.lib kernel32.lib crypt32.lib secur32.lib ncrypt.lib   & rem static\n```")
        emulator = "bin\\graph-emulator.exe"
    else:
        apple = "apple" in target
        platform = f"macOS {'arm64' if arch == 'aarch64' else 'x86_64'}" if apple else f"Linux {arch}"
        floor = "" if apple else f", glibc {glibc or '2.17'} or later"
        lib = "libintune_passcode.dylib" if apple else "libintune_passcode.so"
        files = [("include/intune_passcode.h", "the API (every function documented)"),
                 (f"lib/{lib}", "shared library" + (" (install name @rpath/libintune_passcode.dylib)" if apple else "")),
                 ("lib/libintune_passcode.a", "static library"),
                 ("lib/pkgconfig/intune_passcode.pc", "pkg-config, shared library (relocatable)"),
                 ("lib/pkgconfig/intune_passcode-static.pc", "pkg-config, static library (relocatable)"),
                 ("lib/cmake/IntunePasscode/", "find_package(IntunePasscode)"),
                 ("bin/graph-emulator", "the Graph emulator, to test your program without a tenant")]
        rpath = "-Wl,-rpath,/path/to/this/folder/lib"  # the shared library is found wherever this folder is
        linking = ("pkg-config:\n```sh\nexport PKG_CONFIG_PATH=/path/to/this/folder/lib/pkgconfig\n"
                   f"cc app.c $(pkg-config --cflags --libs intune_passcode) {rpath}   # shared\n"
                   "cc app.c $(pkg-config --cflags --libs intune_passcode-static)   # static\n```")
        emulator = "bin/graph-emulator"
    width = max(len(f) for f, _ in files) + 2
    listing = "\n".join(f"{f:<{width}}{what}" for f, what in files)
    major_minor = ".".join(v.split(".")[:2])
    text = (ROOT / "bindings-c" / "README-archive.md.in").read_text()
    for key, value in {"@VERSION@": v, "@PLATFORM@": platform, "@FLOOR@": floor, "@FILES@": listing,
                       "@MAJOR_MINOR@": major_minor, "@LINKING@": linking, "@EMULATOR@": emulator}.items():
        text = text.replace(key, value)
    return text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--archive", default="", help="the platform part of the archive's name")
    ap.add_argument("--out", default="dist/c")
    ap.add_argument("--zig", metavar="GLIBC", help="build with cargo-zigbuild for this glibc floor")
    ap.add_argument("--readme-only", action="store_true", help="print the archive's README and build nothing")
    a = ap.parse_args()
    if a.readme_only:
        print(archive_readme(a.target, a.zig, version()), end="")
        return
    if not a.archive:
        ap.error("--archive is required (the platform part of the archive's name)")
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
    if not windows:
        # The static library by its path (a plain -lintune_passcode picks the shared one beside it), with the
        # system libraries the shared .pc lists as private.
        native = re.search(r"^Libs.private: (.*)$", pc, flags=re.M).group(1)
        static_pc = (ROOT / "bindings-c" / "intune_passcode-static.pc.in").read_text()
        static_pc = (static_pc.replace("@PREFIX@", "${pcfiledir}/../..").replace("@VERSION@", v)
                     .replace("@NATIVE_LIBS@", native))
        (stage / "lib" / "pkgconfig" / "intune_passcode-static.pc").write_text(static_pc)
    shutil.copy(ROOT / "bindings-c" / "cmake" / "IntunePasscodeConfig.cmake", cmake_dir)
    subprocess.run(["cmake", f"-DOUT={cmake_dir}", f"-DVERSION={v}", "-P",
                    str(ROOT / "bindings-c" / "cmake" / "write-version.cmake")], check=True)
    for f in ["LICENSE-MIT", "LICENSE-APACHE"]:
        shutil.copy(ROOT / f, stage)
    readme = archive_readme(a.target, a.zig, v)
    # The README lists this archive's files: each must be in it, and nothing else may be in include/, lib/ or bin/.
    listed = {line.split()[0].rstrip("/") for line in readme.split("```")[1].strip().splitlines()}
    staged = {p.relative_to(stage).as_posix() for d in ("include", "lib", "bin") for p in (stage / d).iterdir()}
    staged |= {p.relative_to(stage).as_posix() for p in (stage / "lib" / "pkgconfig").iterdir()}
    staged -= {"lib/pkgconfig", "lib/cmake"}
    staged.add("lib/cmake/IntunePasscode")
    if listed != staged:
        sys.exit(f"package_c: the README lists {sorted(listed - staged)} not in the archive, and not "
                 f"{sorted(staged - listed)} that is")
    (stage / "README.md").write_text(readme)
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
