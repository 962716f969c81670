#!/usr/bin/env bash
# make dist-check: install what `make dist` made as a user would, in a fresh folder, with cargo and rustc off PATH and
# no network (pip --no-index, npm --offline with an empty cache), and reset a device through each front door below
# (scripts/smoke.py, the release workflow's smoke test, does the resets for the installed packages):
#   Python: the library and the console script;  Node: require, import and the bin;
#   C/C++: CMake find_package and plain pkg-config, statically and dynamically;
# then runs tests/user-project (a user's own script and tests, on the fixture each package ships: the pytest plugin,
# intune-passcode/testing, the archive's bin/graph-emulator). Its third-party test tools (pytest, azure-identity,
# msgraph-sdk, @azure/identity) are fetched once into target/user-project-deps beforehand, the only network use.
# It fails on a wheel for this machine's glibc only, a missing console script, a .pc that points at the build folder,
# and an npm tarball that needs the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
EMU=$ROOT/scripts/emulator.sh
export EMULATOR_BIN=${EMULATOR_BIN:-$ROOT/target/debug/graph-emulator}
[ -x "$EMULATOR_BIN" ] || { echo "dist-check: build the emulator first (cargo build -p graph-emulator)" >&2; exit 1; }
for f in dist/python/*.whl "dist/node/intune-passcode-$VERSION.tgz" "dist/node/intune-passcode-linux-x64-gnu-$VERSION.tgz" \
         "dist/c/intune-passcode-$VERSION-x86_64-linux-gnu.tar.gz"; do
  [ -e "$f" ] || { echo "dist-check: $f is missing: run make dist" >&2; exit 1; }
done

# The user project's third-party test tools, fetched while the network is still allowed (cached between runs).
DEPS=$ROOT/target/user-project-deps
UP=$ROOT/tests/user-project
if ! cmp -s "$UP/python/requirements.txt" "$DEPS/requirements.txt" || ! cmp -s "$UP/node/package.json" "$DEPS/package.json"; then
  rm -rf "$DEPS" && mkdir -p "$DEPS/npm-scratch"
  python3 -m pip download -q -d "$DEPS/wheelhouse" -r "$UP/python/requirements.txt"
  # @azure/identity and its dependencies into a cache of our own, from the project's package.json minus our package.
  node -e 'const p = require(process.argv[1]); delete p.dependencies["intune-passcode"]
    require("fs").writeFileSync(process.argv[2], JSON.stringify(p))' "$UP/node/package.json" "$DEPS/npm-scratch/package.json"
  (cd "$DEPS/npm-scratch" && npm install --silent --no-audit --no-fund --cache "$DEPS/npm-cache")
  cp "$UP/python/requirements.txt" "$UP/node/package.json" "$DEPS/"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipc-dist-check.XXXXXX")
STATE=$WORK/emulator.json
trap '"$EMU" stop "$STATE"; rm -rf "$WORK"' EXIT
"$EMU" start "$STATE" --throttle off --devices 200
get() { "$EMU" get "$STATE" "$1"; }
URL=$(get graph_url); TOKEN=$(get token)
devices=$(python3 -c 'import json,sys,urllib.request
d=json.load(urllib.request.urlopen(sys.argv[1]+"/_emulator/devices"))
print(" ".join(x["id"] for x in d if x["platform"] not in ("windows","macOS"))[:100000])' "$(get authority_url)")
read -r -a IDS <<<"$devices"
n=0; next_device() { DEVICE=${IDS[$n]}; n=$((n + 1)); }
export INTUNE_PASSCODE_STATE_DIR=$WORK/state AZURE_TENANT_ID=$(get tenant_id) AZURE_CLIENT_ID=$(get client_id) \
  AZURE_CLIENT_SECRET=$(get client_secret) AZURE_AUTHORITY_HOST=$(get authority_url)

# No Rust toolchain from here on: a PATH without any folder that holds cargo or rustc.
clean=""
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || clean="$clean${clean:+:}$d"
done
export PATH=$clean
if command -v cargo >/dev/null || command -v rustc >/dev/null; then echo "dist-check: cargo is still on PATH" >&2; exit 1; fi
cd "$WORK"

echo "== Python: a new venv installs the wheel, with no index"
wheel=$(ls "$ROOT"/dist/python/*.whl)
case "$wheel" in *manylinux_2_17_x86_64*|*manylinux2014_x86_64*) ;;
  *) echo "dist-check: $wheel is not a manylinux_2_17 wheel (built for this machine's glibc only?)" >&2; exit 1 ;; esac
python3 -m venv venv
venv/bin/pip install -q --no-index --only-binary :all: "$wheel"
[ -x venv/bin/intune-passcode ] || { echo "dist-check: the wheel installed no intune-passcode console script" >&2; exit 1; }
python3 "$ROOT/scripts/smoke.py" venv/bin/python venv/bin/intune-passcode

echo "== Node: a new project installs the two tarballs offline, with an empty cache"
mkdir npm-app && cd npm-app
npm init -y >/dev/null
npm install --offline --cache "$WORK/empty-npm-cache" --no-audit --no-fund \
  "$ROOT/dist/node/intune-passcode-linux-x64-gnu-$VERSION.tgz" "$ROOT/dist/node/intune-passcode-$VERSION.tgz"
cd "$WORK"
python3 "$ROOT/scripts/smoke.py" --node "$WORK/npm-app"

echo "== C and C++: from the unpacked archive, by CMake and by pkg-config, static and shared"
mkdir c && tar -C c -xzf "$ROOT/dist/c/intune-passcode-$VERSION-x86_64-linux-gnu.tar.gz"
prefix=$WORK/c/intune-passcode-$VERSION-x86_64-linux-gnu
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
incdir=$(pkg-config --variable=includedir intune_passcode)
case "$(cd "$incdir" && pwd -P)" in "$(cd "$prefix" && pwd -P)"/*) ;;
  *) echo "dist-check: the .pc points at $incdir, not the unpacked archive" >&2; exit 1 ;; esac
python3 "$ROOT/scripts/smoke.py" --c "$ROOT/dist/c"
# Plain pkg-config, on this script's emulator.
cc -std=c11 "$ROOT/tests/dist/consumer.c" $(pkg-config --cflags --libs intune_passcode) \
  -Wl,-rpath,"$prefix/lib" -o pc_shared
cc -std=c11 "$ROOT/tests/dist/consumer.c" $(pkg-config --cflags --libs intune_passcode-static) -o pc_static
c++ -std=c++17 "$ROOT/tests/dist/consumer.cpp" $(pkg-config --cflags --libs intune_passcode-static) -o pc_static_cpp
if ldd pc_static | grep -q libintune_passcode; then
  echo "dist-check: intune_passcode-static.pc links the shared library" >&2; exit 1
fi
for exe in pc_shared pc_static pc_static_cpp; do next_device; "./$exe" "$URL" "$TOKEN" "$DEVICE"; done

executed=$(python3 -c 'import json,sys,urllib.request
s=json.load(urllib.request.urlopen(sys.argv[1]+"/_emulator/stats")); print(s["executed"], s["devices_reset_more_than_once"])' "$(get authority_url)")
[ "$executed" = "$n 0" ] || { echo "dist-check: the emulator executed '$executed' resets, expected '$n 0'" >&2; exit 1; }
echo "dist-check: devices reset, one each, through 12 installed front doors (9 by smoke.py, $n here); no cargo, no rustc, no network"

echo "== tests/user-project: a user's own tests on the fixture each package ships"
echo "-- Python: the wheel with pytest, azure-identity and msgraph-sdk (no index); the plugin's fixtures"
python3 -m venv "$WORK/user-venv"
"$WORK/user-venv/bin/pip" install -q --no-index --find-links "$DEPS/wheelhouse" "$wheel" -r "$UP/python/requirements.txt"
[ -x "$WORK/user-venv/bin/intune-passcode-emulator" ] || { echo "dist-check: no intune-passcode-emulator script" >&2; exit 1; }
cp -r "$UP/python" "$WORK/user-python"
out=$(cd "$WORK/user-python" && "$WORK/user-venv/bin/python" -m pytest -q -rs -p no:cacheprovider 2>&1) || { echo "$out"; exit 1; }
echo "$out" | tail -3
if grep -q -i "skipped" <<<"$out"; then echo "dist-check: a user-project test was skipped" >&2; exit 1; fi
echo "-- Node: the two tarballs and @azure/identity, offline; node --test"
cp -r "$UP/node" "$WORK/user-node"
(cd "$WORK/user-node" && npm install --silent --offline --no-audit --no-fund --cache "$DEPS/npm-cache" \
  "$ROOT/dist/node/intune-passcode-linux-x64-gnu-$VERSION.tgz" "$ROOT/dist/node/intune-passcode-$VERSION.tgz" \
  && [ -x node_modules/.bin/intune-passcode-emulator ] && npm test --silent 2>&1 | tail -9)
echo "-- C: CTest runs a program against the archive's bin/graph-emulator"
cmake -S "$UP/c" -B "$WORK/user-c" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$WORK/user-c" >/dev/null
(cd "$WORK/user-c" && ctest --output-on-failure)
echo "dist-check: the user project's tests pass in Python, Node and C, from dist/ alone"
