//! `ipc_action`: the device's record of one reset (`deviceActionResults`), read back with ipc_reset_status,
//! ipc_confirm_reset or ipc_wait_for_reset. The passcode is revealed only by ipc_action_passcode_reveal.

#![allow(non_camel_case_types)]

use std::ffi::{CString, c_char};
use std::ptr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::boundary::required;
use crate::error::c_string;

/// One `resetPasscode` record.
pub struct ipc_action {
    state: CString,
    is_final: bool,
    started_at_ms: i64,
    updated_at_ms: i64,
    error_code: i32,
    passcode: Option<CString>,
}

/// Milliseconds since the epoch (negative before it).
pub(crate) fn epoch_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis().min(i64::MAX as u128) as i64,
        Err(e) => -(e.duration().as_millis().min(i64::MAX as u128) as i64),
    }
}

impl From<ipc_core::ResetAction> for ipc_action {
    fn from(a: ipc_core::ResetAction) -> Self {
        ipc_action {
            state: c_string(a.state.as_str()),
            is_final: a.state.is_final(),
            started_at_ms: epoch_ms(a.started_at),
            updated_at_ms: a.updated_at.map_or(0, epoch_ms),
            error_code: a.error_code.unwrap_or(0),
            passcode: a.passcode.map(|p| c_string(p.expose())),
        }
    }
}

/// `pending`, `done`, `failed`, `notSupported`, `canceled`, `active`, `none`, or a state Graph added later, as
/// Graph spelt it. "" for a NULL action.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_action_state(action: *const ipc_action) -> *const c_char {
    required(action, "action").map_or(c"".as_ptr(), |a| a.state.as_ptr())
}

/// 1 for a state the action does not leave (`done`, `failed`, `notSupported`, `canceled`), else 0.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_action_is_final(action: *const ipc_action) -> i32 {
    required(action, "action").map_or(0, |a| i32::from(a.is_final))
}

/// When Graph accepted the action, in milliseconds since 1970 (UTC).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_action_started_at_ms(action: *const ipc_action) -> i64 {
    required(action, "action").map_or(0, |a| a.started_at_ms)
}

/// When its state last changed, in milliseconds since 1970; 0 when Graph did not say.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_action_updated_at_ms(action: *const ipc_action) -> i64 {
    required(action, "action").map_or(0, |a| a.updated_at_ms)
}

/// Graph's `errorCode` (0 when none).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_action_error_code(action: *const ipc_action) -> i32 {
    required(action, "action").map_or(0, |a| a.error_code)
}

/// The new passcode (Android Enterprise, AOSP, once done); NULL on iOS/iPadOS and while pending. Show it only to
/// the person who must type it; borrowed until ipc_action_free.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_action_passcode_reveal(action: *const ipc_action) -> *const c_char {
    required(action, "action").map_or(ptr::null(), |a| {
        a.passcode.as_ref().map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// Free an action; NULL is fine.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_action_free(action: *mut ipc_action) {
    crate::boundary::free(action);
}
