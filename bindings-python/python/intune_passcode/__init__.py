"""Reset Intune managed-device passcodes through Microsoft Graph.

>>> from intune_passcode import Client
>>> client = Client(token="...")
>>> receipt = client.reset_passcode("device-id")

The work is done by a Rust core (``intune_passcode._native``); this package adds the exception classes.
"""

import atexit as _atexit

from ._native import (
    AsyncBulkIterator,
    AsyncClient,
    BulkItem,
    BulkIterator,
    Client,
    Confirmation,
    Journal,
    Passcode,
    Receipt,
    ResetAction,
    __version__,
    reset_logging,
)
from ._native import _quiesce
from .errors import (
    AuthenticationError,
    BadRequestError,
    CredentialError,
    IntunePasscodeError,
    InvalidArgumentError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ServiceUnavailableError,
    ThrottledError,
    TimeoutError,
    UnexpectedResponseError,
    UnsupportedDeviceError,
)

__all__ = [
    "AsyncBulkIterator",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BulkItem",
    "BulkIterator",
    "Client",
    "Confirmation",
    "CredentialError",
    "IntunePasscodeError",
    "InvalidArgumentError",
    "Journal",
    "NetworkError",
    "NotFoundError",
    "OutcomeUnknownError",
    "Passcode",
    "PermissionDeniedError",
    "Receipt",
    "ResetAction",
    "reset_logging",
    "ServiceUnavailableError",
    "ThrottledError",
    "TimeoutError",
    "UnexpectedResponseError",
    "UnsupportedDeviceError",
    "__version__",
]

# At exit, calls into Python from the library's threads stop, and those in progress finish before the interpreter
# tears down (a thread caught waiting for the GIL then would crash the process; see src/foreign.rs).
_atexit.register(_quiesce)
