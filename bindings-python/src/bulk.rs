//! Bulk runs from Python: device IDs read lazily from any iterable, outcomes handed back through a bounded channel
//! to a blocking iterator (`Client`) or an async one (`AsyncClient`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use intune_passcode::{BulkOptions, Client, Error, Receipt, Target};
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use pyo3::types::PyString;
use tokio::sync::mpsc;

use crate::errors::to_py;
use crate::receipt::{PyBulkItem, PyReceipt};
use crate::runtime::{AbortOnDrop, runtime};

/// IDs pulled from the Python iterable per GIL acquisition.
const PULL_BATCH: usize = 256;

/// What the driver task sends.
pub enum Msg {
    /// One outcome.
    Item(Py<PyAny>, Result<Receipt, Error>),
    /// The caller's iterable raised: every started device has reported; this is raised last.
    InputFailed(PyErr),
}

/// The target each input item names: a `str` device ID on the given route, anything else an InvalidArgument outcome.
fn to_target(
    item: &Bound<'_, PyAny>,
    user: &Option<String>,
    app: &Option<String>,
) -> Result<Target, Error> {
    let Ok(s) = item.cast::<PyString>() else {
        let t = item
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(Error::invalid(format!("device IDs must be str, not {t}")));
    };
    let id = s.to_cow().map_err(|_| {
        Error::invalid("the device ID is not valid text (it holds a lone surrogate)")
    })?;
    Target::new(id.into_owned(), user.clone(), app.clone())
}

/// A stream over a Python iterator, pulled in batches on a blocking thread; an exception ends it and is kept in
/// `failure`.
fn input_stream(
    iter: Py<PyAny>,
    user: Option<String>,
    app: Option<String>,
    failure: Arc<Mutex<Option<PyErr>>>,
) -> impl Stream<Item = (Py<PyAny>, Result<Target, Error>)> + Send + 'static {
    let iter = Arc::new(iter);
    let state = (VecDeque::new(), false);
    futures_util::stream::unfold(state, move |(mut buf, mut done)| {
        let iter = iter.clone();
        let (user, app, failure) = (user.clone(), app.clone(), failure.clone());
        async move {
            if buf.is_empty() && !done {
                let pulled = tokio::task::spawn_blocking(move || {
                    // None: the interpreter is exiting; the input ends here.
                    crate::foreign::attach(|py| {
                        let mut out = VecDeque::new();
                        let mut end = false;
                        let it = iter.bind(py);
                        while out.len() < PULL_BATCH {
                            match it.call_method0("__next__") {
                                Ok(item) => {
                                    let target = to_target(&item, &user, &app);
                                    out.push_back((item.unbind(), target));
                                }
                                Err(e)
                                    if e.is_instance_of::<pyo3::exceptions::PyStopIteration>(
                                        py,
                                    ) =>
                                {
                                    end = true;
                                    break;
                                }
                                Err(e) => {
                                    *failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                                    end = true;
                                    break;
                                }
                            }
                        }
                        (out, end)
                    })
                })
                .await;
                match pulled {
                    Ok(Some((items, end))) => {
                        buf = items;
                        done = end;
                    }
                    Ok(None) | Err(_) => done = true,
                }
            }
            let next = buf.pop_front()?;
            Some((next, (buf, done)))
        }
    })
}

/// Start a bulk run; the receiver yields one `Msg::Item` per input, then `InputFailed` if the iterable raised.
pub fn start(
    py: Python<'_>,
    client: &Client,
    ids: &Bound<'_, PyAny>,
    user: Option<String>,
    app: Option<String>,
    options: BulkOptions,
) -> PyResult<(mpsc::Receiver<Msg>, AbortOnDrop<()>)> {
    let iter = ids.try_iter()?.into_any().unbind();
    let failure = Arc::new(Mutex::new(None));
    let input = input_stream(iter, user, app, failure.clone());
    let _guard = runtime().enter();
    let buffer = options.concurrency.max(16) * 2;
    let mut outcomes = client
        .reset_passcodes_keyed(input, options)
        .map_err(|e| to_py(py, &e))?;
    let (tx, rx) = mpsc::channel(buffer);
    let task = runtime().spawn(async move {
        while let Some((key, outcome)) = outcomes.next().await {
            if tx.send(Msg::Item(key, outcome)).await.is_err() {
                return; // the iterator was dropped
            }
        }
        let failed = failure.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(e) = failed {
            let _ = tx.send(Msg::InputFailed(e)).await;
        }
    });
    Ok((rx, AbortOnDrop(task)))
}

/// A message as the Python value `__next__` returns (or raises).
fn deliver(py: Python<'_>, msg: Msg) -> PyResult<PyBulkItem> {
    match msg {
        Msg::Item(key, Ok(r)) => Ok(PyBulkItem {
            device_id: key,
            from_journal: r.from_journal,
            held_by: r.held_by.clone(),
            receipt: Some(Py::new(py, PyReceipt::from(r))?),
            error: None,
        }),
        Msg::Item(key, Err(e)) => Ok(PyBulkItem {
            device_id: key,
            receipt: None,
            from_journal: e.from_journal(),
            held_by: e.held_by().map(str::to_string),
            error: Some(to_py(py, &e).into_value(py).into_any()),
        }),
        Msg::InputFailed(e) => Err(e),
    }
}

/// Outcomes of `Client.reset_passcodes`, as each device finishes. Dropping it stops the run.
#[pyclass(module = "intune_passcode._native", name = "BulkIterator")]
pub struct BulkIterator {
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Msg>>>,
    _task: AbortOnDrop<()>,
}

impl BulkIterator {
    pub fn new(rx: mpsc::Receiver<Msg>, task: AbortOnDrop<()>) -> Self {
        BulkIterator {
            rx: Arc::new(tokio::sync::Mutex::new(rx)),
            _task: task,
        }
    }
}

#[pymethods]
impl BulkIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PyBulkItem>> {
        let rt = runtime();
        loop {
            let rx = self.rx.clone();
            let got = py.detach(|| {
                rt.block_on(async move {
                    let mut rx = rx.lock().await;
                    tokio::time::timeout(Duration::from_millis(100), rx.recv()).await
                })
            });
            match got {
                Ok(Some(msg)) => return deliver(py, msg).map(Some),
                Ok(None) => return Ok(None),
                Err(_) => py.check_signals()?,
            }
        }
    }
}

/// Outcomes of `AsyncClient.reset_passcodes`, as each device finishes.
#[pyclass(module = "intune_passcode._native", name = "AsyncBulkIterator")]
pub struct AsyncBulkIterator {
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Msg>>>,
    _task: AbortOnDrop<()>,
}

impl AsyncBulkIterator {
    pub fn new(rx: mpsc::Receiver<Msg>, task: AbortOnDrop<()>) -> Self {
        AsyncBulkIterator {
            rx: Arc::new(tokio::sync::Mutex::new(rx)),
            _task: task,
        }
    }
}

#[pymethods]
impl AsyncBulkIterator {
    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // Fast path: an outcome is already waiting, so hand back a finished future and spare the event loop a
        // cross-thread wake-up per item (the slow path below costs ~3x in a bulk run).
        if let Ok(mut rx) = self.rx.try_lock() {
            let ready = match rx.try_recv() {
                Ok(msg) => Some(deliver(py, msg)),
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    Some(Err(PyStopAsyncIteration::new_err(())))
                }
                Err(mpsc::error::TryRecvError::Empty) => None,
            };
            if let Some(result) = ready {
                let item = result.and_then(|item| Ok(Py::new(py, item)?.into_bound(py).into_any()));
                return crate::foreign::ready_awaitable(py, item);
            }
        }
        let rx = self.rx.clone();
        crate::foreign::spawn_awaitable(
            py,
            async move { rx.lock().await.recv().await },
            |py, msg| match msg {
                Some(m) => Ok(Py::new(py, deliver(py, m)?)?.into_any()),
                None => Err(PyStopAsyncIteration::new_err(())),
            },
        )
    }
}
