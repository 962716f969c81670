//! `intune_passcode._native`: the Python front door of the intune-passcode core. Types and errors only; every
//! behaviour is the core's.

mod args;
mod async_client;
mod bulk;
mod client;
mod credential;
mod errors;
mod foreign;
mod logger;
mod receipt;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Core `tracing` events arrive as `log` records; forward them to Python's `logging` (`intune_passcode.*`).
    // Levels are cached: configure logging before the first call, or call `intune_passcode._native.reset_logging()`.
    let handle = logger::install(m.py())?;
    let _ = LOG_RESET.set(std::sync::Mutex::new(handle));
    m.add("__version__", intune_passcode::VERSION)?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<async_client::PyAsyncClient>()?;
    m.add_class::<receipt::PyReceipt>()?;
    m.add_class::<receipt::PyBulkItem>()?;
    m.add_class::<bulk::BulkIterator>()?;
    m.add_class::<bulk::AsyncBulkIterator>()?;
    m.add_function(wrap_pyfunction!(reset_logging, m)?)?;
    m.add_function(wrap_pyfunction!(foreign::quiesce, m)?)?;
    Ok(())
}

static LOG_RESET: std::sync::OnceLock<std::sync::Mutex<Option<pyo3_log::ResetHandle>>> =
    std::sync::OnceLock::new();

/// Forget cached logger levels, after changing `logging` configuration.
#[pyfunction]
fn reset_logging() {
    if let Some(h) = LOG_RESET.get().and_then(|m| m.lock().ok()?.clone()) {
        h.reset();
    }
}
