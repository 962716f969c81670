#!/usr/bin/env python3
"""W8, the test fixture (issue 21): how fast an emulator starts in-process and what start/stop cycles leave behind,
in Rust (the code every binding runs), Python and Node; what importing the packages costs; what the pytest plugin
adds to a run that does not use it. Prints one JSON object per measure.

    python bench/fixture.py [--cycles 10000] [--smoke]     (make bench: the release builds; --smoke: tiny, debug)

Run with the venv whose intune_passcode is the build to measure (make bench uses .venv after `make release`).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def rust(cycles: int, profile: str) -> dict:
    exe = ROOT / "target" / profile / "examples" / "bench_start"
    out = subprocess.run([str(exe), str(cycles)], check=True, capture_output=True, text=True).stdout
    return {"front_door": "rust BackgroundEmulator", **json.loads(out)}


def python(cycles: int) -> dict:
    from intune_passcode.testing import Emulator

    starts = []
    for _ in range(100):
        t = time.perf_counter()
        emu = Emulator()
        starts.append((time.perf_counter() - t) * 1000)
        emu.stop()
    starts.sort()
    rss, threads = status("VmRSS:"), status("Threads:")
    t = time.perf_counter()
    for _ in range(cycles):
        Emulator().stop()
    return {"front_door": "python Emulator()", "start_ms_median": starts[50], "start_ms_p95": starts[95],
            "cycles": cycles, "cycle_ms": (time.perf_counter() - t) * 1000 / max(cycles, 1),
            "rss_kib_before": rss, "rss_kib_after": status("VmRSS:"),
            "threads_before": threads, "threads_after": status("Threads:")}


NODE = r"""
const { startEmulator } = require('intune-passcode/testing')
const fs = require('fs')
const threads = () => fs.readdirSync('/proc/self/task').length
;(async () => {
  const starts = []
  for (let i = 0; i < 100; i++) {
    const t = process.hrtime.bigint()
    const e = await startEmulator()
    starts.push(Number(process.hrtime.bigint() - t) / 1e6)
    await e.close()
  }
  starts.sort((a, b) => a - b)
  const cycles = Number(process.argv[1])
  const rss = process.memoryUsage().rss >> 10, th = threads()
  const t = process.hrtime.bigint()
  for (let i = 0; i < cycles; i++) await (await startEmulator()).close()
  console.log(JSON.stringify({ front_door: 'node startEmulator()', start_ms_median: starts[50], start_ms_p95: starts[95],
    cycles, cycle_ms: Number(process.hrtime.bigint() - t) / 1e6 / Math.max(cycles, 1),
    rss_kib_before: rss, rss_kib_after: process.memoryUsage().rss >> 10, threads_before: th, threads_after: threads() }))
})()
"""


def node(cycles: int) -> dict:
    out = subprocess.run(["node", "-e", NODE, str(cycles)], cwd=ROOT / "bindings-node", check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def median_ms(cmd: "list[str]", runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def imports(runs: int) -> dict:
    def importtime(module: str) -> float:
        samples = []
        for _ in range(runs):
            err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], check=True,
                                 capture_output=True, text=True).stderr
            line = [x for x in err.splitlines() if x.rstrip().endswith(f"| {module}")][-1]
            samples.append(int(line.split("|")[1]) / 1000)
        return statistics.median(samples)

    node_require = ("const t = process.hrtime.bigint(); require(process.argv[1]); "
                    "console.log(Number(process.hrtime.bigint() - t) / 1e6)")

    def require_ms(module: str) -> float:
        return statistics.median(
            float(subprocess.run(["node", "-e", node_require, module], cwd=ROOT / "bindings-node", check=True,
                                 capture_output=True, text=True).stdout) for _ in range(runs))

    return {"measure": "import", "python_import_intune_passcode_ms": importtime("intune_passcode"),
            "python_import_testing_ms": importtime("intune_passcode.testing"),
            "node_require_intune_passcode_ms": require_ms("intune-passcode"),
            "node_require_testing_ms": require_ms("intune-passcode/testing")}


def pytest_overhead(runs: int) -> dict:
    """A run that uses no fixture of ours, with the plugin (installed: loaded by pytest11) and without it."""
    with tempfile.TemporaryDirectory() as d:
        Path(d, "test_plain.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_plain.py"]
        with_plugin = median_ms(base, runs, Path(d))
        without = median_ms(base + ["-p", "no:intune_passcode"], runs, Path(d))
    return {"measure": "pytest run without fixtures", "with_plugin_ms": with_plugin, "without_plugin_ms": without,
            "plugin_cost_ms": with_plugin - without}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=10_000)
    ap.add_argument("--smoke", action="store_true", help="a few cycles on debug builds (make test)")
    a = ap.parse_args()
    cycles, profile, runs = (20, "debug", 3) if a.smoke else (a.cycles, "release", 20)
    for measure in (lambda: rust(cycles, profile), lambda: python(min(cycles, 2000)),
                    lambda: node(min(cycles, 2000)), lambda: imports(runs), lambda: pytest_overhead(runs)):
        print(json.dumps(measure()), flush=True)


if __name__ == "__main__":
    main()
