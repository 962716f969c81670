//! Core log records to Python's `logging` through pyo3-log, each call counted by `foreign::counted` so that no
//! record is handed to Python while the interpreter exits (see `foreign.rs`). pyo3-log takes the GIL only when it
//! must (a level not yet cached, a record to hand over), so the count alone is taken here.

use pyo3::prelude::*;

/// pyo3-log's logger, entered through `foreign::counted`.
struct Guarded(pyo3_log::Logger);

impl log::Log for Guarded {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        crate::foreign::counted(|| self.0.enabled(metadata)).unwrap_or(false)
    }

    fn log(&self, record: &log::Record<'_>) {
        crate::foreign::counted(|| self.0.log(record));
    }

    fn flush(&self) {}
}

static RESET: std::sync::Mutex<Option<pyo3_log::ResetHandle>> = std::sync::Mutex::new(None);

/// Install the logger once `logging` is in use (imported by anyone), so that `import intune_passcode` does not
/// pay for importing `logging` (~20 ms) in programs that never log. Called when a client is made and by
/// `reset_logging`; records from before are dropped, as nobody could have configured a handler for them.
pub fn ensure(py: Python<'_>) -> PyResult<()> {
    let mut reset = RESET.lock().unwrap_or_else(|p| p.into_inner());
    if reset.is_some() || !py.import("sys")?.getattr("modules")?.contains("logging")? {
        return Ok(());
    }
    let logger = pyo3_log::Logger::new(py, pyo3_log::Caching::LoggersAndLevels)?
        .filter(log::LevelFilter::Trace);
    let handle = logger.reset_handle();
    if log::set_boxed_logger(Box::new(Guarded(logger))).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
        *reset = Some(handle);
    }
    Ok(())
}

/// Forget cached logger levels (after changing `logging` configuration); installs the logger if it was not yet.
pub fn reset(py: Python<'_>) -> PyResult<()> {
    ensure(py)?;
    if let Some(h) = RESET.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        h.reset();
    }
    Ok(())
}
