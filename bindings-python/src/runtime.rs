//! Running core futures from blocking Python calls: the GIL released, Ctrl-C noticed within 100 ms.

use std::future::Future;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::task::JoinHandle;

/// How often a blocking call wakes to check for signals (Ctrl-C).
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Aborts a spawned task when dropped (an interrupted call stops its work).
pub struct AbortOnDrop<T>(pub JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The process's one tokio runtime.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// Run `fut` on the runtime while this thread waits without the GIL; a pending signal (Ctrl-C) aborts it and raises.
pub fn block_on<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = runtime();
    let mut task = AbortOnDrop(rt.spawn(fut));
    loop {
        let handle = &mut task.0;
        let waited =
            py.detach(|| rt.block_on(async { tokio::time::timeout(SIGNAL_CHECK, handle).await }));
        match waited {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => {
                return Err(PyRuntimeError::new_err(format!(
                    "the call's task failed: {e}"
                )));
            }
            Err(_) => py.check_signals()?,
        }
    }
}
