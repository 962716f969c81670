//! `Receipt` and `BulkItem` as Python objects.

use intune_passcode::Receipt;
use pyo3::prelude::*;

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
        }
    }
}

#[pymethods]
impl PyReceipt {
    fn __repr__(&self) -> String {
        format!(
            "Receipt(status={}, request_id={:?}, client_request_id={:?}, attempts={}, waited={:.3})",
            self.status, self.request_id, self.client_request_id, self.attempts, self.waited
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
            (Some(r), _) => format!("BulkItem(device_id={id}, receipt={})", r.get().__repr__()),
            (None, Some(e)) => {
                let e = e.bind(py).repr().map(|r| r.to_string()).unwrap_or_default();
                format!("BulkItem(device_id={id}, error={e})")
            }
            (None, None) => format!("BulkItem(device_id={id})"),
        }
    }
}
