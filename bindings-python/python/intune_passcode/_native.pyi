"""Type stubs of the native module (checked against it by mypy's stubtest in `make test`)."""

from datetime import datetime
from os import PathLike
from typing import Any, AsyncIterator, Dict, Iterable, Iterator, List, Optional, Protocol, Tuple, Union, final

__all__ = [
    "__version__",
    "AsyncBulkIterator",
    "AsyncClient",
    "BulkItem",
    "BulkIterator",
    "Client",
    "Confirmation",
    "Journal",
    "Passcode",
    "Receipt",
    "ResetAction",
    "reset_logging",
    "run_cli",
    "run_emulator",
    "EmulatorServer",
    "FAULT_NAMES",
    "_quiesce",
]

__version__: str

class _AccessToken(Protocol):
    @property
    def token(self) -> str: ...
    @property
    def expires_on(self) -> Union[int, float]: ...

class _Credential(Protocol):
    def get_token(self, *scopes: str) -> Any: ...

_Pace = Union[str, Tuple[int, float], None]
_When = Union[datetime, float]

@final
class Passcode:
    """A new passcode: `str()` and `repr()` print `***`; `reveal()` returns it."""

    def reveal(self) -> str: ...

@final
class ResetAction:
    """The device's record of one resetPasscode action (deviceActionResults)."""

    @property
    def state(self) -> str: ...
    @property
    def is_final(self) -> bool: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def updated_at(self) -> Optional[datetime]: ...
    @property
    def error_code(self) -> Optional[int]: ...
    @property
    def passcode(self) -> Optional[Passcode]: ...

@final
class Confirmation:
    """What confirm_reset found: accepted (with `action`), or not seen (`latest`: an older record); truthy when accepted."""

    @property
    def accepted(self) -> bool: ...
    @property
    def action(self) -> Optional[ResetAction]: ...
    @property
    def latest(self) -> Optional[ResetAction]: ...
    def __bool__(self) -> bool: ...

@final
class Receipt:
    """Proof that Graph accepted a reset, with the identifiers support asks for."""

    @property
    def status(self) -> int: ...
    @property
    def request_id(self) -> Optional[str]: ...
    @property
    def client_request_id(self) -> str: ...
    @property
    def date(self) -> Optional[str]: ...
    @property
    def ags_diagnostic(self) -> Optional[str]: ...
    @property
    def attempts(self) -> int: ...
    @property
    def waited(self) -> float: ...
    @property
    def sent_at(self) -> datetime: ...
    @property
    def confirmed_by(self) -> str: ...
    @property
    def action(self) -> Optional[ResetAction]: ...

@final
class BulkItem:
    """One outcome of a bulk run."""

    @property
    def device_id(self) -> Any: ...
    @property
    def receipt(self) -> Optional[Receipt]: ...
    @property
    def error(self) -> Optional[Exception]: ...
    @property
    def ok(self) -> bool: ...
    @property
    def from_journal(self) -> bool: ...
    @property
    def held_by(self) -> Optional[str]: ...

@final
class Journal:
    """A job's journal read back: summary() and one dict per device (no lock taken, nothing written)."""

    def __new__(cls, path: Union[str, PathLike[str]]) -> Journal: ...
    @property
    def job_id(self) -> str: ...
    @property
    def graph_base(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    def summary(self) -> Dict[str, int]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Dict[str, Any]]: ...

@final
class BulkIterator(Iterator[BulkItem]):
    def __iter__(self) -> BulkIterator: ...
    def __next__(self) -> BulkItem: ...

@final
class AsyncBulkIterator(AsyncIterator[BulkItem]):
    def __aiter__(self) -> AsyncBulkIterator: ...
    def __anext__(self) -> Any: ...

@final
class Client:
    """A Graph client: one credential, blocking calls that release the GIL."""

    def __new__(
        cls,
        token: Optional[str] = None,
        *,
        tenant_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        credential: Optional[_Credential] = None,
        base_url: Optional[str] = None,
        authority_url: Optional[str] = None,
        cloud: Optional[str] = None,
        api_version: Optional[str] = None,
        timeout: float = 100.0,
        max_retries: int = 3,
        ca_cert: Optional[str] = None,
        proxy: Optional[str] = None,
        certificate_path: Optional[str] = None,
        certificate_password: Optional[str] = None,
        send_certificate_chain: bool = False,
        managed_identity: Union[bool, str, None] = None,
        workload_identity: bool = False,
        from_environment: bool = False,
    ) -> Client: ...
    @classmethod
    def from_environment(cls, **options: Any) -> Client: ...
    def reset_passcode(
        self, device_id: str, *, user_id: Optional[str] = None, detected_app_id: Optional[str] = None
    ) -> Receipt: ...
    def reset_passcodes(
        self,
        device_ids: Iterable[str],
        *,
        user_id: Optional[str] = None,
        detected_app_id: Optional[str] = None,
        concurrency: int = 16,
        pace: _Pace = "intune",
        verify_unknown: Optional[float] = 60.0,
        journal: Union[str, PathLike[str], None] = None,
        retry_failed: bool = False,
        resend_unconfirmed: bool = False,
        recent: Optional[float] = 604800.0,
    ) -> BulkIterator: ...
    def reset_status(
        self, device_id: str, *, user_id: Optional[str] = None, detected_app_id: Optional[str] = None
    ) -> Optional[ResetAction]: ...
    def confirm_reset(
        self,
        device_id: str,
        sent_at: _When,
        *,
        within: float = 60.0,
        user_id: Optional[str] = None,
        detected_app_id: Optional[str] = None,
        seen_before: Optional[_When] = None,
    ) -> Confirmation: ...
    def wait_for_reset(
        self,
        device_id: str,
        sent_at: _When,
        *,
        timeout: float = 300.0,
        user_id: Optional[str] = None,
        detected_app_id: Optional[str] = None,
    ) -> ResetAction: ...

@final
class AsyncClient:
    """The async Graph client: the same options as Client; credential.get_token may be async."""

    def __new__(
        cls,
        token: Optional[str] = None,
        *,
        tenant_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        credential: Optional[_Credential] = None,
        base_url: Optional[str] = None,
        authority_url: Optional[str] = None,
        cloud: Optional[str] = None,
        api_version: Optional[str] = None,
        timeout: float = 100.0,
        max_retries: int = 3,
        ca_cert: Optional[str] = None,
        proxy: Optional[str] = None,
        certificate_path: Optional[str] = None,
        certificate_password: Optional[str] = None,
        send_certificate_chain: bool = False,
        managed_identity: Union[bool, str, None] = None,
        workload_identity: bool = False,
        from_environment: bool = False,
    ) -> AsyncClient: ...
    @classmethod
    def from_environment(cls, **options: Any) -> AsyncClient: ...
    async def reset_passcode(
        self, device_id: str, *, user_id: Optional[str] = None, detected_app_id: Optional[str] = None
    ) -> Receipt: ...
    def reset_passcodes(
        self,
        device_ids: Iterable[str],
        *,
        user_id: Optional[str] = None,
        detected_app_id: Optional[str] = None,
        concurrency: int = 16,
        pace: _Pace = "intune",
        verify_unknown: Optional[float] = 60.0,
        journal: Union[str, PathLike[str], None] = None,
        retry_failed: bool = False,
        resend_unconfirmed: bool = False,
        recent: Optional[float] = 604800.0,
    ) -> AsyncBulkIterator: ...
    async def reset_status(
        self, device_id: str, *, user_id: Optional[str] = None, detected_app_id: Optional[str] = None
    ) -> Optional[ResetAction]: ...
    async def confirm_reset(
        self,
        device_id: str,
        sent_at: _When,
        *,
        within: float = 60.0,
        user_id: Optional[str] = None,
        detected_app_id: Optional[str] = None,
        seen_before: Optional[_When] = None,
    ) -> Confirmation: ...
    async def wait_for_reset(
        self,
        device_id: str,
        sent_at: _When,
        *,
        timeout: float = 300.0,
        user_id: Optional[str] = None,
        detected_app_id: Optional[str] = None,
    ) -> ResetAction: ...
    async def __aenter__(self) -> AsyncClient: ...
    async def __aexit__(self, *_args: Any) -> bool: ...

def reset_logging() -> None:
    """Start forwarding the core's log records to `logging`, and forget cached logger levels.

    Records reach `logging` (loggers `intune_passcode.*`; never a token) once `logging` has been imported when a
    client is made. Call this after changing the `logging` configuration, or when `logging` was first imported after
    the client was made."""

def _quiesce() -> None:
    """Registered with `atexit` by the package: stop new calls into Python from the library's threads and let those
    in progress finish (without the GIL, up to 2 s)."""

def run_cli(argv: List[str]) -> int:
    """The `intune-passcode` command line with `argv` (program name first): its exit code."""
    ...


def run_emulator(argv: List[str]) -> int:
    """The `graph-emulator` command line with `argv` (program name first), until Ctrl-C or SIGTERM: its exit code."""
    ...

FAULT_NAMES: List[str]

@final
class EmulatorServer:
    """A Graph emulator on threads of its own (used by `intune_passcode.testing.Emulator`)."""

    def __new__(
        cls,
        *,
        devices: Optional[int] = None,
        seed: Optional[int] = None,
        throttle: Union[str, Tuple[int, float], None] = None,
        faults: Optional[Dict[Any, float]] = None,
        action_lag: Optional[float] = None,
        action_lag_random: bool = False,
        action_done_after: Optional[float] = None,
        tenant: Union[str, PathLike[str], None] = None,
        tls: bool = False,
        token_lifetime: Optional[float] = None,
    ) -> EmulatorServer: ...
    def ready_json(self) -> str: ...
    def devices_json(self, platform: Optional[str] = None) -> str: ...
    def reset_count(self, device_id: str) -> int: ...
    def resets_json(self) -> str: ...
    def reset_twice_report(self) -> Optional[str]: ...
    def requests_json(self, device_id: str) -> str: ...
    def stats_json(self) -> str: ...
    def script_json(self, device_id: str, responses: str) -> None: ...
    def set_offline(self, device_id: str, offline: bool) -> bool: ...
    def env(self) -> List[Tuple[str, str]]: ...
    @property
    def running(self) -> bool: ...
    def stop(self) -> None: ...
