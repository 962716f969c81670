"""Bench worker for the Python binding (protocol: bench/README.md). Not a test: it asserts nothing about speed.

    python bench.py sync|async MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY [PACE_WRITES PACE_SECONDS]

The fault soak (tests/soak/run.py) reuses it: with BENCH_OUTCOMES=FILE each bulk outcome is also written to FILE as
`DEVICE_ID CODE` lines (CONFIRMED for a success confirmed from the device's action record), BENCH_TIMEOUT_SECS sets
the client's per-call deadline, BENCH_VERIFY_SECS the bulk run's verify_unknown (seconds, or `off`) and BENCH_JOURNAL
its journal file.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from typing import Optional, Tuple

from intune_passcode import AsyncClient, BulkItem, Client


def main() -> None:
    flavour, mode, url, token, ids_file, n, conc, *pace_args = sys.argv[1:]
    with open(ids_file) as f:
        ids = f.read().split()[: int(n)]
    pace: Optional[Tuple[int, float]] = None
    if mode == "throttled" and pace_args:
        pace = (int(pace_args[0]), float(pace_args[1]))
    outcomes: Counter[str] = Counter()
    times = []
    timeout = float(os.environ.get("BENCH_TIMEOUT_SECS", "100"))
    log = open(os.environ["BENCH_OUTCOMES"], "w") if os.environ.get("BENCH_OUTCOMES") else None

    journal = os.environ.get("BENCH_JOURNAL") or None
    verify_env = os.environ.get("BENCH_VERIFY_SECS")
    verify: Optional[float] = 60.0 if verify_env is None else None if verify_env == "off" else float(verify_env)

    def record(item: BulkItem) -> None:
        code = "OK" if item.ok else str(getattr(item.error, "code", "?"))
        outcomes[code] += 1
        if log:
            # How a success is known: Graph's 2xx (OK) or the device's record (CONFIRMED).
            confirmed = item.receipt is not None and item.receipt.confirmed_by == "action_result"
            log.write(f"{item.device_id} {'CONFIRMED' if confirmed else code}\n")

    start = time.perf_counter()
    if flavour == "sync":
        client = Client(token=token, base_url=url, timeout=timeout)
        if mode == "seq":
            for device in ids:
                t = time.perf_counter()
                try:
                    client.reset_passcode(device)
                    outcomes["OK"] += 1
                except Exception as e:  # noqa: BLE001 - every outcome is counted by its code
                    outcomes[getattr(e, "code", type(e).__name__)] += 1
                times.append((time.perf_counter() - t) * 1e3)
        else:
            for item in client.reset_passcodes(ids, concurrency=int(conc), pace=pace, verify_unknown=verify, journal=journal):
                record(item)
    else:

        async def run() -> None:
            client = AsyncClient(token=token, base_url=url, timeout=timeout)
            if mode == "seq":
                for device in ids:
                    t = time.perf_counter()
                    try:
                        await client.reset_passcode(device)
                        outcomes["OK"] += 1
                    except Exception as e:  # noqa: BLE001
                        outcomes[getattr(e, "code", type(e).__name__)] += 1
                    times.append((time.perf_counter() - t) * 1e3)
            else:
                async for item in client.reset_passcodes(ids, concurrency=int(conc), pace=pace, verify_unknown=verify, journal=journal):
                    record(item)

        asyncio.run(run())
    secs = time.perf_counter() - start
    if log:
        log.close()
    times.sort()
    median = times[len(times) // 2] if times else None
    print(json.dumps({"calls": sum(outcomes.values()), "secs": secs, "median_ms": median, "outcomes": outcomes}))


if __name__ == "__main__":
    main()
