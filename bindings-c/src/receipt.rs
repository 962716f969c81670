//! `ipc_receipt`: a successful reset, with C strings to borrow.

#![allow(non_camel_case_types)]

use std::ffi::{CString, c_char};
use std::ptr;

use crate::boundary::required;
use crate::error::c_string;

/// Proof that Graph accepted a reset.
pub struct ipc_receipt {
    status: u16,
    request_id: Option<CString>,
    client_request_id: CString,
    date: Option<CString>,
    ags_diagnostic: Option<CString>,
    attempts: u32,
    waited_ms: u64,
    sent_at_ms: i64,
    confirmed_by: &'static std::ffi::CStr,
    action: Option<Box<crate::action::ipc_action>>,
    from_journal: bool,
    held_by: Option<CString>,
}

impl From<ipc_core::Receipt> for ipc_receipt {
    fn from(r: ipc_core::Receipt) -> Self {
        ipc_receipt {
            status: r.status,
            request_id: r.request_id.as_deref().map(c_string),
            client_request_id: c_string(&r.client_request_id),
            date: r.date.as_deref().map(c_string),
            ags_diagnostic: r.ags_diagnostic.as_deref().map(c_string),
            attempts: r.attempts,
            waited_ms: r.waited.as_millis().min(u64::MAX as u128) as u64,
            sent_at_ms: crate::action::epoch_ms(r.sent_at),
            confirmed_by: match r.confirmed_by {
                ipc_core::ConfirmedBy::Response => c"response",
                ipc_core::ConfirmedBy::ActionResult => c"action_result",
            },
            action: r.action.map(|a| Box::new(a.into())),
            from_journal: r.from_journal,
            held_by: r.held_by.as_deref().map(c_string),
        }
    }
}

/// The HTTP status (204 expected); 0 for a NULL receipt.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_status(receipt: *const ipc_receipt) -> u16 {
    required(receipt, "receipt").map_or(0, |r| r.status)
}

/// Graph's `request-id`; NULL when Graph sent none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_request_id(receipt: *const ipc_receipt) -> *const c_char {
    required(receipt, "receipt").map_or(ptr::null(), |r| {
        r.request_id.as_ref().map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// The `client-request-id` sent (the same on every attempt); never NULL for a receipt.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_client_request_id(receipt: *const ipc_receipt) -> *const c_char {
    required(receipt, "receipt").map_or(ptr::null(), |r| r.client_request_id.as_ptr())
}

/// Graph's `Date` header; NULL when none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_date(receipt: *const ipc_receipt) -> *const c_char {
    required(receipt, "receipt").map_or(ptr::null(), |r| {
        r.date.as_ref().map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// Graph's `x-ms-ags-diagnostic` header (JSON naming the serving data centre; support asks for it); NULL when none.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_ags_diagnostic(receipt: *const ipc_receipt) -> *const c_char {
    required(receipt, "receipt").map_or(ptr::null(), |r| {
        r.ags_diagnostic
            .as_ref()
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// HTTP attempts made, the successful one included.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_attempts(receipt: *const ipc_receipt) -> u32 {
    required(receipt, "receipt").map_or(0, |r| r.attempts)
}

/// Milliseconds spent waiting between attempts.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_waited_ms(receipt: *const ipc_receipt) -> u64 {
    required(receipt, "receipt").map_or(0, |r| r.waited_ms)
}

/// When the request left, in milliseconds since 1970 (UTC): what ipc_confirm_reset and ipc_wait_for_reset take.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_sent_at_ms(receipt: *const ipc_receipt) -> i64 {
    required(receipt, "receipt").map_or(0, |r| r.sent_at_ms)
}

/// "response" (Graph answered 2xx) or "action_result" (the answer was lost; the device's record shows the reset).
/// Static; "" for a NULL receipt.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_confirmed_by(receipt: *const ipc_receipt) -> *const c_char {
    required(receipt, "receipt").map_or(c"".as_ptr(), |r| r.confirmed_by.as_ptr())
}

/// The device's record, when the reset was confirmed from it; NULL otherwise. Borrowed until ipc_receipt_free.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_action(
    receipt: *const ipc_receipt,
) -> *const crate::action::ipc_action {
    required(receipt, "receipt").map_or(ptr::null(), |r| {
        r.action.as_deref().map_or(ptr::null(), |a| a as *const _)
    })
}

/// 1 when reported from the journal (an earlier run's outcome; nothing sent this time), else 0.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_from_journal(receipt: *const ipc_receipt) -> i32 {
    required(receipt, "receipt").map_or(0, |r| i32::from(r.from_journal))
}

/// The other job (its journal's name) whose reset this is, when another job of the journal's folder held the device;
/// NULL otherwise. Owned by the receipt.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_held_by(receipt: *const ipc_receipt) -> *const c_char {
    required(receipt, "receipt").map_or(ptr::null(), |r| {
        r.held_by.as_ref().map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// Free a receipt; NULL is fine.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_receipt_free(receipt: *mut ipc_receipt) {
    crate::boundary::free(receipt);
}
