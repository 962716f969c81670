"""Fault soak in all four languages (issue 7): a bad day, then every outcome checked against the emulator's ledger.

    python3 tests/soak/run.py [--devices 10000] [--profile release|debug] [--out docs/soak-results.md]

For each of Rust, Python (Client and AsyncClient), Node and C, and for each of two throttle settings, a fresh seeded
emulator injects, all at once:
- 5% 429 and 5% 503, each with a Retry-After;
- 1% 503 with a Retry-After *after* running the reset (a gateway that lied: the client's legitimate retry meets an
  executed attempt, and the ledger says which devices these were);
- 2% 500 and 2% 504 (a 504 ran the reset on half its hits);
- 1% connection resets before executing and 1% after executing;
- 1% answers slower than the client's deadline, whose reset still runs after the client has gone;
- a sliding-window write limit with the window scaled down: in `paced` the client paces at that limit and must earn
  no window 429; in `over` the limit is half the client's pace, so real window 429s (whole-second Retry-After) and the
  global pause meet the faults.

The client's deadline (5 s) is above the 3 s minimum backoff, so a retry that waits for backoff (of a 500, a 504, a
reset) would happen here and be seen. Each language's bench worker (in `throttled` mode, with `BENCH_OUTCOMES`) then
bulk-resets every device through its public bulk API. Once the emulator has no request in flight:
- every device appears exactly once in the outcomes (none lost, none doubled);
- no device was executed twice, except as often as Graph answered "not executed" for a reset it had run;
- every executed device is reported as success or OUTCOME_UNKNOWN, never as a definite failure (except, again, where
  Graph lied);
- every success was executed; UNSUPPORTED_DEVICE only for Windows and macOS devices, no other definite failure
  except THROTTLED and SERVICE_UNAVAILABLE;
- no device confirmed from its action record that the emulator did not execute, and no executed device left
  `OUTCOME_UNKNOWN` (the record shows within 1 s, with read faults; the workers look for 6 s);
- the emulator saw no early retry, and in `paced` no window 429 (in `over`, some);
- the worker exited 0 within the timeout.

The script prints a table per language and exits non-zero on any violation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[2]
FAULTS = "429=0.05,503=0.05,503_after=0.01,500=0.02,504=0.02,599=0.01,stale_504=0.01,reset_before=0.01," \
         "reset_after=0.01,latency=0.01,latency_ms=6000,retry_after=0.2,read_429=0.03,read_503=0.03"
# Each executed reset shows in the device's record after its own lag, up to 1 s; the workers look for the record of
# an unknown outcome for VERIFY_SECS. A late answer runs latency_ms (6 s) after its attempt left, and the attempt can
# leave just before the 5 s deadline (after 429 retries): its record shows up to 7 s after the deadline, and the
# polls (0.5 s, growing by half) must still read after that. 6 s did not always: one executed device was left unknown.
ACTION_LAG = "random:1000"
VERIFY_SECS = "12"
# 599: a TLS-inspecting proxy's code for a request that went upstream (half ran); stale_504: a colleague's portal reset
# 20 s earlier, then a 504 that never ran (its record must not confirm ours).
FAULT_NAMES = ("429", "503", "503_after", "500", "504", "599", "stale_504", "reset_before", "reset_after", "latency")
# The client's per-call deadline: above the 3-3.75 s first backoff (so a wrongly retried 504 or 500 would be re-sent
# and counted) and below latency_ms (so 1% of answers come too late).
DEADLINE_SECS = "5"
PACE = ["200", "1"]  # Intune's 200 writes per 20 s per app, the window scaled to 1 s
# Throttle settings: the limit the client paces at, and half of it.
CONFIGS = {"paced": "200/1", "over": "100/1"}
PLATFORMS_REFUSED = ("windows", "macOS")
DEFINITE_OK = ("THROTTLED", "SERVICE_UNAVAILABLE")  # definite failures a bad day may leave
SUCCESS = ("OK", "CONFIRMED")  # Graph's 2xx, or an unknown outcome confirmed from the device's action record


def workers(profile: str) -> dict[str, list[str]]:
    rel = ROOT / "target" / profile
    py = str(ROOT / ".venv" / "bin" / "python")
    py_bench = str(ROOT / "bindings-python" / "bench" / "bench.py")
    return {
        "Rust": [str(rel / "examples" / "bench_worker")],
        "Python Client": [py, py_bench, "sync"],
        "Python AsyncClient": [py, py_bench, "async"],
        "Node": ["node", str(ROOT / "bindings-node" / "bench" / "bench.mjs")],
        "C": [str(rel / "c-bench")],
    }


def wait_in_flight(get: Callable, seconds: float) -> int:
    """Wait until the emulator has no request in flight (late answers finish after their client left)."""
    deadline = time.monotonic() + seconds
    while True:
        n = get("stats")["in_flight"]
        if n == 0 or time.monotonic() > deadline:
            return n
        time.sleep(0.1)


@contextlib.contextmanager
def soak_emulator(profile: str, devices: int, seed: int, throttle: str) -> Iterator[tuple[dict, Callable]]:
    """A seeded emulator with every fault of the soak: its ready line and a getter for its control endpoints."""
    emulator = ROOT / "target" / profile / "graph-emulator"
    emu = subprocess.Popen([str(emulator), "--devices", str(devices), "--seed", str(seed), "--throttle", throttle,
                            "--faults", FAULTS, "--action-lag", ACTION_LAG], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    try:
        ready = json.loads(emu.stdout.readline() if emu.stdout else "{}")
        control = ready["graph_url"].rsplit("/", 1)[0] + "/_emulator"

        def get(what: str) -> Any:
            with urllib.request.urlopen(f"{control}/{what}") as r:
                return json.load(r)

        yield ready, get
    finally:
        emu.terminate()
        emu.wait(10)


def soak_one(name: str, config: str, worker: list[str], profile: str, devices: int,
             timeout: float) -> tuple[dict, list[str]]:
    """One language's soak under one throttle setting, on its own emulator; returns its row and the violations."""
    name = f"{name} ({config})"
    problems: list[str] = []
    with soak_emulator(profile, devices, 7, CONFIGS[config]) as (ready, get):
        tenant = get("devices")
        assert isinstance(tenant, list)
        ids = [d["id"] for d in tenant]
        platform = {d["id"]: d["platform"] for d in tenant}
        ids_file = ROOT / "target" / f"soak-ids-{os.getpid()}.txt"
        out_file = ROOT / "target" / f"soak-outcomes-{os.getpid()}.txt"
        ids_file.write_text("\n".join(ids) + "\n")
        out_file.unlink(missing_ok=True)
        env = dict(os.environ, BENCH_OUTCOMES=str(out_file), BENCH_TIMEOUT_SECS=DEADLINE_SECS,
                   BENCH_VERIFY_SECS=VERIFY_SECS)
        started = time.perf_counter()
        try:
            run = subprocess.run(worker + ["throttled", ready["graph_url"], ready["token"], str(ids_file),
                                           str(len(ids)), "64", *PACE], env=env, capture_output=True, text=True,
                                 timeout=timeout)
            if run.returncode != 0:
                problems.append(f"{name}: the worker exited {run.returncode}: {run.stderr[-1500:]}")
        except subprocess.TimeoutExpired:
            problems.append(f"{name}: no end within {timeout:.0f} s (hang)")
        wall = time.perf_counter() - started

        reported: dict[str, list[str]] = {}
        if out_file.exists():
            for line in out_file.read_text().splitlines():
                device, _, code = line.rpartition(" ")
                reported.setdefault(device, []).append(code)
        still = wait_in_flight(get, 10)
        if still:
            problems.append(f"{name}: {still} requests still in flight 10 s after the worker ended")
        after = get("devices")
        assert isinstance(after, list)
        ledger = {d["id"]: d["resetCount"] for d in after}
        lied = {d["id"]: d["answeredNotExecuted"] for d in after}
        stats = get("stats")
        assert isinstance(stats, dict)

        lost = [d for d in ids if d not in reported]
        doubled = [d for d, codes in reported.items() if len(codes) > 1]
        unknown_ids = [d for d in reported if d not in ledger]
        # A device may run more than once only as often as Graph told the client "not executed" after running it.
        twice = [d for d, n in ledger.items() if n > 1 + lied.get(d, 0)]
        repeated_after_lie = [d for d, n in ledger.items() if n > 1 and d not in twice]
        executed_but_failed = [d for d, codes in reported.items()
                               if ledger.get(d, 0) >= 1 and codes[0] not in (*SUCCESS, "OUTCOME_UNKNOWN")
                               and not (lied.get(d, 0) and codes[0] in DEFINITE_OK)]
        ok_not_executed = [d for d, codes in reported.items() if codes[0] == "OK" and ledger.get(d, 0) == 0]
        confirmed_not_executed = [d for d, codes in reported.items()
                                  if codes[0] == "CONFIRMED" and ledger.get(d, 0) == 0]
        # The record shows within 1 s and the workers look for 6 s: an executed device must never stay unknown.
        executed_left_unknown = [d for d, codes in reported.items()
                                 if codes[0] == "OUTCOME_UNKNOWN" and ledger.get(d, 0) >= 1]
        wrong_failure = [d for d, codes in reported.items()
                         if codes[0] not in (*SUCCESS, "OUTCOME_UNKNOWN", *DEFINITE_OK)
                         and not (codes[0] == "UNSUPPORTED_DEVICE" and platform.get(d) in PLATFORMS_REFUSED)]
        kinds = Counter(codes[0] for codes in reported.values())
        for what, found in [("lost (no outcome)", lost), ("reported more than once", doubled),
                            ("reported but not in the tenant", unknown_ids),
                            ("executed twice (more often than Graph said 'not executed')", twice),
                            ("executed but reported as a definite failure", executed_but_failed),
                            ("reported OK but never executed", ok_not_executed),
                            ("confirmed from the action record but never executed", confirmed_not_executed),
                            ("executed but left unknown (the record's lag is below the verify window)",
                             executed_left_unknown),
                            ("with a failure their device cannot explain", wrong_failure)]:
            if found:
                problems.append(f"{name}: {len(found)} devices {what}, e.g. {found[:3]}")
        if stats["early_retries"]:
            problems.append(f"{name}: {stats['early_retries']} early retries")
        if config == "paced" and stats["window_429"]:
            problems.append(f"{name}: {stats['window_429']} window 429s although the client paced at the limit")
        if config == "over" and not stats["window_429"] and len(ids) >= 1000:
            problems.append(f"{name}: no window 429 although the limit was half the client's pace")
        faults = stats.get("faults", {})
        missing = [f for f in FAULT_NAMES if not faults.get(f)]
        if missing and len(ids) >= 1000:
            problems.append(f"{name}: the emulator injected no {missing} (the soak did not soak)")
        row = {
            "language": name, "devices": len(ids), "succeeded": kinds.get("OK", 0) + kinds.get("CONFIRMED", 0),
            "confirmed": kinds.get("CONFIRMED", 0),
            "failed": {k: v for k, v in sorted(kinds.items()) if k not in (*SUCCESS, "OUTCOME_UNKNOWN")},
            "unknown": kinds.get("OUTCOME_UNKNOWN", 0), "executed_twice": len(twice),
            "repeated_after_lie": len(repeated_after_lie),
            "early_retries": stats["early_retries"], "lost": len(lost), "wall": wall,
            "throttled_429": stats.get("throttled_429", 0), "window_429": stats.get("window_429", 0),
            "faults": faults,
        }
        ids_file.unlink(missing_ok=True)
        out_file.unlink(missing_ok=True)
        return row, problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=10_000)
    ap.add_argument("--profile", default="release")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--only", default="", help="comma-separated languages, e.g. Rust,C")
    ap.add_argument("--configs", default="paced,over", help="throttle settings to run: paced, over or both")
    ap.add_argument("--out", default="", help="also write the table (markdown) here")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    rows, problems = [], []
    configs = [c for c in a.configs.split(",") if c]
    for config in configs:
        if config not in CONFIGS:
            ap.error(f"--configs: unknown setting {config!r} (paced, over)")
        for name, worker in workers(a.profile).items():
            if only and name not in only:
                continue
            print(f"soak: {name}, {config} (throttle {CONFIGS[config]}), {a.devices} devices ...", flush=True)
            row, found = soak_one(name, config, worker, a.profile, a.devices, a.timeout)
            rows.append(row)
            problems += found
            print(f"  {row['succeeded']} ok ({row['confirmed']} confirmed from the record), {row['unknown']} unknown, failed {row['failed']}, lost {row['lost']}, "
                  f"executed twice {row['executed_twice']} (+{row['repeated_after_lie']} after a lying 503), "
                  f"early retries {row['early_retries']}, window 429s {row['window_429']}, {row['wall']:.1f} s",
                  flush=True)
    faults = rows[0]["faults"] if rows else {}
    table = [f"Faults injected per run (first row): {json.dumps(faults, sort_keys=True)}; throttle "
             f"{', '.join(f'{k} {v}' for k, v in CONFIGS.items())} s; client deadline {DEADLINE_SECS} s; pace "
             f"{'/'.join(PACE)} s; concurrency 64; action record lag {ACTION_LAG} ms; verify_unknown {VERIFY_SECS} s.",
             "",
             "| language (throttle) | devices | succeeded (of which confirmed from the record) | failed, by kind | "
             "unknown | executed twice | repeated after a lying 503 | early retries | lost | 429s sent (window) | "
             "wall (s) |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        failed = ", ".join(f"{k} {v}" for k, v in r["failed"].items()) or "0"
        table.append(f"| {r['language']} | {r['devices']:,} | {r['succeeded']:,} ({r['confirmed']:,}) | {failed} | "
                     f"{r['unknown']:,} | "
                     f"{r['executed_twice']} | {r['repeated_after_lie']} | {r['early_retries']} | {r['lost']} | "
                     f"{r['throttled_429']:,} ({r['window_429']:,}) | {r['wall']:.1f} |")
    text = "\n".join(table)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n")
    for p in problems:
        print(f"VIOLATION {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
