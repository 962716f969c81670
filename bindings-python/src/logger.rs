//! Core log records to Python's `logging` through pyo3-log, each call counted by `foreign::attach` so that no
//! record is handed to Python while the interpreter exits (see `foreign.rs`).

use pyo3::prelude::*;

/// pyo3-log's logger, entered through `foreign::attach`.
struct Guarded(pyo3_log::Logger);

impl log::Log for Guarded {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        crate::foreign::attach(|_| self.0.enabled(metadata)).unwrap_or(false)
    }

    fn log(&self, record: &log::Record<'_>) {
        crate::foreign::attach(|_| self.0.log(record));
    }

    fn flush(&self) {}
}

/// Install the logger (once per process); the handle resets its cached levels.
pub fn install(py: Python<'_>) -> PyResult<Option<pyo3_log::ResetHandle>> {
    let logger = pyo3_log::Logger::new(py, pyo3_log::Caching::LoggersAndLevels)?
        .filter(log::LevelFilter::Trace);
    let handle = logger.reset_handle();
    if log::set_boxed_logger(Box::new(Guarded(logger))).is_err() {
        return Ok(None); // another logger was installed first: records go there
    }
    log::set_max_level(log::LevelFilter::Trace);
    Ok(Some(handle))
}
