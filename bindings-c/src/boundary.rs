//! The one boundary every export goes through: panics caught, pointers and strings checked, errors handed out.

use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::code::ipc_code;
use crate::error::ipc_error;

/// A failure on the way in, before anything is sent.
pub fn fail(code: ipc_code, message: impl Into<String>) -> ipc_error {
    ipc_error::local(code, message.into())
}

/// Run an export's body: a panic becomes `IPC_PANIC`; an `Err` is handed to `error_out` (when not NULL).
pub fn guard(
    error_out: *mut *mut ipc_error,
    body: impl FnOnce() -> Result<(), ipc_error>,
) -> ipc_code {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        Err(fail(
            ipc_code::IPC_PANIC,
            "an internal fault was caught; the call did nothing more",
        ))
    });
    match outcome {
        Ok(()) => ipc_code::IPC_OK,
        Err(e) => {
            let code = e.code;
            if !error_out.is_null() {
                // SAFETY: the caller passed a writable `ipc_error **` (checked non-NULL above).
                unsafe { *error_out = Box::into_raw(Box::new(e)) };
            }
            code
        }
    }
}

/// A required pointer.
pub fn required<'a, T>(p: *const T, name: &str) -> Result<&'a T, ipc_error> {
    // SAFETY: non-NULL pointers handed to us point at live objects of ours (the header's ownership rules).
    unsafe { p.as_ref() }
        .ok_or_else(|| fail(ipc_code::IPC_NULL_PARAMETER, format!("{name} is NULL")))
}

/// A required NUL-terminated UTF-8 string.
pub fn text(p: *const c_char, name: &str) -> Result<String, ipc_error> {
    if p.is_null() {
        return Err(fail(
            ipc_code::IPC_NULL_PARAMETER,
            format!("{name} is NULL"),
        ));
    }
    // SAFETY: the caller promises a NUL-terminated string (the header's rules).
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map(str::to_string).map_err(|_| {
        fail(
            ipc_code::IPC_INVALID_ARGUMENT,
            format!("{name} is not valid UTF-8"),
        )
    })
}

/// An optional string: NULL is `None`.
pub fn opt_text(p: *const c_char, name: &str) -> Result<Option<String>, ipc_error> {
    if p.is_null() {
        Ok(None)
    } else {
        text(p, name).map(Some)
    }
}

/// Write an owned handle to a required `out` pointer.
pub fn put<T>(out: *mut *mut T, value: T) {
    // SAFETY: callers check `out` is non-NULL before doing any work.
    unsafe { *out = Box::into_raw(Box::new(value)) };
}

/// Free a handle made by `put`; NULL is fine.
pub fn free<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: `p` came from `Box::into_raw` in `put` and is freed once (the header's rules).
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(p) })));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The panic-catching path: the fault becomes IPC_PANIC with a fixed message, so nothing the panic carried
    /// (here a secret) reaches the C caller.
    #[test]
    // assert_eq! rather than the boolean assert macro: this crate keeps its source free of that macro, so that a
    // stray one in exported code stands out to a grep.
    #[allow(clippy::bool_assert_comparison)]
    fn a_panic_becomes_ipc_panic_without_its_payload() {
        let secret = "CLIENT-SECRET-d00d-c0ffee-5ecret";
        let mut out: *mut ipc_error = std::ptr::null_mut();
        let code = guard(&mut out, || panic!("failed while holding {secret}"));
        assert_eq!(code, ipc_code::IPC_PANIC);
        assert_eq!(crate::error::ipc_error_code(out), ipc_code::IPC_PANIC);
        // SAFETY: ipc_error_message never returns NULL, and the error lives until freed below.
        let message = unsafe { CStr::from_ptr(crate::error::ipc_error_message(out)) };
        assert_eq!(message.to_string_lossy().contains(secret), false);
        crate::error::ipc_error_free(out);
    }
}
