//! `Client`: blocking calls that release the GIL, safe from many threads.

use intune_passcode::{BulkOptions, Client};
use pyo3::prelude::*;

use crate::action::{PyConfirmation, PyResetAction, seen_before_arg, sent_at_arg};
use crate::args::{self, ClientArgs};
use crate::bulk::{self, BulkIterator};
use crate::credential::PyCredential;
use crate::errors::to_py;
use crate::receipt::PyReceipt;
use crate::runtime::block_on;

// The `recent=604800.0` written in `reset_passcodes`' text signatures (here and in AsyncClient) is the core's default:
// this fails to compile when the core's changes and the signatures are not updated with it.
const _: () = assert!(intune_passcode::DEFAULT_RECENT.as_secs() == 604_800);

/// A Graph client; its blocking calls release the GIL.
///
/// Give one credential: `token` (a bearer token); `tenant_id` + `client_id` with `client_secret`, or with
/// `certificate_path` (one PEM with the certificate and its key, or a PFX and its `certificate_password`;
/// `send_certificate_chain=True` for subject name/issuer authentication); `managed_identity=True` (or a user-assigned
/// identity's client ID); `workload_identity=True`; `from_environment=True` (the `AZURE_*` variables, then workload,
/// then managed identity, as `Client.from_environment()`); or `credential` (any object with `get_token(*scopes)`
/// returning `.token` and `.expires_on`, such as azure-identity's).
///
/// Other options: `cloud` (`"global"`, `"us_gov_l4"`, `"us_gov_l5"`, `"china"`), `api_version` (`"v1.0"` or
/// `"beta"`), `timeout` (seconds, one deadline per call), `max_retries` (after the first attempt, at most 10),
/// `base_url` and `authority_url` (an emulator or a gateway), `ca_cert` (a PEM of roots to trust as well), `proxy`.
#[pyclass(frozen, module = "intune_passcode._native", name = "Client")]
pub struct PyClient {
    inner: Client,
}

#[pymethods]
impl PyClient {
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
        let cred = credential
            .filter(|c| !c.is_none())
            .map(|c| PyCredential::blocking(c.clone().unbind()));
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
        Ok(PyClient {
            inner: args::build_client(py, a, cred)?,
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

    /// Reset (on iOS/iPadOS: remove) one device's passcode. Blocks without holding the GIL.
    #[pyo3(signature = (device_id, *, user_id=None, detected_app_id=None))]
    fn reset_passcode(
        &self,
        py: Python<'_>,
        device_id: &Bound<'_, PyAny>,
        user_id: Option<&Bound<'_, PyAny>>,
        detected_app_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyReceipt> {
        let target = args::target(py, device_id, user_id, detected_app_id)?;
        let client = self.inner.clone();
        let outcome = block_on(py, async move { client.reset_passcode(&target).await })?;
        outcome.map(PyReceipt::from).map_err(|e| to_py(py, &e))
    }

    /// Reset many devices; yields a `BulkItem` per device as each finishes. `device_ids` is read lazily.
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
    ) -> PyResult<BulkIterator> {
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
        let (rx, task) = bulk::start(py, &self.inner, device_ids, user, app, options)?;
        Ok(BulkIterator::new(rx, task))
    }

    /// The device's latest `resetPasscode` record, or `None`. Needs `DeviceManagementManagedDevices.Read.All`.
    #[pyo3(signature = (device_id, *, user_id=None, detected_app_id=None))]
    fn reset_status(
        &self,
        py: Python<'_>,
        device_id: &Bound<'_, PyAny>,
        user_id: Option<&Bound<'_, PyAny>>,
        detected_app_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<PyResetAction>> {
        let target = args::target(py, device_id, user_id, detected_app_id)?;
        let client = self.inner.clone();
        let outcome = block_on(py, async move { client.reset_status(&target).await })?;
        outcome
            .map(|a| a.map(PyResetAction))
            .map_err(|e| to_py(py, &e))
    }

    /// Settle a reset whose answer was lost: look for its record for up to `within` seconds. `seen_before`: the
    /// `started_at` of the device's latest record read before the request left, if one was (only a newer record can
    /// then confirm it). Never resends.
    #[pyo3(signature = (device_id, sent_at, *, within=60.0, user_id=None, detected_app_id=None, seen_before=None))]
    #[allow(clippy::too_many_arguments)]
    fn confirm_reset(
        &self,
        py: Python<'_>,
        device_id: &Bound<'_, PyAny>,
        sent_at: &Bound<'_, PyAny>,
        within: f64,
        user_id: Option<&Bound<'_, PyAny>>,
        detected_app_id: Option<&Bound<'_, PyAny>>,
        seen_before: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyConfirmation> {
        let target = args::target(py, device_id, user_id, detected_app_id)?;
        let sent_at = sent_at_arg(py, sent_at)?;
        let within = args::seconds(py, "within", within)?;
        let seen_before = seen_before_arg(py, seen_before)?;
        let client = self.inner.clone();
        let outcome = block_on(py, async move {
            client
                .confirm_reset_newer_than(&target, sent_at, within, seen_before)
                .await
        })?;
        outcome.map(PyConfirmation).map_err(|e| to_py(py, &e))
    }

    /// Wait until the reset sent at `sent_at` reaches a final state; its record (on Android, with the passcode).
    #[pyo3(signature = (device_id, sent_at, *, timeout=300.0, user_id=None, detected_app_id=None))]
    fn wait_for_reset(
        &self,
        py: Python<'_>,
        device_id: &Bound<'_, PyAny>,
        sent_at: &Bound<'_, PyAny>,
        timeout: f64,
        user_id: Option<&Bound<'_, PyAny>>,
        detected_app_id: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResetAction> {
        let target = args::target(py, device_id, user_id, detected_app_id)?;
        let sent_at = sent_at_arg(py, sent_at)?;
        let timeout = args::seconds(py, "timeout", timeout)?;
        let client = self.inner.clone();
        let outcome = block_on(py, async move {
            client.wait_for_reset(&target, sent_at, timeout).await
        })?;
        outcome.map(PyResetAction).map_err(|e| to_py(py, &e))
    }

    fn __repr__(&self) -> String {
        format!("Client(graph={:?})", self.inner.graph_base())
    }
}

/// Bulk options from Python arguments; `pace` left out means Intune's limit.
pub fn bulk_options(py: Python<'_>, a: BulkArgs<'_, '_>) -> PyResult<BulkOptions> {
    Ok(BulkOptions {
        concurrency: args::concurrency(py, a.concurrency)?,
        pace: args::pace(py, a.pace)?,
        // None or 0: off, as in every language.
        verify_unknown: intune_passcode::optional_duration_from_secs(
            "verify_unknown",
            a.verify_unknown,
        )
        .map_err(|e| to_py(py, &e))?,
        journal: a
            .journal
            .filter(|j| !j.is_none())
            .map(|j| args::path(py, "journal", j))
            .transpose()?,
        retry_failed: a.retry_failed,
        resend_unconfirmed: a.resend_unconfirmed,
        recent: a
            .recent
            .map(|s| args::seconds(py, "recent", s))
            .transpose()?,
        ..BulkOptions::default()
    })
}

/// A bulk run's keyword arguments, as Python gave them.
pub struct BulkArgs<'a, 'py> {
    pub concurrency: i64,
    pub pace: Option<args::PaceArg>,
    pub verify_unknown: Option<f64>,
    pub journal: Option<&'a Bound<'py, PyAny>>,
    pub retry_failed: bool,
    pub resend_unconfirmed: bool,
    /// Seconds within which another job's reset (in the journal's folder) keeps a device from being sent; None: off.
    pub recent: Option<f64>,
}
