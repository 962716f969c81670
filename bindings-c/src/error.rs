//! `ipc_error`: everything known about a failure, with C strings to borrow.

#![allow(non_camel_case_types)]

use std::ffi::{CString, c_char};
use std::ptr;

use crate::boundary::required;
use crate::code::{from_kind, ipc_code};

/// An error: a code, a printable message and, where Graph answered, its identifiers.
pub struct ipc_error {
    pub(crate) code: ipc_code,
    status: u16,
    message: CString,
    graph_code: Option<CString>,
    request_id: Option<CString>,
    client_request_id: Option<CString>,
    date: Option<CString>,
    retry_after_ms: u64,
    attempts: u32,
    sent_at_ms: i64,
    from_journal: bool,
    details: Option<Box<Details>>,
}

/// What not every error has (boxed, so that the error stays small): Graph's message, the identifiers of Intune's
/// error envelope, and the other job whose journal held the device.
struct Details {
    activity_id: Option<CString>,
    operation_id: Option<CString>,
    held_by: Option<CString>,
    graph_message: Option<CString>,
}

/// A C string of `s` with any NUL removed (so it is always printable whole).
pub(crate) fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

fn opt(s: Option<&str>) -> Option<CString> {
    s.map(c_string)
}

fn borrow(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |c| c.as_ptr())
}

impl ipc_error {
    /// An error found on this side of the boundary.
    pub(crate) fn local(code: ipc_code, message: String) -> Self {
        let name = crate::code::ipc_code_name(code as i32);
        // SAFETY: ipc_code_name returns a static NUL-terminated string.
        let name = unsafe { std::ffi::CStr::from_ptr(name) }.to_string_lossy();
        ipc_error {
            code,
            status: 0,
            message: c_string(&format!("{name}: {message}")),
            graph_code: None,
            request_id: None,
            client_request_id: None,
            date: None,
            retry_after_ms: 0,
            attempts: 0,
            sent_at_ms: 0,
            from_journal: false,
            details: None,
        }
    }
}

impl ipc_error {
    /// Back into a core error of the same meaning (for a bad bulk entry, reported as that entry's outcome).
    pub(crate) fn into_core(self) -> ipc_core::Error {
        let text = self.message.to_string_lossy();
        let detail = text.split_once(": ").map_or(&*text, |(_, rest)| rest);
        ipc_core::Error::invalid(detail.to_string())
    }
}

impl From<&ipc_core::Error> for ipc_error {
    fn from(e: &ipc_core::Error) -> Self {
        ipc_error {
            code: from_kind(e.kind()),
            status: e.status().unwrap_or(0),
            message: c_string(&e.to_string()),
            graph_code: opt(e.graph_code()),
            request_id: opt(e.request_id()),
            client_request_id: opt(e.client_request_id()),
            date: opt(e.date()),
            retry_after_ms: e
                .retry_after()
                .map_or(0, |d| d.as_millis().min(u64::MAX as u128) as u64),
            attempts: e.attempts(),
            sent_at_ms: e.sent_at().map_or(0, crate::action::epoch_ms),
            from_journal: e.from_journal(),
            details: (e.intune().is_some() || e.held_by().is_some() || e.graph_message().is_some())
                .then(|| {
                    let i = e.intune();
                    Box::new(Details {
                        activity_id: opt(i.and_then(|i| i.activity_id.as_deref())),
                        operation_id: opt(i.and_then(|i| i.operation_id.as_deref())),
                        held_by: opt(e.held_by()),
                        graph_message: opt(e.graph_message()),
                    })
                }),
        }
    }
}

/// The error's code (IPC_NULL_PARAMETER for a NULL error).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_code(error: *const ipc_error) -> ipc_code {
    required(error, "error").map_or(ipc_code::IPC_NULL_PARAMETER, |e| e.code)
}

/// The HTTP status Graph answered; 0 when no answer came (or for a NULL error).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_status(error: *const ipc_error) -> u16 {
    required(error, "error").map_or(0, |e| e.status)
}

/// A printable message: code, status, Graph's message, request-id. Never NULL ("" for a NULL error).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_message(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(c"".as_ptr(), |e| e.message.as_ptr())
}

/// Graph's `error.code` (e.g. "ResourceNotFound"); NULL when none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_graph_code(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(ptr::null(), |e| borrow(&e.graph_code))
}

/// Graph's `error.message` as Graph wrote it (Intune's envelope whole, when it sent one); NULL when none.
/// ipc_error_message is the printable summary that includes it.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_graph_message(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(ptr::null(), |e| {
        e.details
            .as_ref()
            .map_or(ptr::null(), |i| borrow(&i.graph_message))
    })
}

/// Graph's `request-id`; NULL when none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_request_id(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(ptr::null(), |e| borrow(&e.request_id))
}

/// The `client-request-id` the call sent; NULL when nothing was attempted.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_client_request_id(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(ptr::null(), |e| borrow(&e.client_request_id))
}

/// Graph's `Date` header; NULL when none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_date(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(ptr::null(), |e| borrow(&e.date))
}

/// Milliseconds Graph asked to wait (IPC_THROTTLED, IPC_SERVICE_UNAVAILABLE); 0 when none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_retry_after_ms(error: *const ipc_error) -> u64 {
    required(error, "error").map_or(0, |e| e.retry_after_ms)
}

/// HTTP attempts made.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_attempts(error: *const ipc_error) -> u32 {
    required(error, "error").map_or(0, |e| e.attempts)
}

/// When the request left, in milliseconds since 1970 (UTC), where one was sent (0 when none was): give it to
/// ipc_confirm_reset to settle an IPC_OUTCOME_UNKNOWN.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_sent_at_ms(error: *const ipc_error) -> i64 {
    required(error, "error").map_or(0, |e| e.sent_at_ms)
}

/// 1 when reported from the journal (an earlier run's outcome; nothing sent this time), else 0.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_from_journal(error: *const ipc_error) -> i32 {
    required(error, "error").map_or(0, |e| i32::from(e.from_journal))
}

/// The other job (its journal's name) whose outcome this is, when another job of the journal's folder held the
/// device (nothing was sent); NULL otherwise. Owned by the error.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_held_by(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(ptr::null(), |e| {
        e.details
            .as_ref()
            .map_or(ptr::null(), |i| borrow(&i.held_by))
    })
}

/// The `Activity ID` of Intune's error envelope (Microsoft support asks for it); NULL when none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_intune_activity_id(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(ptr::null(), |e| {
        e.details
            .as_ref()
            .map_or(ptr::null(), |i| borrow(&i.activity_id))
    })
}

/// The `Operation ID` of Intune's error envelope; NULL when none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_intune_operation_id(error: *const ipc_error) -> *const c_char {
    required(error, "error").map_or(ptr::null(), |e| {
        e.details
            .as_ref()
            .map_or(ptr::null(), |i| borrow(&i.operation_id))
    })
}

/// Free an error; NULL is fine.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_error_free(error: *mut ipc_error) {
    crate::boundary::free(error);
}
