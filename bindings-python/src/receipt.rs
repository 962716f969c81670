//! `Receipt` and `BulkItem` as Python objects.

use std::time::SystemTime;

use intune_passcode::{Receipt, ResetAction};
use pyo3::prelude::*;

use crate::action::{PyResetAction, datetime, repr_opt};

/// Proof that Graph accepted a reset, with the identifiers support asks for.
#[pyclass(frozen, module = "intune_passcode._native", name = "Receipt")]
pub struct PyReceipt {
    /// HTTP status (204 expected).
    #[pyo3(get)]
    pub status: u16,
    /// Graph's `request-id`.
    #[pyo3(get)]
    pub request_id: Option<String>,
    /// The `client-request-id` sent (the same on every attempt).
    #[pyo3(get)]
    pub client_request_id: String,
    /// Graph's `Date` header.
    #[pyo3(get)]
    pub date: Option<String>,
    /// Graph's `x-ms-ags-diagnostic` header.
    #[pyo3(get)]
    pub ags_diagnostic: Option<String>,
    /// HTTP attempts made.
    #[pyo3(get)]
    pub attempts: u32,
    /// Seconds spent waiting between attempts.
    #[pyo3(get)]
    pub waited: f64,
    /// `"response"` (Graph answered 2xx) or `"action_result"` (the answer was lost; the device's record shows it).
    #[pyo3(get)]
    pub confirmed_by: &'static str,
    sent_at: SystemTime,
    action: Option<ResetAction>,
}

impl From<Receipt> for PyReceipt {
    fn from(r: Receipt) -> Self {
        PyReceipt {
            status: r.status,
            request_id: r.request_id,
            client_request_id: r.client_request_id,
            date: r.date,
            ags_diagnostic: r.ags_diagnostic,
            attempts: r.attempts,
            waited: r.waited.as_secs_f64(),
            confirmed_by: r.confirmed_by.as_str(),
            sent_at: r.sent_at,
            action: r.action,
        }
    }
}

#[pymethods]
impl PyReceipt {
    /// When the request left (UTC): what `confirm_reset` and `wait_for_reset` take.
    #[getter]
    fn sent_at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.sent_at)
    }

    /// The device's record, when the reset was confirmed from it (`confirmed_by == "action_result"`).
    #[getter]
    fn action(&self) -> Option<PyResetAction> {
        self.action.clone().map(PyResetAction)
    }

    fn __repr__(&self) -> String {
        format!(
            "Receipt(status={}, request_id={}, client_request_id={}, attempts={}, waited={:.3}, sent_at='{}', \
             confirmed_by='{}')",
            self.status,
            repr_opt(self.request_id.as_deref()),
            repr_opt(Some(&self.client_request_id)),
            self.attempts,
            self.waited,
            intune_passcode::format_time(self.sent_at),
            self.confirmed_by
        )
    }
}

/// One outcome of a bulk run: `device_id` as given, and either `receipt` or `error`.
#[pyclass(frozen, module = "intune_passcode._native", name = "BulkItem")]
pub struct PyBulkItem {
    /// The device ID as it was given.
    #[pyo3(get)]
    pub device_id: Py<PyAny>,
    /// The receipt, on success.
    #[pyo3(get)]
    pub receipt: Option<Py<PyReceipt>>,
    /// The exception (an `IntunePasscodeError`), on failure.
    #[pyo3(get)]
    pub error: Option<Py<PyAny>>,
    /// Reported from the journal (an earlier run's outcome); nothing was sent for it this time.
    #[pyo3(get)]
    pub from_journal: bool,
    /// The other job (its journal's name) whose reset this is, when another job of the folder held the device.
    #[pyo3(get)]
    pub held_by: Option<String>,
}

#[pymethods]
impl PyBulkItem {
    /// True when the reset was accepted.
    #[getter]
    fn ok(&self) -> bool {
        self.receipt.is_some()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let id = self
            .device_id
            .bind(py)
            .repr()
            .map(|r| r.to_string())
            .unwrap_or_default();
        match (&self.receipt, &self.error) {
            (Some(r), _) => format!(
                "BulkItem(device_id={id}, receipt={}, from_journal={}, held_by={})",
                r.get().__repr__(),
                if self.from_journal { "True" } else { "False" },
                repr_opt(self.held_by.as_deref())
            ),
            (None, Some(e)) => {
                let e = e.bind(py).repr().map(|r| r.to_string()).unwrap_or_default();
                format!("BulkItem(device_id={id}, error={e})")
            }
            (None, None) => format!("BulkItem(device_id={id})"),
        }
    }
}
