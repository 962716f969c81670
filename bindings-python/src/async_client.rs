//! `AsyncClient`: awaitables on the core's tokio runtime; works under repeated `asyncio.run()`.

use std::sync::{Arc, Mutex};

use intune_passcode::Client;
use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;

use crate::action::{PyConfirmation, PyResetAction, seen_before_arg, sent_at_arg};
use crate::args::{self, ClientArgs};
use crate::bulk::{self, AsyncBulkIterator};
use crate::client::{BulkArgs, bulk_options};
use crate::credential::PyCredential;
use crate::errors::to_py;
use crate::foreign;
use crate::receipt::PyReceipt;

/// The asyncio Graph client: the same options as `Client` (see there); `credential.get_token` may be a coroutine.
#[pyclass(frozen, module = "intune_passcode._native", name = "AsyncClient")]
pub struct PyAsyncClient {
    inner: Client,
    /// The event loop of the latest call, for an async credential's `get_token`.
    locals: Arc<Mutex<Option<TaskLocals>>>,
}

impl PyAsyncClient {
    /// Remember the running loop so an async credential is awaited on it.
    fn note_loop(&self, py: Python<'_>) {
        if let Ok(l) = TaskLocals::with_running_loop(py).and_then(|l| l.copy_context(py)) {
            *self.locals.lock().unwrap_or_else(|p| p.into_inner()) = Some(l);
        }
    }
}

#[pymethods]
impl PyAsyncClient {
    #[new]
    #[pyo3(signature = (token=None, *, tenant_id=None, client_id=None, client_secret=None, credential=None,
        base_url=None, authority_url=None, cloud=None, api_version=None, timeout=100.0, max_retries=3,
        ca_cert=None, proxy=None, certificate_path=None, certificate_password=None,
        send_certificate_chain=false, managed_identity=None, workload_identity=false, from_environment=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        token: Option<&Bound<'_, PyAny>>,
        tenant_id: Option<&Bound<'_, PyAny>>,
        client_id: Option<&Bound<'_, PyAny>>,
        client_secret: Option<&Bound<'_, PyAny>>,
        credential: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        authority_url: Option<&Bound<'_, PyAny>>,
        cloud: Option<&Bound<'_, PyAny>>,
        api_version: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        max_retries: i64,
        ca_cert: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        certificate_path: Option<&Bound<'_, PyAny>>,
        certificate_password: Option<&Bound<'_, PyAny>>,
        send_certificate_chain: bool,
        managed_identity: Option<&Bound<'_, PyAny>>,
        workload_identity: bool,
        from_environment: bool,
    ) -> PyResult<Self> {
        let locals = Arc::new(Mutex::new(None));
        let cred = credential
            .filter(|c| !c.is_none())
            .map(|c| PyCredential::asynchronous(c.clone().unbind(), locals.clone()));
        let a = ClientArgs {
            token,
            tenant_id,
            client_id,
            client_secret,
            base_url,
            authority_url,
            cloud,
            api_version,
            timeout,
            max_retries,
            ca_cert,
            proxy,
            certificate_path,
            certificate_password,
            send_certificate_chain,
            managed_identity,
            workload_identity,
            from_environment,
        };
        Ok(PyAsyncClient {
            inner: args::build_client(py, a, cred)?,
            locals,
        })
    }

    /// A client configured the way every Azure tool is: `AZURE_*` variables (a secret or a certificate), then
    /// workload identity, then managed identity. `options` are the constructor's other keyword arguments.
    #[classmethod]
    #[pyo3(signature = (**options))]
    fn from_environment<'py>(
        cls: &Bound<'py, pyo3::types::PyType>,
        options: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        args::from_environment(cls, options)
    }

    /// Reset (on iOS/iPadOS: remove) one device's passcode.
    #[pyo3(signature = (device_id, *, user_id=None, detected_app_id=None))]
    fn reset_passcode<'py>(
        &self,
        py: Python<'py>,
        device_id: &Bound<'py, PyAny>,
        user_id: Option<&Bound<'py, PyAny>>,
        detected_app_id: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let target = args::target(py, device_id, user_id, detected_app_id)?;
        self.note_loop(py);
        let client = self.inner.clone();
        foreign::spawn_awaitable(
            py,
            async move { client.reset_passcode(&target).await },
            |py, outcome| match outcome {
                Ok(r) => Ok(Py::new(py, PyReceipt::from(r))?.into_any()),
                Err(e) => Err(to_py(py, &e)),
            },
        )
    }

    /// Reset many devices; `async for` yields a `BulkItem` per device as each finishes.
    ///
    /// `concurrency`: calls in flight (1 to 1024). `pace`: `"intune"` (200 writes per 20 s, the default), `None`, or
    /// `(writes, seconds)`. `verify_unknown`: seconds to look for the record of a reset whose answer was lost before
    /// reporting it (default 60; `None` or `0` do not look). `journal`: a file that keeps the job, so that running
    /// again resumes it without resetting any device twice; `retry_failed` / `resend_unconfirmed` send again, on
    /// resume, the devices that failed for good / whose outcome stayed unknown. `recent`: with a journal, seconds
    /// within which a device reset by another journal in its folder is not sent (default 7 days; `None`: not checked).
    #[pyo3(signature = (device_ids, *, user_id=None, detected_app_id=None, concurrency=16, pace=args::PaceArg::intune(),
        verify_unknown=Some(60.0), journal=None, retry_failed=false, resend_unconfirmed=false,
        recent=Some(intune_passcode::DEFAULT_RECENT.as_secs_f64())))]
    // The defaults as Python spells them: pyo3 can only write `...` for a Rust expression.
    #[pyo3(
        text_signature = "(self, /, device_ids, *, user_id=None, detected_app_id=None, concurrency=16, pace='intune', verify_unknown=60.0, journal=None, retry_failed=False, resend_unconfirmed=False, recent=604800.0)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn reset_passcodes(
        &self,
        py: Python<'_>,
        device_ids: &Bound<'_, PyAny>,
        user_id: Option<&Bound<'_, PyAny>>,
        detected_app_id: Option<&Bound<'_, PyAny>>,
        concurrency: i64,
        pace: Option<args::PaceArg>,
        verify_unknown: Option<f64>,
        journal: Option<&Bound<'_, PyAny>>,
        retry_failed: bool,
        resend_unconfirmed: bool,
        recent: Option<f64>,
    ) -> PyResult<AsyncBulkIterator> {
        let options = bulk_options(
            py,
            BulkArgs {
                concurrency,
                pace,
                verify_unknown,
                journal,
                retry_failed,
                resend_unconfirmed,
                recent,
            },
        )?;
        let user = args::opt_text(py, "user_id", user_id)?;
        let app = args::opt_text(py, "detected_app_id", detected_app_id)?;
        self.note_loop(py);
        let (rx, task) = bulk::start(py, &self.inner, device_ids, user, app, options)?;
        Ok(AsyncBulkIterator::new(rx, task))
    }

    /// The device's latest `resetPasscode` record, or `None`. Needs `DeviceManagementManagedDevices.Read.All`.
    #[pyo3(signature = (device_id, *, user_id=None, detected_app_id=None))]
    fn reset_status<'py>(
        &self,
        py: Python<'py>,
        device_id: &Bound<'py, PyAny>,
        user_id: Option<&Bound<'py, PyAny>>,
        detected_app_id: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let target = args::target(py, device_id, user_id, detected_app_id)?;
        self.note_loop(py);
        let client = self.inner.clone();
        foreign::spawn_awaitable(
            py,
            async move { client.reset_status(&target).await },
            |py, outcome| match outcome {
                Ok(Some(a)) => Ok(Py::new(py, PyResetAction(a))?.into_any()),
                Ok(None) => Ok(py.None()),
                Err(e) => Err(to_py(py, &e)),
            },
        )
    }

    /// Settle a reset whose answer was lost: look for its record for up to `within` seconds. Never resends.
    #[pyo3(signature = (device_id, sent_at, *, within=60.0, user_id=None, detected_app_id=None, seen_before=None))]
    #[allow(clippy::too_many_arguments)]
    fn confirm_reset<'py>(
        &self,
        py: Python<'py>,
        device_id: &Bound<'py, PyAny>,
        sent_at: &Bound<'py, PyAny>,
        within: f64,
        user_id: Option<&Bound<'py, PyAny>>,
        detected_app_id: Option<&Bound<'py, PyAny>>,
        seen_before: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let target = args::target(py, device_id, user_id, detected_app_id)?;
        let sent_at = sent_at_arg(py, sent_at)?;
        let within = args::seconds(py, "within", within)?;
        let seen_before = seen_before_arg(py, seen_before)?;
        self.note_loop(py);
        let client = self.inner.clone();
        foreign::spawn_awaitable(
            py,
            async move {
                client
                    .confirm_reset_newer_than(&target, sent_at, within, seen_before)
                    .await
            },
            |py, outcome| match outcome {
                Ok(c) => Ok(Py::new(py, PyConfirmation(c))?.into_any()),
                Err(e) => Err(to_py(py, &e)),
            },
        )
    }

    /// Wait until the reset sent at `sent_at` reaches a final state; its record (on Android, with the passcode).
    #[pyo3(signature = (device_id, sent_at, *, timeout=300.0, user_id=None, detected_app_id=None))]
    fn wait_for_reset<'py>(
        &self,
        py: Python<'py>,
        device_id: &Bound<'py, PyAny>,
        sent_at: &Bound<'py, PyAny>,
        timeout: f64,
        user_id: Option<&Bound<'py, PyAny>>,
        detected_app_id: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let target = args::target(py, device_id, user_id, detected_app_id)?;
        let sent_at = sent_at_arg(py, sent_at)?;
        let timeout = args::seconds(py, "timeout", timeout)?;
        self.note_loop(py);
        let client = self.inner.clone();
        foreign::spawn_awaitable(
            py,
            async move { client.wait_for_reset(&target, sent_at, timeout).await },
            |py, outcome| match outcome {
                Ok(a) => Ok(Py::new(py, PyResetAction(a))?.into_any()),
                Err(e) => Err(to_py(py, &e)),
            },
        )
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        foreign::ready_awaitable(py, Ok(slf.into_any()))
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _args: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        foreign::ready_awaitable(
            py,
            Ok(pyo3::types::PyBool::new(py, false).to_owned().into_any()),
        )
    }

    fn __repr__(&self) -> String {
        format!("AsyncClient(graph={:?})", self.inner.graph_base())
    }
}
