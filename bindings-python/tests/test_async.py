"""AsyncClient: awaitables, async bulk, async credentials, and asyncio.run more than once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import intune_passcode as ip
from intune_passcode import AsyncClient


def test_asyncio_run_twice(emu: Any) -> None:
    async def one(device: str) -> int:
        async with AsyncClient(token=emu.token, base_url=emu.graph_url) as c:
            return (await c.reset_passcode(device)).status

    devices = emu.resettable()[500:502]
    assert asyncio.run(one(devices[0])) == 204
    assert asyncio.run(one(devices[1])) == 204


def test_async_errors_and_concurrency(emu: Any) -> None:
    async def main() -> None:
        c = AsyncClient(token=emu.token, base_url=emu.graph_url)
        with pytest.raises(ip.NotFoundError):
            await c.reset_passcode("no-such-device")
        with pytest.raises(ip.InvalidArgumentError):
            await c.reset_passcode("")
        rs = await asyncio.gather(*(c.reset_passcode(d) for d in emu.resettable()[510:560]))
        assert all(r.status == 204 for r in rs)

    asyncio.run(main())


def test_async_bulk(fresh_emu: Any) -> None:
    async def main() -> int:
        c = AsyncClient(token=fresh_emu.token, base_url=fresh_emu.graph_url)
        n = 0
        async for item in c.reset_passcodes(fresh_emu.resettable()[:1000], concurrency=32, pace=None):
            assert item.ok
            n += 1
        return n

    assert asyncio.run(main()) == 1000
    assert fresh_emu.stats()["devices_reset_more_than_once"] == 0


def test_async_credential_is_awaited_once_per_expiry(emu: Any) -> None:
    class AsyncCred:
        calls = 0

        async def get_token(self, *scopes: str) -> Any:
            AsyncCred.calls += 1
            await asyncio.sleep(0.01)
            return type("T", (), {"token": emu.token, "expires_on": time.time() + 3600})()

    async def main() -> None:
        c = AsyncClient(credential=AsyncCred(), base_url=emu.graph_url)
        await asyncio.gather(*(c.reset_passcode(d) for d in emu.resettable()[600:620]))

    asyncio.run(main())
    assert AsyncCred.calls == 1

    class Failing:
        async def get_token(self, *scopes: str) -> Any:
            raise PermissionError("no vault access")

    async def failing() -> None:
        c = AsyncClient(credential=Failing(), base_url=emu.graph_url)
        await c.reset_passcode("d")

    with pytest.raises(ip.CredentialError) as info:
        asyncio.run(failing())
    assert isinstance(info.value.__cause__, PermissionError)
