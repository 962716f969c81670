//! `intune_passcode._native`: the Python front door of the intune-passcode core. Types and errors only; every
//! behaviour is the core's.

mod action;
mod args;
mod async_client;
mod bulk;
mod client;
mod credential;
mod emulator;
mod errors;
mod foreign;
mod journal;
mod logger;
mod receipt;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Core `tracing` events arrive as `log` records, forwarded to Python's `logging` (`intune_passcode.*`) once
    // `logging` is in use (see logger.rs). Levels are cached: configure logging before making a client, or call
    // `intune_passcode._native.reset_logging()` after.
    logger::ensure(m.py())?;
    m.add("__version__", intune_passcode::VERSION)?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<async_client::PyAsyncClient>()?;
    m.add_class::<receipt::PyReceipt>()?;
    m.add_class::<receipt::PyBulkItem>()?;
    m.add_class::<action::PyResetAction>()?;
    m.add_class::<action::PyConfirmation>()?;
    m.add_class::<action::PyPasscode>()?;
    m.add_class::<journal::PyJournal>()?;
    m.add_class::<bulk::BulkIterator>()?;
    m.add_class::<bulk::AsyncBulkIterator>()?;
    m.add_function(wrap_pyfunction!(reset_logging, m)?)?;
    m.add_function(wrap_pyfunction!(foreign::quiesce, m)?)?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add_class::<emulator::PyEmulatorServer>()?;
    m.add("FAULT_NAMES", graph_emulator::FAULT_NAMES.to_vec())?;
    m.add_function(wrap_pyfunction!(emulator::run_emulator, m)?)?;
    Ok(())
}

/// The `intune-passcode` command line with `argv` (program name first): its exit code. The GIL is released for the
/// whole run; the command line has its own runtime and prints straight to the process's stdout and stderr.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(|| intune_passcode_cli::run(argv))
}

/// Start forwarding the core's log records to `logging`, and forget cached logger levels.
///
/// Records reach `logging` (loggers `intune_passcode.*`; never a token) once `logging` has been imported when a client
/// is made, which any program that configures logging has done. Call this after changing the `logging`
/// configuration (levels are cached), or when `logging` was first imported after the client was made.
#[pyfunction]
fn reset_logging(py: Python<'_>) -> PyResult<()> {
    logger::reset(py)
}
