//! Reading a reset back: ipc_reset_status, ipc_confirm_reset and ipc_wait_for_reset. They only read the device
//! (DeviceManagementManagedDevices.Read.All); none sends a reset.

use std::ffi::c_char;

use ipc_core::{Confirmation, Target};

use crate::action::ipc_action;
use crate::boundary::{fail, guard, opt_text, put, required, text};
use crate::client::{ipc_client, not_inside_runtime, runtime};
use crate::code::ipc_code;
use crate::error::ipc_error;

fn target(
    device_id: *const c_char,
    user_id: *const c_char,
    detected_app_id: *const c_char,
) -> Result<Target, ipc_error> {
    Target::new(
        text(device_id, "device_id")?,
        opt_text(user_id, "user_id")?,
        opt_text(detected_app_id, "detected_app_id")?,
    )
    .map_err(|e| ipc_error::from(&e))
}

fn out_ok<T>(out: *mut *mut T, name: &str) -> Result<(), ipc_error> {
    if out.is_null() {
        return Err(fail(
            ipc_code::IPC_NULL_PARAMETER,
            format!("{name} is NULL"),
        ));
    }
    // SAFETY: checked non-NULL; the caller passed a writable pointer. Cleared so that "none" reads as NULL.
    unsafe { *out = std::ptr::null_mut() };
    Ok(())
}

/// The device's latest `resetPasscode` record. On IPC_OK `*action_out` is yours to free, or NULL when the device
/// has none. Needs DeviceManagementManagedDevices.Read.All (IPC_PERMISSION_DENIED otherwise, which says nothing
/// about any reset).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_reset_status(
    client: *const ipc_client,
    device_id: *const c_char,
    user_id: *const c_char,
    detected_app_id: *const c_char,
    action_out: *mut *mut ipc_action,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    guard(error_out, || {
        let c = required(client, "client")?;
        out_ok(action_out, "action_out")?;
        let target = target(device_id, user_id, detected_app_id)?;
        not_inside_runtime()?;
        let found = runtime()?
            .block_on(c.inner.reset_status(&target))
            .map_err(|e| ipc_error::from(&e))?;
        if let Some(a) = found {
            put(action_out, ipc_action::from(a));
        }
        Ok(())
    })
}

/// Settle a reset whose answer was lost (IPC_OUTCOME_UNKNOWN): look for its record for up to `within_ms`.
/// `sent_at_ms` is ipc_error_sent_at_ms (or ipc_receipt_sent_at_ms). On IPC_OK `*accepted_out` is 1 when the
/// device records a reset started after it (never send it again; `*action_out` is that record) and 0 when none was
/// seen, which proves nothing (`*action_out` is then the latest, older record, or NULL). Never resends.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ipc_confirm_reset(
    client: *const ipc_client,
    device_id: *const c_char,
    user_id: *const c_char,
    detected_app_id: *const c_char,
    sent_at_ms: i64,
    within_ms: u64,
    accepted_out: *mut i32,
    action_out: *mut *mut ipc_action,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    ipc_confirm_reset_newer_than(
        client,
        device_id,
        user_id,
        detected_app_id,
        sent_at_ms,
        within_ms,
        0,
        accepted_out,
        action_out,
        error_out,
    )
}

/// ipc_confirm_reset, where the device's latest record was read before the request left: `seen_before_ms` is that
/// record's start (ipc_action_started_at_ms), and only a newer record can confirm the request; 0 when none was read.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ipc_confirm_reset_newer_than(
    client: *const ipc_client,
    device_id: *const c_char,
    user_id: *const c_char,
    detected_app_id: *const c_char,
    sent_at_ms: i64,
    within_ms: u64,
    seen_before_ms: i64,
    accepted_out: *mut i32,
    action_out: *mut *mut ipc_action,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    guard(error_out, || {
        let c = required(client, "client")?;
        if accepted_out.is_null() {
            return Err(fail(ipc_code::IPC_NULL_PARAMETER, "accepted_out is NULL"));
        }
        out_ok(action_out, "action_out")?;
        let target = target(device_id, user_id, detected_app_id)?;
        let sent_at = ipc_core::time_from_epoch_millis("sent_at_ms", sent_at_ms as f64)
            .map_err(|e| ipc_error::from(&e))?;
        let within = ipc_core::duration_from_millis("within_ms", within_ms as f64)
            .map_err(|e| ipc_error::from(&e))?;
        let seen_before = (seen_before_ms != 0)
            .then(|| ipc_core::time_from_epoch_millis("seen_before_ms", seen_before_ms as f64))
            .transpose()
            .map_err(|e| ipc_error::from(&e))?;
        not_inside_runtime()?;
        let found = runtime()?
            .block_on(
                c.inner
                    .confirm_reset_newer_than(&target, sent_at, within, seen_before),
            )
            .map_err(|e| ipc_error::from(&e))?;
        let (accepted, action) = match found {
            Confirmation::Accepted(a) => (1, Some(a)),
            Confirmation::NotSeen { latest } => (0, latest),
        };
        // SAFETY: checked non-NULL above.
        unsafe { *accepted_out = accepted };
        if let Some(a) = action {
            put(action_out, ipc_action::from(a));
        }
        Ok(())
    })
}

/// Wait until the reset sent at `sent_at_ms` reaches a final state, for at most `timeout_ms`; on IPC_OK
/// `*action_out` (yours to free) is its record, with the passcode on Android. A device that stays pending ends in
/// IPC_TIMEOUT.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ipc_wait_for_reset(
    client: *const ipc_client,
    device_id: *const c_char,
    user_id: *const c_char,
    detected_app_id: *const c_char,
    sent_at_ms: i64,
    timeout_ms: u64,
    action_out: *mut *mut ipc_action,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    guard(error_out, || {
        let c = required(client, "client")?;
        out_ok(action_out, "action_out")?;
        let target = target(device_id, user_id, detected_app_id)?;
        let sent_at = ipc_core::time_from_epoch_millis("sent_at_ms", sent_at_ms as f64)
            .map_err(|e| ipc_error::from(&e))?;
        let timeout = ipc_core::duration_from_millis("timeout_ms", timeout_ms as f64)
            .map_err(|e| ipc_error::from(&e))?;
        not_inside_runtime()?;
        let a = runtime()?
            .block_on(c.inner.wait_for_reset(&target, sent_at, timeout))
            .map_err(|e| ipc_error::from(&e))?;
        put(action_out, ipc_action::from(a));
        Ok(())
    })
}
