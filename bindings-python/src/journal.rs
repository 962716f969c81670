//! `intune_passcode.Journal`: a job's journal read back, for reports (no lock taken, nothing written).

use intune_passcode::{DeviceRecord, Journal};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::to_py;

/// A job's journal: `summary()` counts devices by state; iterating yields one dict per device, in the order they
/// joined the job (`device_id`, `user_id`, `detected_app_id`, `state`, `code`, `status`, `request_id`,
/// `client_request_id`, `sent_at`, `confirmed_by`). Never a token, a secret or a passcode.
#[pyclass(frozen, module = "intune_passcode._native", name = "Journal")]
pub struct PyJournal(Journal);

#[pymethods]
impl PyJournal {
    #[new]
    fn new(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let path = crate::args::path(py, "path", path)?;
        Journal::open(path)
            .map(PyJournal)
            .map_err(|e| to_py(py, &e))
    }

    /// The job's ID.
    #[getter]
    fn job_id(&self) -> &str {
        self.0.job_id()
    }

    /// The Graph URL the job sends to.
    #[getter]
    fn graph_base(&self) -> &str {
        self.0.graph_base()
    }

    /// When the job was made (RFC 3339).
    #[getter]
    fn created_at(&self) -> &str {
        self.0.created_at()
    }

    /// `{"total", "planned", "sending", "ok", "failed", "unknown"}`.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.0.summary();
        let d = PyDict::new(py);
        for (k, v) in [
            ("total", s.total),
            ("planned", s.planned),
            ("sending", s.sending),
            ("ok", s.ok),
            ("failed", s.failed),
            ("unknown", s.unknown),
        ] {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.0.summary().total
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let records: Vec<Bound<'_, PyDict>> = self
            .0
            .records()
            .map(|r| record(py, r))
            .collect::<PyResult<_>>()?;
        Ok(pyo3::types::PyList::new(py, records)?
            .try_iter()?
            .into_any()
            .unbind())
    }

    fn __repr__(&self) -> String {
        let s = self.0.summary();
        format!(
            "Journal('{}', total={}, ok={}, failed={}, unknown={}, sending={}, planned={})",
            self.0.path().display(),
            s.total,
            s.ok,
            s.failed,
            s.unknown,
            s.sending,
            s.planned
        )
    }
}

fn record<'py>(py: Python<'py>, r: &DeviceRecord) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("device_id", &r.device_id)?;
    d.set_item("user_id", &r.user_id)?;
    d.set_item("detected_app_id", &r.detected_app_id)?;
    d.set_item("state", r.state.as_str())?;
    d.set_item("code", &r.code)?;
    d.set_item("status", r.status)?;
    d.set_item("request_id", &r.request_id)?;
    d.set_item("client_request_id", &r.client_request_id)?;
    d.set_item("sent_at", &r.sent_at)?;
    d.set_item("confirmed_by", &r.confirmed_by)?;
    Ok(d)
}
