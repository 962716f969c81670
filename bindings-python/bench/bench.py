"""Benchmark (not a test): sequential and bulk resets from Python against a running emulator; prints calls/s.

    python bindings-python/bench/bench.py GRAPH_URL TOKEN [--count 20000] [--sequential 2000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
import urllib.request

from intune_passcode import AsyncClient, Client


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("graph_url")
    p.add_argument("token")
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--sequential", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=64)
    a = p.parse_args()
    base = a.graph_url.rsplit("/", 1)[0]
    with urllib.request.urlopen(f"{base}/_emulator/devices") as r:
        ids = [d["id"] for d in json.load(r)][: a.count]
    assert len(ids) == a.count, f"start the emulator with --devices {a.count}"
    client = Client(token=a.token, base_url=a.graph_url)

    times = []
    for i in range(a.sequential):
        t = time.perf_counter()
        try:
            client.reset_passcode(ids[i % len(ids)])
        except Exception:  # noqa: BLE001 - unsupported platforms count as calls too
            pass
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"python sequential: {a.sequential} calls, {a.sequential / sum(times):.0f} calls/s, "
          f"median {times[len(times) // 2] * 1e3:.3f} ms")

    t = time.perf_counter()
    n = sum(1 for _ in client.reset_passcodes(ids, concurrency=a.concurrency, pace=None))
    secs = time.perf_counter() - t
    print(f"python bulk (Client): {n} calls at concurrency {a.concurrency} in {secs:.2f} s = {n / secs:.0f} calls/s")

    async def run() -> int:
        c = AsyncClient(token=a.token, base_url=a.graph_url)
        k = 0
        async for _ in c.reset_passcodes(ids, concurrency=a.concurrency, pace=None):
            k += 1
        return k

    t = time.perf_counter()
    n = asyncio.run(run())
    secs = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"python bulk (AsyncClient): {n} calls in {secs:.2f} s = {n / secs:.0f} calls/s; peak RSS {rss:.1f} MiB")


if __name__ == "__main__":
    main()
