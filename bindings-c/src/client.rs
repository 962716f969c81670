//! `ipc_client`: built from options; blocking, thread-safe resets, one at a time or in bulk.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_void};
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::StreamExt;
use ipc_core::{BulkOptions, Client, CredentialParts, Pace, Target, TextOptions};

use crate::boundary::{fail, guard, opt_text, put, required, text};
use crate::bulk_options::ipc_bulk_options;
use crate::code::ipc_code;
use crate::error::ipc_error;
use crate::options::ipc_options;
use crate::receipt::ipc_receipt;

/// A Graph client: one connection pool and token cache, safe to share between threads.
pub struct ipc_client {
    pub(crate) inner: Client,
}

/// Called once per device of a bulk run, on the thread that called ipc_reset_passcodes, one call at a time.
/// `index` is the device's position in `device_ids`; exactly one of `receipt` and `error` is non-NULL, both
/// borrowed for the duration of the call.
pub type ipc_result_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        index: usize,
        receipt: *const ipc_receipt,
        error: *const ipc_error,
    ),
>;

/// The library's one tokio runtime, started on first use.
pub(crate) fn runtime() -> Result<&'static tokio::runtime::Runtime, ipc_error> {
    static RT: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("intune-passcode")
            .build()
            .ok()
    })
    .as_ref()
    .ok_or_else(|| {
        fail(
            ipc_code::IPC_PANIC,
            "the async runtime could not be started",
        )
    })
}

/// Blocking calls cannot be made from the library's own threads (they would wait on themselves).
pub(crate) fn not_inside_runtime() -> Result<(), ipc_error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(fail(
            ipc_code::IPC_INVALID_ARGUMENT,
            "blocking calls cannot be made from inside an async runtime's thread",
        ));
    }
    Ok(())
}

fn build(o: &ipc_options) -> Result<Client, ipc_core::Error> {
    let mut b = Client::builder()
        .user_agent_suffix("c")
        .credential_parts(CredentialParts {
            token: o.token.clone(),
            tenant_id: o.tenant_id.clone(),
            client_id: o.client_id.clone(),
            client_secret: o.client_secret.clone(),
            credential: None,
            certificate_path: o.certificate_path.clone(),
            certificate_password: o.certificate_password.clone(),
            send_certificate_chain: false,
            managed_identity: o.managed_identity.clone(),
            workload_identity: o.workload_identity,
            from_environment: o.from_environment,
        });
    b = b.text_options(TextOptions {
        base_url: o.base_url.clone(),
        authority_url: o.authority_url.clone(),
        cloud: o.cloud.clone(),
        api_version: o.api_version.clone(),
        ca_cert: o.ca_cert.clone(),
        proxy: o.proxy.clone(),
    });
    if let Some(ms) = o.timeout_ms {
        if ms == 0 {
            return Err(ipc_core::Error::invalid("timeout_ms must be above 0"));
        }
        b = b.timeout(Duration::from_millis(ms));
    }
    if let Some(n) = o.max_retries {
        b = b.max_retries(n);
    }
    b.build()
}

/// Build a client from `options` (which stay yours). Nothing is sent. With `RUST_LOG` set in the environment
/// (e.g. `RUST_LOG=intune_passcode=debug`), the library's log records go to stderr; they never hold a secret.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_client_new(
    options: *const ipc_options,
    client_out: *mut *mut ipc_client,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    guard(error_out, || {
        let o = required(options, "options")?;
        if client_out.is_null() {
            return Err(fail(ipc_code::IPC_NULL_PARAMETER, "client_out is NULL"));
        }
        runtime()?;
        crate::logging::init_from_env();
        let inner = build(o).map_err(|e| ipc_error::from(&e))?;
        put(client_out, ipc_client { inner });
        Ok(())
    })
}

/// Free a client; NULL is fine. Calls still running on other threads must have returned.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_client_free(client: *mut ipc_client) {
    crate::boundary::free(client);
}

/// Reset (on iOS/iPadOS: remove) one device's passcode. `user_id` and `detected_app_id` may be NULL; at most one
/// non-NULL. Blocks until done; thread-safe on one client. On IPC_OK `*receipt_out` is yours to free.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_reset_passcode(
    client: *const ipc_client,
    device_id: *const c_char,
    user_id: *const c_char,
    detected_app_id: *const c_char,
    receipt_out: *mut *mut ipc_receipt,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    guard(error_out, || {
        let c = required(client, "client")?;
        if receipt_out.is_null() {
            return Err(fail(ipc_code::IPC_NULL_PARAMETER, "receipt_out is NULL"));
        }
        let target = Target::new(
            text(device_id, "device_id")?,
            opt_text(user_id, "user_id")?,
            opt_text(detected_app_id, "detected_app_id")?,
        )
        .map_err(|e| ipc_error::from(&e))?;
        not_inside_runtime()?;
        let receipt = runtime()?
            .block_on(c.inner.reset_passcode(&target))
            .map_err(|e| ipc_error::from(&e))?;
        put(receipt_out, ipc_receipt::from(receipt));
        Ok(())
    })
}

/// The caller's array of IDs; read only while ipc_reset_passcodes* blocks, which keeps it alive.
struct Ids(*const *const c_char);
// SAFETY: the array is only read during the call that received it, which does not return until the run is over.
unsafe impl Send for Ids {}

/// Reset many devices with Intune's default pacing (200 writes per 20 s): `on_result` is called once per device
/// as each finishes; returns when all are done. Entries that are NULL or not UTF-8 get an IPC_INVALID_ARGUMENT
/// outcome; the others still run. `concurrency`: 1 to 1024.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_reset_passcodes(
    client: *const ipc_client,
    device_ids: *const *const c_char,
    count: usize,
    concurrency: u32,
    on_result: ipc_result_fn,
    user_data: *mut c_void,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    ipc_reset_passcodes_paced(
        client,
        device_ids,
        count,
        concurrency,
        200,
        20_000,
        on_result,
        user_data,
        error_out,
    )
}

/// ipc_reset_passcodes with your own pacing: at most `pace_writes` requests in any `pace_window_ms`; 0 writes
/// turns pacing off (a 429 still pauses every worker). Unknown outcomes are verified for 60 s, as by default in
/// ipc_reset_passcodes_with.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ipc_reset_passcodes_paced(
    client: *const ipc_client,
    device_ids: *const *const c_char,
    count: usize,
    concurrency: u32,
    pace_writes: u32,
    pace_window_ms: u64,
    on_result: ipc_result_fn,
    user_data: *mut c_void,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    guard(error_out, || {
        let pace = if pace_writes == 0 {
            Pace::Off
        } else {
            Pace::limit(pace_writes, pace_window_ms as f64 / 1000.0)
                .map_err(|e| ipc_error::from(&e))?
        };
        let options = BulkOptions {
            concurrency: concurrency as usize,
            pace,
            ..BulkOptions::default()
        };
        run_bulk(client, device_ids, count, options, on_result, user_data)
    })
}

/// Reset many devices with the settings of `bulk_options` (ipc_bulk_options_new; NULL: the defaults): `on_result`
/// is called once per device, on this thread, as each finishes; returns when all are done. Entries that are NULL or
/// not UTF-8 get an IPC_INVALID_ARGUMENT outcome; the others still run.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_reset_passcodes_with(
    client: *const ipc_client,
    device_ids: *const *const c_char,
    count: usize,
    bulk_options: *const ipc_bulk_options,
    on_result: ipc_result_fn,
    user_data: *mut c_void,
    error_out: *mut *mut ipc_error,
) -> ipc_code {
    guard(error_out, || {
        // SAFETY: a non-NULL pointer is a live ipc_bulk_options of ours (the header's ownership rules).
        let options =
            unsafe { bulk_options.as_ref() }.map_or_else(BulkOptions::default, |o| o.inner.clone());
        run_bulk(client, device_ids, count, options, on_result, user_data)
    })
}

fn run_bulk(
    client: *const ipc_client,
    device_ids: *const *const c_char,
    count: usize,
    options: BulkOptions,
    on_result: ipc_result_fn,
    user_data: *mut c_void,
) -> Result<(), ipc_error> {
    {
        let c = required(client, "client")?;
        let callback =
            on_result.ok_or_else(|| fail(ipc_code::IPC_NULL_PARAMETER, "on_result is NULL"))?;
        if device_ids.is_null() && count > 0 {
            return Err(fail(ipc_code::IPC_NULL_PARAMETER, "device_ids is NULL"));
        }
        not_inside_runtime()?;
        let rt = runtime()?;
        let ids = Ids(device_ids);
        let inputs = futures_util::stream::iter(0..count).map(move |i| {
            let ids = &ids;
            // SAFETY: `i < count` entries of the caller's array, alive for this call.
            let p = unsafe { *ids.0.add(i) };
            let target = text(p, "device_id")
                .map_err(|e| e.into_core())
                .and_then(Target::device);
            (i, target)
        });
        let mut stream = {
            let _in_runtime = rt.enter();
            c.inner
                .reset_passcodes_keyed(inputs, options)
                .map_err(|e| ipc_error::from(&e))?
        };
        // The callback runs outside the runtime, on this thread: it may block, and may even call the library.
        while let Some((index, outcome)) = rt.block_on(stream.next()) {
            match outcome {
                Ok(r) => {
                    let receipt = ipc_receipt::from(r);
                    // SAFETY: a C function pointer of the documented type, given by the caller.
                    unsafe { callback(user_data, index, &receipt, std::ptr::null()) };
                }
                Err(e) => {
                    let error = ipc_error::from(&e);
                    // SAFETY: as above.
                    unsafe { callback(user_data, index, std::ptr::null(), &error) };
                }
            }
        }
        Ok(())
    }
}
