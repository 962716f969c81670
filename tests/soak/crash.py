"""Crash-resume soak in all four languages (issue 13): kill the worker at random moments, resume, count.

    python3 tests/soak/crash.py [--devices 3000] [--kills 10] [--profile release|debug] [--out FILE]

For each of Rust, Python (Client and AsyncClient), Node and C, a fresh seeded emulator (throttled, with every fault
of `run.py`) serves one journaled bulk job through that language's bulk API (its bench worker, with BENCH_JOURNAL).
The worker is SIGKILLed at a random moment (requests in flight, journal lines being written) `--kills` times, each time
restarted on the same journal once the emulator has nothing in flight (a resume after a crash: the device records of
what was in flight are there to be found), and finally left to finish. Then, against the emulator's ledger and the
journal read back here, independently of the library:
- 0 devices executed twice (beyond what a lying 503 asked for);
- 0 devices without a final state (every device `ok`, `failed` or `unknown`; none `planned` or `sending`);
- 0 devices `ok` that the emulator did not execute;
- every device the emulator executed ends `ok` (its record shows within 1 s; the worker looks for 12 s, past a late answer);
- 0 early retries; every kill really killed the worker mid-run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DEADLINE_SECS, PACE, ROOT, VERIFY_SECS, soak_emulator, wait_in_flight, workers  # noqa: E402

THROTTLE = "200/1"


def replay(path: Path) -> dict[str, dict]:
    """The journal's devices and their last state, read as docs/journal.md says (a torn last line ignored)."""
    devices: dict[str, dict] = {}
    data = path.read_bytes()
    lines = data.split(b"\n")
    for raw in lines[:-1]:  # the part after the last newline is a torn write, or empty
        e = json.loads(raw)
        kind, d = e["event"], e.get("device_id")
        if kind == "planned":
            devices.setdefault(d, {"state": "planned"})
        elif kind == "intent":
            devices[d]["state"] = "sending"
        elif kind == "result":
            devices[d]["state"] = "ok" if e["ok"] else ("unknown" if e["code"] == "OUTCOME_UNKNOWN" else "failed")
            devices[d]["code"] = e["code"]
        elif kind == "verify":
            if e["found"]:
                devices[d]["state"] = "ok"
            elif devices[d]["state"] == "sending":
                devices[d]["state"] = "unknown"
    return devices


def crash_one(name: str, worker: list[str], profile: str, devices: int, kills: int, seed: int,
              timeout: float) -> tuple[dict, list[str]]:
    problems: list[str] = []
    rng = random.Random(seed)
    with soak_emulator(profile, devices, seed, THROTTLE) as (ready, get):

        def settle() -> None:
            wait_in_flight(get, 15)
            time.sleep(1.2)  # the records' lag (up to 1 s)

        ids = [d["id"] for d in get("devices")]  # type: ignore[union-attr]
        tag = f"{os.getpid()}-{name.replace(' ', '-')}"
        # A folder of its own: a journaled run consults every other journal beside its own.
        folder = ROOT / "target" / f"crash-{tag}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        ids_file = folder / "ids.txt"
        journal = folder / "job-1.jsonl"
        ids_file.write_text("\n".join(ids) + "\n")
        env = dict(os.environ, BENCH_JOURNAL=str(journal), BENCH_TIMEOUT_SECS=DEADLINE_SECS,
                   BENCH_VERIFY_SECS=VERIFY_SECS)
        env.pop("BENCH_OUTCOMES", None)
        argv = worker + ["throttled", ready["graph_url"], ready["token"], str(ids_file), str(len(ids)), "64", *PACE]
        started = time.perf_counter()
        killed = 0
        for _ in range(kills):
            p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0.3, 2.5))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
            p.wait()
            settle()
        final = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               timeout=timeout)
        wall = time.perf_counter() - started
        if final.returncode != 0:
            problems.append(f"{name}: the last run exited {final.returncode}: {final.stderr[-1500:]}")
        settle()
        after = get("devices")
        assert isinstance(after, list)
        ledger = {d["id"]: d["resetCount"] for d in after}
        lied = {d["id"]: d["answeredNotExecuted"] for d in after}
        stats = get("stats")
        assert isinstance(stats, dict)
        states = replay(journal)
        twice = [d for d, n in ledger.items() if n > 1 + lied[d]]
        no_final = [d for d in ids if states.get(d, {}).get("state") not in ("ok", "failed", "unknown")]
        ok_not_executed = [d for d, s in states.items() if s["state"] == "ok" and ledger[d] == 0]
        executed_not_ok = [d for d, n in ledger.items() if n >= 1 and states.get(d, {}).get("state") != "ok"
                           and not lied[d]]
        for what, found in [("executed twice", twice), ("without a final state", no_final),
                            ("ok but never executed", ok_not_executed), ("executed but not ok", executed_not_ok)]:
            if found:
                problems.append(f"{name}: {len(found)} devices {what}, e.g. {found[:3]}")
        if stats["early_retries"]:
            problems.append(f"{name}: {stats['early_retries']} early retries")
        if killed < kills:
            problems.append(f"{name}: only {killed} of {kills} kills found the worker still running")
        # The next job: the same devices re-exported (shuffled, half in upper case, some in braces as PowerShell's
        # [guid] writes them), run as a new job in the same folder. What job 1 holds must not be sent again.
        rerun_ids = list(ids)
        rng.shuffle(rerun_ids)
        rerun_ids = [("{%s}" % d if i % 4 == 0 else d).upper() if i % 2 == 0 else d for i, d in enumerate(rerun_ids)]
        ids_file.write_text("\n".join(rerun_ids) + "\n")
        journal2 = folder / "job-2.jsonl"
        argv2 = worker + ["throttled", ready["graph_url"], ready["token"], str(ids_file), str(len(ids)), "64", *PACE]
        rerun = subprocess.run(argv2, env=dict(env, BENCH_JOURNAL=str(journal2)), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, timeout=timeout)
        if rerun.returncode != 0:
            problems.append(f"{name}: the changed-input rerun exited {rerun.returncode}: {rerun.stderr[-1500:]}")
        settle()
        after2 = get("devices")
        assert isinstance(after2, list)
        ledger2 = {d["id"]: d["resetCount"] for d in after2}
        held = {d for d, s in states.items() if s["state"] in ("ok", "unknown")}
        resent_held = [d for d in held if ledger2[d] > ledger[d]]
        states2 = replay(journal2)
        ok_not_executed2 = [d for d, s in states2.items() if s["state"] == "ok" and ledger2[d] == 0]
        twice2 = [d for d, n in ledger2.items() if n > 1 + lied[d]]
        for what, found in [("executed again by a changed input", resent_held),
                            ("ok in the rerun but never executed", ok_not_executed2),
                            ("executed twice after the rerun", twice2)]:
            if found:
                problems.append(f"{name}: {len(found)} devices {what}, e.g. {found[:3]}")
        stale = stats.get("faults", {}).get("stale_504", 0)
        counts = {s: sum(1 for v in states.values() if v["state"] == s) for s in ("ok", "failed", "unknown")}
        row = {"language": name, "devices": len(ids), "kills": killed, **counts, "executed_twice": len(twice),
               "stale": stale, "rerun_resent": len(resent_held), "rerun_ok_not_executed": len(ok_not_executed2),
               "repeated_after_lie": sum(1 for d, n in ledger.items() if n > 1 and d not in twice),
               "no_final": len(no_final), "ok_not_executed": len(ok_not_executed),
               "executed_not_ok": len(executed_not_ok), "early": stats["early_retries"], "wall": wall}
        shutil.rmtree(folder, ignore_errors=True)
        return row, problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=3000)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--profile", default="release")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--only", default="")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    rows, problems = [], []
    for name, worker in workers(a.profile).items():
        if only and name not in only:
            continue
        print(f"crash soak: {name}, {a.devices} devices, {a.kills} kills ...", flush=True)
        row, found = crash_one(name, worker, a.profile, a.devices, a.kills, a.seed, a.timeout)
        rows.append(row)
        problems += found
        print(f"  {row['ok']} ok, {row['failed']} failed, {row['unknown']} unknown after {row['kills']} kills; "
              f"executed twice {row['executed_twice']} (+{row['repeated_after_lie']} after a lying 503), "
              f"no final state {row['no_final']}, {row['wall']:.1f} s", flush=True)
    table = [f"Throttle {THROTTLE} s, the faults of run.py, client deadline {DEADLINE_SECS} s, verify {VERIFY_SECS} s; "
             "each kill a SIGKILL at a random moment from 0.3 to 2.5 s into a run; restarts on the same journal.", "",
             "Then a second job over the same devices re-exported (shuffled, half upper case, a quarter in braces) in "
             "the same folder.", "",
             "| language | devices | kills | ok | failed | unknown | executed twice | repeated after a lying 503 | "
             "no final state | ok, not executed | executed, not ok | stale records injected | "
             "rerun: held devices sent | rerun: ok, not executed | early retries | wall (s) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        table.append(f"| {r['language']} | {r['devices']:,} | {r['kills']} | {r['ok']:,} | {r['failed']:,} | "
                     f"{r['unknown']:,} | {r['executed_twice']} | {r['repeated_after_lie']} | {r['no_final']} | "
                     f"{r['ok_not_executed']} | {r['executed_not_ok']} | {r['stale']} | {r['rerun_resent']} | "
                     f"{r['rerun_ok_not_executed']} | {r['early']} | {r['wall']:.1f} |")
    print("\n".join(table))
    if a.out:
        Path(a.out).write_text("\n".join(table) + "\n")
    for p in problems:
        print(f"VIOLATION {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
