"""Bench worker for the Python peers (protocol: bench/README.md): Microsoft's msgraph-sdk and a hand-written httpx
loop, each at a semaphore of CONCURRENCY on asyncio.

    python python_peers.py msgraph|httpx MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY

MODE is bulk, seq or throttled; `throttled` runs like bulk: msgraph-sdk meets 429s with its default retry handler
(3 retries honouring Retry-After), which is what a user of it gets.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any, Awaitable, Callable


def msgraph_reset(url: str, token: str) -> Callable[[str], Awaitable[str]]:
    from azure.core.credentials import AccessToken
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from kiota_abstractions.api_error import APIError
    from msgraph import GraphRequestAdapter, GraphServiceClient

    class FixedToken:
        """azure-identity's credential shape, handing out the emulator's token."""

        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken(token, int(time.time()) + 3600)

    auth = AzureIdentityAuthenticationProvider(
        FixedToken(), scopes=["https://graph.microsoft.com/.default"], allowed_hosts=["127.0.0.1"]
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = url
    client = GraphServiceClient(request_adapter=adapter)

    async def reset(device: str) -> str:
        try:
            await client.device_management.managed_devices.by_managed_device_id(device).reset_passcode.post()
            return "204"
        except APIError as e:
            return str(e.response_status_code)
        except Exception as e:  # noqa: BLE001 - counted by type, the run goes on
            return type(e).__name__

    return reset


def httpx_reset(url: str, token: str, concurrency: int) -> Callable[[str], Awaitable[str]]:
    import httpx

    client = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency), timeout=100
    )
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def reset(device: str) -> str:
        try:
            r = await client.post(f"{url}/deviceManagement/managedDevices/{device}/resetPasscode", headers=headers)
            return str(r.status_code)
        except Exception as e:  # noqa: BLE001
            return type(e).__name__

    return reset


async def run(impl: str, mode: str, url: str, token: str, ids: list[str], conc: int) -> dict[str, Any]:
    reset = msgraph_reset(url, token) if impl == "msgraph" else httpx_reset(url, token, conc)
    outcomes: Counter[str] = Counter()
    times: list[float] = []
    start = time.perf_counter()
    if mode == "seq":
        for device in ids:
            t = time.perf_counter()
            outcomes[await reset(device)] += 1
            times.append((time.perf_counter() - t) * 1e3)
    else:
        gate = asyncio.Semaphore(conc)

        async def one(device: str) -> None:
            async with gate:
                outcomes[await reset(device)] += 1

        await asyncio.gather(*(one(d) for d in ids))
    secs = time.perf_counter() - start
    times.sort()
    return {
        "calls": sum(outcomes.values()),
        "secs": secs,
        "median_ms": times[len(times) // 2] if times else None,
        "outcomes": outcomes,
    }


def main() -> None:
    impl, mode, url, token, ids_file, n, conc, *_ = sys.argv[1:]
    with open(ids_file) as f:
        ids = f.read().split()[: int(n)]
    print(json.dumps(asyncio.run(run(impl, mode, url, token, ids, int(conc)))))


if __name__ == "__main__":
    main()
