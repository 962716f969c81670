//! `ipc_code`: the C return codes, one per core `ErrorKind` plus the C-only ones.

#![allow(non_camel_case_types)]

use std::ffi::{CStr, c_char, c_int};

use ipc_core::ErrorKind;

/// What a call returned. The numbers are stable: new codes are only ever added at the end.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ipc_code {
    /// Success.
    IPC_OK = 0,
    /// Bad input or options (including a string that is not UTF-8); nothing was sent.
    IPC_INVALID_ARGUMENT = 1,
    /// A required pointer was NULL; nothing was sent.
    IPC_NULL_PARAMETER = 2,
    /// Graph answered 401.
    IPC_AUTHENTICATION = 3,
    /// Graph answered 403: the app lacks DeviceManagementManagedDevices.PrivilegedOperations.All.
    IPC_PERMISSION_DENIED = 4,
    /// Graph answered 404.
    IPC_NOT_FOUND = 5,
    /// Graph answered 400 with Intune's envelope: the platform does not support the action.
    IPC_UNSUPPORTED_DEVICE = 6,
    /// Graph answered another 4xx.
    IPC_BAD_REQUEST = 7,
    /// Graph answered 429 and retries ran out (or the wait would pass the deadline). Not executed.
    IPC_THROTTLED = 8,
    /// Graph answered 503 (not executed) and retries ran out or would pass the deadline; every other 5xx is
    /// IPC_OUTCOME_UNKNOWN.
    IPC_SERVICE_UNAVAILABLE = 9,
    /// Sent, no verdict (any 5xx but 503, a lost connection, the deadline after sending): the passcode may or may
    /// not have been reset.
    IPC_OUTCOME_UNKNOWN = 10,
    /// DNS, connect or TLS failure: nothing was sent.
    IPC_NETWORK = 11,
    /// The deadline passed before the request was sent.
    IPC_TIMEOUT = 12,
    /// No token could be had.
    IPC_CREDENTIAL = 13,
    /// An internal fault was caught at the boundary; the library stays usable.
    IPC_PANIC = 14,
    /// Graph answered something this action never gives (a redirect); not followed.
    IPC_UNEXPECTED_RESPONSE = 15,
}

/// Every code, for name lookups.
const ALL: [ipc_code; 16] = [
    ipc_code::IPC_OK,
    ipc_code::IPC_INVALID_ARGUMENT,
    ipc_code::IPC_NULL_PARAMETER,
    ipc_code::IPC_AUTHENTICATION,
    ipc_code::IPC_PERMISSION_DENIED,
    ipc_code::IPC_NOT_FOUND,
    ipc_code::IPC_UNSUPPORTED_DEVICE,
    ipc_code::IPC_BAD_REQUEST,
    ipc_code::IPC_THROTTLED,
    ipc_code::IPC_SERVICE_UNAVAILABLE,
    ipc_code::IPC_OUTCOME_UNKNOWN,
    ipc_code::IPC_NETWORK,
    ipc_code::IPC_TIMEOUT,
    ipc_code::IPC_CREDENTIAL,
    ipc_code::IPC_PANIC,
    ipc_code::IPC_UNEXPECTED_RESPONSE,
];

/// The C code of a core error kind. No `_` arm: a new kind fails to compile until mapped here.
pub fn from_kind(kind: ErrorKind) -> ipc_code {
    match kind {
        ErrorKind::InvalidArgument => ipc_code::IPC_INVALID_ARGUMENT,
        ErrorKind::Authentication => ipc_code::IPC_AUTHENTICATION,
        ErrorKind::PermissionDenied => ipc_code::IPC_PERMISSION_DENIED,
        ErrorKind::NotFound => ipc_code::IPC_NOT_FOUND,
        ErrorKind::UnsupportedDevice => ipc_code::IPC_UNSUPPORTED_DEVICE,
        ErrorKind::BadRequest => ipc_code::IPC_BAD_REQUEST,
        ErrorKind::Throttled => ipc_code::IPC_THROTTLED,
        ErrorKind::ServiceUnavailable => ipc_code::IPC_SERVICE_UNAVAILABLE,
        ErrorKind::OutcomeUnknown => ipc_code::IPC_OUTCOME_UNKNOWN,
        ErrorKind::Network => ipc_code::IPC_NETWORK,
        ErrorKind::Timeout => ipc_code::IPC_TIMEOUT,
        ErrorKind::Credential => ipc_code::IPC_CREDENTIAL,
        ErrorKind::UnexpectedResponse => ipc_code::IPC_UNEXPECTED_RESPONSE,
    }
}

/// The NUL-terminated name of a code: the core's `code()` for kinds, and the C-only names.
fn name(code: ipc_code) -> &'static CStr {
    match code {
        ipc_code::IPC_OK => c"OK",
        ipc_code::IPC_NULL_PARAMETER => c"NULL_PARAMETER",
        ipc_code::IPC_PANIC => c"PANIC",
        ipc_code::IPC_INVALID_ARGUMENT => c"INVALID_ARGUMENT",
        ipc_code::IPC_AUTHENTICATION => c"AUTHENTICATION",
        ipc_code::IPC_PERMISSION_DENIED => c"PERMISSION_DENIED",
        ipc_code::IPC_NOT_FOUND => c"NOT_FOUND",
        ipc_code::IPC_UNSUPPORTED_DEVICE => c"UNSUPPORTED_DEVICE",
        ipc_code::IPC_BAD_REQUEST => c"BAD_REQUEST",
        ipc_code::IPC_THROTTLED => c"THROTTLED",
        ipc_code::IPC_SERVICE_UNAVAILABLE => c"SERVICE_UNAVAILABLE",
        ipc_code::IPC_OUTCOME_UNKNOWN => c"OUTCOME_UNKNOWN",
        ipc_code::IPC_NETWORK => c"NETWORK",
        ipc_code::IPC_TIMEOUT => c"TIMEOUT",
        ipc_code::IPC_CREDENTIAL => c"CREDENTIAL",
        ipc_code::IPC_UNEXPECTED_RESPONSE => c"UNEXPECTED_RESPONSE",
    }
}

/// Declared in the header as `const char *ipc_code_name(ipc_code code)`: taken as an int here so that a value
/// outside the enum is a plain "UNKNOWN", never undefined behaviour.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_code_name(code: c_int) -> *const c_char {
    let found = ALL.iter().find(|c| **c as c_int == code).copied();
    match found {
        Some(c) => name(c).as_ptr().cast(),
        None => c"UNKNOWN".as_ptr().cast(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_core_codes() {
        for kind in ErrorKind::ALL {
            let c = from_kind(kind);
            assert_eq!(name(c).to_bytes(), kind.code().as_bytes());
        }
        for (i, c) in ALL.iter().enumerate() {
            assert_eq!(*c as usize, i, "numbers are dense and stable");
        }
    }
}
