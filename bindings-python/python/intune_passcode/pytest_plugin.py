"""The pytest plugin of intune-passcode (registered through the ``pytest11`` entry point): two fixtures.

- ``intune_emulator``: a fresh emulated tenant for one test (200 devices, no throttling, no faults).
- ``intune_emulator_factory``: ``intune_emulator_factory(devices=50, faults={"504": 1})`` starts one with settings;
  every one it started is stopped after the test.

Nothing is imported or started until a test asks for one of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, List

import pytest

if TYPE_CHECKING:
    from .testing import Emulator


@pytest.fixture
def intune_emulator_factory() -> "Iterator[Callable[..., Emulator]]":
    """Start emulators with settings (those of :class:`intune_passcode.testing.Emulator`); stopped after the test."""
    from .testing import Emulator

    started: "List[Emulator]" = []

    def start(**settings: Any) -> "Emulator":
        emu = Emulator(**settings)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture
def intune_emulator(intune_emulator_factory: "Callable[..., Emulator]") -> "Emulator":
    """A fresh emulated tenant for this test: 200 devices, no throttling, no faults."""
    return intune_emulator_factory()
