#!/usr/bin/env bash
# Start the emulator binary in the background and wait for its ready line.
#   scripts/emulator.sh start STATEFILE [emulator flags...]   -> writes STATEFILE (the ready JSON) and STATEFILE.pid
#   scripts/emulator.sh stop STATEFILE
#   scripts/emulator.sh get STATEFILE KEY                      -> prints one field of the ready JSON (dotted for samples)
set -euo pipefail
cmd=$1; state=$2; shift 2
bin=${EMULATOR_BIN:-target/debug/graph-emulator}
case "$cmd" in
  start)
    rm -f "$state" "$state.pid"
    "$bin" "$@" > "$state.out" 2> "$state.err" &
    echo $! > "$state.pid"
    for _ in $(seq 1 300); do
      if [ -s "$state.out" ] && head -1 "$state.out" | grep -q '}'; then
        head -1 "$state.out" > "$state"; exit 0
      fi
      if ! kill -0 "$(cat "$state.pid")" 2>/dev/null; then
        echo "graph-emulator exited:" >&2; cat "$state.err" >&2; exit 1
      fi
      sleep 0.1
    done
    echo "graph-emulator did not become ready in 30 s" >&2; exit 1 ;;
  stop)
    [ -f "$state.pid" ] && kill "$(cat "$state.pid")" 2>/dev/null || true
    rm -f "$state.pid" ;;
  get)
    python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$state" "$1" ;;
  *) echo "usage: $0 start|stop|get STATEFILE ..." >&2; exit 2 ;;
esac
