//! Calling into Python from the runtime's threads, made safe at interpreter exit.
//!
//! A thread that waits for the GIL while the interpreter finalizes is ended by CPython 3.11 with `pthread_exit`,
//! which unwinds through Rust frames that then drop Python objects without the GIL: a segfault at exit. The soak
//! caught it with pyo3-async-runtimes' completion thread, which finishes `call_soon_threadsafe` after the event loop
//! already returned. So every call into Python from our threads goes through [`attach`], which counts itself, and
//! the package registers [`quiesce`] with `atexit`: no new call starts, and the calls in progress finish (the main
//! thread waits without the GIL) before the interpreter tears down.
//!
//! Awaitables are made here too ([`spawn_awaitable`]): an asyncio future created on the caller's loop, settled from
//! our thread through `loop.call_soon_threadsafe`, and cancelling it aborts the Rust task.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

use crate::runtime::runtime;

/// Calls into Python from our threads, in progress now.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// Set by `quiesce` at exit: no new call into Python starts.
static CLOSING: AtomicBool = AtomicBool::new(false);
/// Longest wait at exit for calls in progress (a credential stuck in Python must not hang the exit).
const QUIESCE_LIMIT: Duration = Duration::from_secs(2);

struct Active;

impl Drop for Active {
    fn drop(&mut self) {
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Run `f` with the GIL from one of our threads; `None` once the interpreter is exiting (nothing runs then).
pub fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    counted(|| Python::attach(f))
}

/// Run `f`, which may take the GIL itself (pyo3-log does, on a cache miss), as a counted call; `None` once the
/// interpreter is exiting.
pub fn counted<R>(f: impl FnOnce() -> R) -> Option<R> {
    // Count first, then look: `quiesce` sets CLOSING first, then waits for the count, so no call slips between.
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let _active = Active;
    if CLOSING.load(Ordering::SeqCst) {
        return None;
    }
    Some(f())
}

/// Registered with `atexit` by the package: stop new calls into Python from our threads and let those in
/// progress finish (without the GIL, up to 2 s).
#[pyfunction]
#[pyo3(name = "_quiesce")]
pub fn quiesce(py: Python<'_>) {
    CLOSING.store(true, Ordering::SeqCst);
    py.detach(|| {
        let deadline = Instant::now() + QUIESCE_LIMIT;
        while ACTIVE.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Settle an asyncio future on its loop's thread; a future already done (cancelled) is left alone.
#[pyfunction]
fn settle(fut: &Bound<'_, PyAny>, ok: bool, value: Bound<'_, PyAny>) -> PyResult<()> {
    if fut.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    if ok {
        fut.call_method1("set_result", (value,))?;
    } else {
        fut.call_method1("set_exception", (value,))?;
    }
    Ok(())
}

/// A done-callback: cancelling the awaitable aborts the Rust task behind it.
#[pyclass]
struct AbortOnCancel(tokio::task::AbortHandle);

#[pymethods]
impl AbortOnCancel {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()? {
            self.0.abort();
        }
        Ok(())
    }
}

/// An asyncio future on the running loop, already settled with `value` (no thread involved).
pub fn ready_awaitable<'py>(
    py: Python<'py>,
    value: PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let fut = py
        .import("asyncio")?
        .call_method0("get_running_loop")?
        .call_method0("create_future")?;
    match value {
        Ok(v) => fut.call_method1("set_result", (v,))?,
        Err(e) => fut.call_method1("set_exception", (e.into_value(py),))?,
    };
    Ok(fut)
}

/// Run `work` on the runtime and return an asyncio future (on the running loop) that `finish` settles with its
/// output, converted under the GIL.
pub fn spawn_awaitable<'py, F, T>(
    py: Python<'py>,
    work: F,
    finish: impl FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let fut = event_loop.call_method0("create_future")?;
    let settle_fn = wrap_pyfunction!(settle, py)?.into_any().unbind();
    let (loop_obj, fut_obj) = (event_loop.unbind(), fut.clone().unbind());
    let task = runtime().spawn(async move {
        let output = work.await;
        // Converting and handing over needs the GIL: off the runtime's worker threads.
        let _ = tokio::task::spawn_blocking(move || {
            attach(|py| {
                let (ok, value) = match finish(py, output) {
                    Ok(v) => (true, v),
                    Err(e) => (false, e.into_value(py).into_any()),
                };
                // Fails only when the loop is closed: nobody is waiting any more.
                let _ = loop_obj.call_method1(
                    py,
                    "call_soon_threadsafe",
                    (settle_fn, fut_obj, ok, value),
                );
            })
        })
        .await;
    });
    fut.call_method1("add_done_callback", (AbortOnCancel(task.abort_handle()),))?;
    Ok(fut)
}
