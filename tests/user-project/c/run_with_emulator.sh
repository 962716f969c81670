#!/bin/sh
# run_with_emulator.sh EMULATOR PROGRAM: start the Graph emulator (a fresh tenant on a free port of 127.0.0.1), read
# its ready line, run `PROGRAM GRAPH_URL TOKEN DEVICE_ID` (DEVICE_ID: samples.device_id, an online Android device),
# stop the emulator, and exit with PROGRAM's code. EMULATOR is the archive's bin/graph-emulator, or the Python
# console script / npm bin `intune-passcode-emulator` (the same flags and ready line). POSIX sh, sed; no jq.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 EMULATOR PROGRAM" >&2; exit 2; }
emulator=$1
program=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/graph-emulator.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true   # SIGTERM: it stops and removes the files it wrote
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The binary's defaults are a production-like 3,000 devices throttled as Intune does; a test wants neither.
: >"$dir/out"
"$emulator" --port 0 --throttle off --devices 200 >"$dir/out" 2>"$dir/err" &
pid=$!

# The ready line is the first line on stdout: wait until it is whole (it ends with a newline).
tries=0
while [ "$(wc -l <"$dir/out")" -lt 1 ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run_with_emulator: $emulator exited before its ready line:" >&2
    cat "$dir/err" >&2
    pid=
    exit 1
  fi
  tries=$((tries + 1))
  if [ "$tries" -gt 300 ]; then echo "run_with_emulator: no ready line in 30 s" >&2; exit 1; fi
  sleep 0.1
done
ready=$(head -n 1 "$dir/out")

# One JSON object, compact, its string values free of quotes and escapes: "name":"value" is enough to find a field.
# ("device_id" with its opening quote matches samples.device_id only, not detected_app_device_id and the like.)
field() { printf '%s\n' "$ready" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
graph_url=$(field graph_url)
token=$(field token)
device_id=$(field device_id)
if [ -z "$graph_url" ] || [ -z "$token" ] || [ -z "$device_id" ]; then
  echo "run_with_emulator: graph_url, token or samples.device_id missing from the ready line" >&2
  exit 1
fi

set +e
"$program" "$graph_url" "$token" "$device_id"
status=$?
set -e
exit "$status"
