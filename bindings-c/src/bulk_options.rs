//! `ipc_bulk_options`: how a bulk run behaves, set one by one, for ipc_reset_passcodes_with (so that new options
//! do not grow the argument list again).

#![allow(non_camel_case_types)]

use ipc_core::{BulkOptions, Pace};

use std::ffi::c_char;

use crate::boundary::{fail, guard, opt_text, text};
use crate::code::ipc_code;

/// Bulk settings. Make with ipc_bulk_options_new, free with ipc_bulk_options_free.
pub struct ipc_bulk_options {
    pub(crate) inner: BulkOptions,
}

fn set(
    options: *mut ipc_bulk_options,
    f: impl FnOnce(&mut BulkOptions) -> Result<(), crate::error::ipc_error>,
) -> ipc_code {
    guard(std::ptr::null_mut(), || {
        // SAFETY: a non-NULL pointer is a live ipc_bulk_options of ours, not shared across threads while set.
        let o = unsafe { options.as_mut() }
            .ok_or_else(|| fail(ipc_code::IPC_NULL_PARAMETER, "bulk_options is NULL"))?;
        f(&mut o.inner)
    })
}

/// New default bulk settings: concurrency 16, Intune's pace (200 writes per 20 s), unknown outcomes verified for
/// 60 s. NULL only if memory ran out.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_new() -> *mut ipc_bulk_options {
    std::panic::catch_unwind(|| {
        Box::into_raw(Box::new(ipc_bulk_options {
            inner: BulkOptions::default(),
        }))
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Calls in flight at once: 1 to 1024 (checked when the run starts).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_set_concurrency(
    options: *mut ipc_bulk_options,
    concurrency: u32,
) -> ipc_code {
    set(options, |o| {
        o.concurrency = concurrency as usize;
        Ok(())
    })
}

/// At most `writes` requests in any `window_ms`; 0 writes turns pacing off (a 429 still pauses every worker).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_set_pace(
    options: *mut ipc_bulk_options,
    writes: u32,
    window_ms: u64,
) -> ipc_code {
    set(options, |o| {
        o.pace = if writes == 0 {
            Pace::Off
        } else {
            Pace::limit(writes, window_ms as f64 / 1000.0)
                .map_err(|e| crate::error::ipc_error::from(&e))?
        };
        Ok(())
    })
}

/// Look for the device's record of a reset whose answer was lost for up to `ms` before reporting it (a confirmed one
/// is reported as IPC_OK with ipc_receipt_confirmed_by "action_result"); 0 reports IPC_OUTCOME_UNKNOWN as it is.
/// Never resends anything. At most a year (IPC_INVALID_ARGUMENT beyond).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_set_verify_unknown_ms(
    options: *mut ipc_bulk_options,
    ms: u64,
) -> ipc_code {
    set(options, |o| {
        // 0 is off, as in every language (the core's one rule; it also caps the wait at a year).
        o.verify_unknown =
            ipc_core::optional_duration_from_millis("verify_unknown_ms", Some(ms as f64))
                .map_err(|e| crate::error::ipc_error::from(&e))?;
        Ok(())
    })
}

/// Keep the run in the journal file at `path` (a new file starts a job; an existing one resumes it, settling what was
/// in flight from the devices' records and never resetting a device twice). NULL turns the journal off.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_set_journal(
    options: *mut ipc_bulk_options,
    path: *const c_char,
) -> ipc_code {
    set(options, |o| {
        o.journal = opt_text(path, "path")?.map(Into::into);
        Ok(())
    })
}

/// On resume, 1 sends again the devices whose recorded failure was permanent (default 0: reported from the journal).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_set_retry_failed(
    options: *mut ipc_bulk_options,
    yes: i32,
) -> ipc_code {
    set(options, |o| {
        o.retry_failed = yes != 0;
        Ok(())
    })
}

/// With a journal: a device that another job in the journal's folder reset (or sent, outcome unknown) within `ms`
/// milliseconds is not sent; it is reported with that job's outcome (ipc_receipt_held_by / ipc_error_held_by).
/// Default 7 days; 0 does not consult the other jobs (resets such devices again).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_set_recent_ms(
    options: *mut ipc_bulk_options,
    ms: u64,
) -> ipc_code {
    set(options, |o| {
        o.recent = (ms > 0).then(|| std::time::Duration::from_millis(ms));
        Ok(())
    })
}

/// On resume, 1 sends again the devices still unconfirmed: they may be reset twice (default 0).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_set_resend_unconfirmed(
    options: *mut ipc_bulk_options,
    yes: i32,
) -> ipc_code {
    set(options, |o| {
        o.resend_unconfirmed = yes != 0;
        Ok(())
    })
}

/// Devices of a journaled job by state (ipc_journal_summary).
#[repr(C)]
#[derive(Default)]
pub struct ipc_journal_counts {
    /// Every device in the job.
    pub total: usize,
    /// Nothing sent yet.
    pub planned: usize,
    /// In flight when the run stopped (settled at resume).
    pub sending: usize,
    /// Accepted.
    pub ok: usize,
    /// Definitely not run.
    pub failed: usize,
    /// Sent, not confirmed.
    pub unknown: usize,
}

/// Read the journal at `path` (no lock taken, nothing written) and count its devices by state into `*counts_out`.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_journal_summary(
    path: *const c_char,
    counts_out: *mut ipc_journal_counts,
    error_out: *mut *mut crate::error::ipc_error,
) -> ipc_code {
    guard(error_out, || {
        if counts_out.is_null() {
            return Err(fail(ipc_code::IPC_NULL_PARAMETER, "counts_out is NULL"));
        }
        let s = ipc_core::Journal::open(text(path, "path")?)
            .map_err(|e| crate::error::ipc_error::from(&e))?
            .summary();
        // SAFETY: checked non-NULL; the caller passed a writable ipc_journal_counts.
        unsafe {
            *counts_out = ipc_journal_counts {
                total: s.total,
                planned: s.planned,
                sending: s.sending,
                ok: s.ok,
                failed: s.failed,
                unknown: s.unknown,
            };
        }
        Ok(())
    })
}

/// Free bulk settings; NULL is fine.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_bulk_options_free(options: *mut ipc_bulk_options) {
    crate::boundary::free(options);
}
