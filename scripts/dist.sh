#!/usr/bin/env bash
# make dist: what a release publishes for linux x86_64, into dist/:
#   dist/python/  the abi3 wheel (manylinux_2_17, built with zig) and the sdist it was built from
#   dist/node/    intune-passcode-<v>.tgz and intune-passcode-linux-x64-gnu-<v>.tgz (napi-rs v3's layout)
#   dist/c/       intune-passcode-<v>-x86_64-linux-gnu.tar.gz (header, .so, .a, pkg-config, CMake package,
#                 bin/graph-emulator)
# Every artefact needs at most glibc 2.17; each is checked here (auditwheel, abi3audit, twine, readelf, nm).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
TRIPLE=x86_64-unknown-linux-gnu
GLIBC_FLOOR=2.17
TOOLS=$ROOT/.venv-dist
if [ ! -x "$TOOLS/bin/cargo-zigbuild" ] || ! cmp -s scripts/dist-requirements.txt "$TOOLS/.requirements"; then
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q -r scripts/dist-requirements.txt
  cp scripts/dist-requirements.txt "$TOOLS/.requirements"
fi
# maturin and cargo-zigbuild find zig through this venv's python (the ziglang package).
export PATH=$TOOLS/bin:$PATH
rm -rf dist && mkdir -p dist/python dist/node dist/c

# The highest GLIBC_x.y a binary needs must not pass the floor.
glibc_floor() {
  local need
  need=$(readelf -V "$1" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
  if [ "$(printf '%s\n%s\n' "$need" "$GLIBC_FLOOR" | sort -V | tail -1)" != "$GLIBC_FLOOR" ]; then
    echo "dist: $1 needs glibc $need, above the floor $GLIBC_FLOOR" >&2; exit 1
  fi
  echo "dist: $(basename "$1") needs glibc <= $need"
}

echo "== Python: abi3 wheel for manylinux_2_17 (zig), built from its sdist"
CARGO_TARGET_DIR=$ROOT/target/dist-python maturin build --release --zig --compatibility manylinux2014 --sdist -o dist/python \
  -m bindings-python/Cargo.toml
wheel=$(ls dist/python/*.whl)
case "$wheel" in *manylinux_2_17_x86_64*) ;; *) echo "dist: $wheel is not tagged manylinux_2_17" >&2; exit 1 ;; esac
# (Captured first: `grep -q` ending a pipe early would fail it under pipefail.)
shown=$(auditwheel show "$wheel")
grep -q '"manylinux_2_17_x86_64"' <<<"$shown" || { echo "$shown" >&2; exit 1; }
abi3audit --strict "$wheel"
twine check --strict dist/python/*
python3 - "$wheel" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
missing = [n for n in ["intune_passcode/py.typed", "intune_passcode/_native.pyi", "intune_passcode/_cli.py",
                       "intune_passcode/testing.py", "intune_passcode/pytest_plugin.py",
                       "licenses/LICENSE-MIT", "licenses/LICENSE-APACHE"] if not any(x.endswith(n) for x in names)]
ep = [n for n in names if n.endswith("entry_points.txt")]
entry_points = z.read(ep[0]) if ep else b""
for line, what in [(rb"^intune-passcode\s*=\s*intune_passcode\._cli:main\s*$", "the intune-passcode console script"),
                   (rb"^intune-passcode-emulator\s*=\s*intune_passcode\._cli:emulator_main\s*$",
                    "the intune-passcode-emulator console script"),
                   (rb"^\[pytest11\]\s*\nintune_passcode\s*=\s*intune_passcode\.pytest_plugin\s*$", "the pytest plugin")]:
    if not re.search(line, entry_points, re.M):
        missing.append(what)
if missing:
    sys.exit(f"dist: the wheel lacks {', '.join(missing)}")
print("dist: the wheel has both console scripts, the pytest plugin, the fixture, py.typed, the stubs and the licences")
PY

echo "== Node: the addon for glibc 2.17 (zig) and napi-rs v3's two packages"
build=$ROOT/target/dist-node/build
stage=$ROOT/target/dist-node/stage
rm -rf "$build" "$stage" && mkdir -p "$build" "$stage"
(cd bindings-node && npm ci --silent --no-audit --no-fund && \
  npx napi build --platform --release --target "$TRIPLE.$GLIBC_FLOOR" -x --manifest-path Cargo.toml --output-dir "$build")
# The generated loader and types must be the committed ones.
diff -q "$build/index.js" bindings-node/index.js && diff -q "$build/index.d.ts" bindings-node/index.d.ts
glibc_floor "$build/intune-passcode.linux-x64-gnu.node"
cp -r bindings-node/{package.json,README.md,LICENSE-MIT,LICENSE-APACHE,index.js,index.d.ts,intune-passcode.js,intune-passcode.mjs,intune-passcode.d.ts,testing.js,testing.mjs,testing.d.ts,bin} "$stage/"
(
  cd "$stage"
  # npm/<platform>/package.json for every target the release builds; the root lists them as optionalDependencies.
  "$ROOT/bindings-node/node_modules/.bin/napi" create-npm-dirs
  node -e '
    const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json"));
    p.optionalDependencies = {};
    for (const d of fs.readdirSync("npm")) p.optionalDependencies[`${p.name}-${d}`] = p.version;
    delete p.devDependencies; delete p.scripts;
    fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");'
  cp "$build/intune-passcode.linux-x64-gnu.node" npm/linux-x64-gnu/
  (cd npm/linux-x64-gnu && npm pack --silent --pack-destination "$ROOT/dist/node" >/dev/null)
  npm pack --silent --pack-destination "$ROOT/dist/node" >/dev/null
)
listing=$(tar tzf "dist/node/intune-passcode-$VERSION.tgz")
for f in bin/intune-passcode.js bin/intune-passcode-emulator.js testing.js testing.mjs testing.d.ts; do
  grep -q "package/$f" <<<"$listing" || { echo "dist: the npm package lacks $f" >&2; exit 1; }
done
if grep -q '\.node$' <<<"$listing"; then
  echo "dist: the main npm package must not carry an addon (each platform has its own package)" >&2; exit 1
fi
ls dist/node

echo "== C: the library for glibc 2.17 (zig), pkg-config and CMake package"
python3 scripts/package_c.py --target "$TRIPLE" --zig "$GLIBC_FLOOR" --archive x86_64-linux-gnu --out dist/c
cdir=intune-passcode-$VERSION-x86_64-linux-gnu
cstage=$ROOT/target/dist-c/$cdir
if grep -q "$ROOT" "$cstage"/lib/pkgconfig/*.pc; then
  echo "dist: a .pc file names the build folder" >&2; exit 1
fi
glibc_floor "$cstage/lib/libintune_passcode.so"
glibc_floor "$cstage/bin/graph-emulator"
# Exported symbols: the .so exports ipc_* only; the .a defines nothing a C program's own libraries could clash
# with: besides ipc_*, only Rust's hashed (mangled) names, ring's versioned prefix and compiler-rt builtins.
stray=$(nm -D --defined-only "$cstage/lib/libintune_passcode.so" | awk '{print $3}' | grep -v '^ipc_' || true)
[ -z "$stray" ] || { echo "dist: the .so exports more than ipc_*: $stray" >&2; exit 1; }
stray=$(nm -g --defined-only "$cstage/lib/libintune_passcode.a" 2>/dev/null | awk 'NF==3 {print $3}' \
  | grep -v -E '^(ipc_|_ZN|_R[A-Za-z0-9_]+|ring_core_0_17_[0-9]+_|anon\.[0-9a-f]+\.|DW\.ref\.rust_eh_personality$|__[a-z]+[0-9]*[a-z0-9]*$|__compilerrt_)' \
  | sort -u || true)
[ -z "$stray" ] || { echo "dist: the .a defines stray global symbols: $stray" >&2; exit 1; }
echo "dist: libintune_passcode.so exports $(nm -D --defined-only "$cstage/lib/libintune_passcode.so" | grep -c ' ipc_') ipc_* functions and nothing else"
ls dist/c
# What the test fixture costs each package (issue 21 allows 3 MiB): the sizes, for bench/results.md.
echo "dist: sizes: wheel $(stat -c %s dist/python/*.whl) B, npm addon $(stat -c %s "$build/intune-passcode.linux-x64-gnu.node") B," \
  "npm platform tarball $(stat -c %s "dist/node/intune-passcode-linux-x64-gnu-$VERSION.tgz") B," \
  "C archive $(stat -c %s "dist/c/$cdir.tar.gz") B, bin/graph-emulator $(stat -c %s "$cstage/bin/graph-emulator") B"
