//! What Graph records about a reset on the device, as Python objects: `ResetAction`, `Confirmation` and the
//! `Passcode`, which never prints (`str`, `repr` and pickling-free attributes show `***`; `.reveal()` gives it).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use intune_passcode::{Confirmation, ResetAction, Secret};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// A UTC-aware `datetime.datetime` for a time.
pub fn datetime(py: Python<'_>, t: SystemTime) -> PyResult<Py<PyAny>> {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    };
    let dt = py.import("datetime")?;
    let utc = dt.getattr("timezone")?.getattr("utc")?;
    Ok(dt
        .getattr("datetime")?
        .call_method1("fromtimestamp", (secs, utc))?
        .unbind())
}

/// A `sent_at` argument: a timezone-aware `datetime` or seconds since the epoch (a naive datetime is ambiguous).
pub fn sent_at_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<SystemTime> {
    time_arg(py, "sent_at", value)
}

/// A time argument named `name`: a timezone-aware `datetime` or seconds since the epoch.
pub fn time_arg(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<SystemTime> {
    let dt_type = py.import("datetime")?.getattr("datetime")?;
    let secs: f64 = if value.is_instance(&dt_type)? {
        if value.getattr("tzinfo")?.is_none() {
            return Err(PyValueError::new_err(format!(
                "{name} is a naive datetime; give a timezone-aware one (e.g. receipt.sent_at or \
                 error.sent_at), or seconds since the epoch"
            )));
        }
        value.call_method0("timestamp")?.extract()?
    } else if value.is_instance_of::<pyo3::types::PyFloat>()
        || value.is_instance_of::<pyo3::types::PyInt>()
    {
        value.extract()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a datetime or a number of seconds, not {}",
            value.get_type().name()?
        )));
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(PyValueError::new_err(format!(
            "{name} must be a time after 1970"
        )));
    }
    Ok(UNIX_EPOCH + Duration::from_secs_f64(secs))
}

/// An optional `seen_before`: the `started_at` of a record read before the request left (`None`: none was read).
pub fn seen_before_arg(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<SystemTime>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| time_arg(py, "seen_before", v))
        .transpose()
}

/// Python's repr of an optional string.
pub fn repr_opt(s: Option<&str>) -> String {
    match s {
        Some(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        None => "None".into(),
    }
}

/// A new passcode. `str()` and `repr()` print `***`; `.reveal()` returns it.
#[pyclass(frozen, module = "intune_passcode._native", name = "Passcode")]
pub struct PyPasscode(Secret);

#[pymethods]
impl PyPasscode {
    /// The passcode itself: show it only to the person who must type it.
    fn reveal(&self) -> String {
        self.0.expose().to_string()
    }
    fn __str__(&self) -> &'static str {
        "***"
    }
    fn __repr__(&self) -> &'static str {
        "Passcode('***')"
    }
}

/// The device's record of one `resetPasscode` action (`deviceActionResults`).
#[pyclass(frozen, module = "intune_passcode._native", name = "ResetAction")]
pub struct PyResetAction(pub ResetAction);

#[pymethods]
impl PyResetAction {
    /// `pending`, `done`, `failed`, `notSupported`, `canceled`, `active`, `none`, or a state Graph added later.
    #[getter]
    fn state(&self) -> &str {
        self.0.state.as_str()
    }
    /// True for `done`, `failed`, `notSupported` and `canceled`.
    #[getter]
    fn is_final(&self) -> bool {
        self.0.state.is_final()
    }
    /// When Graph accepted the action (UTC).
    #[getter]
    fn started_at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.0.started_at)
    }
    /// When its state last changed (UTC), when Graph says.
    #[getter]
    fn updated_at(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.0.updated_at.map(|t| datetime(py, t)).transpose()
    }
    /// Graph's `errorCode`.
    #[getter]
    fn error_code(&self) -> Option<i32> {
        self.0.error_code
    }
    /// The new passcode (Android Enterprise, AOSP); `None` on iOS/iPadOS and while pending.
    #[getter]
    fn passcode(&self) -> Option<PyPasscode> {
        self.0.passcode.clone().map(PyPasscode)
    }
    fn __repr__(&self) -> String {
        format!(
            "ResetAction(state={}, started_at='{}', error_code={}, passcode={})",
            repr_opt(Some(self.0.state.as_str())),
            intune_passcode::format_time(self.0.started_at),
            self.0
                .error_code
                .map_or("None".to_string(), |c| c.to_string()),
            if self.0.passcode.is_some() {
                "Passcode('***')"
            } else {
                "None"
            }
        )
    }
}

/// What `confirm_reset` found: `accepted` (with the record as `action`), or not seen (`latest`: an older record,
/// if any). Not seen proves nothing: Graph documents no delay before a record appears.
#[pyclass(frozen, module = "intune_passcode._native", name = "Confirmation")]
pub struct PyConfirmation(pub Confirmation);

#[pymethods]
impl PyConfirmation {
    /// True when the device records a reset started after `sent_at`: never send it again.
    #[getter]
    fn accepted(&self) -> bool {
        matches!(self.0, Confirmation::Accepted(_))
    }
    /// The record that confirmed it (when accepted).
    #[getter]
    fn action(&self) -> Option<PyResetAction> {
        match &self.0 {
            Confirmation::Accepted(a) => Some(PyResetAction(a.clone())),
            Confirmation::NotSeen { .. } => None,
        }
    }
    /// The latest, older record seen (when not accepted).
    #[getter]
    fn latest(&self) -> Option<PyResetAction> {
        match &self.0 {
            Confirmation::Accepted(_) => None,
            Confirmation::NotSeen { latest } => latest.clone().map(PyResetAction),
        }
    }
    fn __bool__(&self) -> bool {
        self.accepted()
    }
    fn __repr__(&self) -> String {
        match &self.0 {
            Confirmation::Accepted(a) => {
                format!(
                    "Confirmation(accepted=True, action={})",
                    PyResetAction(a.clone()).__repr__()
                )
            }
            Confirmation::NotSeen { latest } => format!(
                "Confirmation(accepted=False, latest={})",
                latest
                    .clone()
                    .map_or("None".to_string(), |a| PyResetAction(a).__repr__())
            ),
        }
    }
}
