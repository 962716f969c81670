"""Reset Intune managed-device passcodes through Microsoft Graph.

>>> from intune_passcode import Client
>>> client = Client(token="...")
>>> receipt = client.reset_passcode("device-id")

The work is done by a Rust core (``intune_passcode._native``); this package adds the exception classes.
"""

from ._native import AsyncBulkIterator, AsyncClient, BulkItem, BulkIterator, Client, Receipt, __version__
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
    "CredentialError",
    "IntunePasscodeError",
    "InvalidArgumentError",
    "NetworkError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "Receipt",
    "ServiceUnavailableError",
    "ThrottledError",
    "TimeoutError",
    "UnexpectedResponseError",
    "UnsupportedDeviceError",
    "__version__",
]
