//! Core errors as Python exceptions: one exhaustive mapping from `ErrorKind` to the classes in `errors.py`.

use std::fmt;

use intune_passcode::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The `intune_passcode.errors` class for each kind. No `_` arm: a new kind fails to compile until mapped here.
pub fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidArgument => "InvalidArgumentError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::PermissionDenied => "PermissionDeniedError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::UnsupportedDevice => "UnsupportedDeviceError",
        ErrorKind::BadRequest => "BadRequestError",
        ErrorKind::Throttled => "ThrottledError",
        ErrorKind::ServiceUnavailable => "ServiceUnavailableError",
        ErrorKind::OutcomeUnknown => "OutcomeUnknownError",
        ErrorKind::Network => "NetworkError",
        ErrorKind::Timeout => "TimeoutError",
        ErrorKind::Credential => "CredentialError",
        ErrorKind::UnexpectedResponse => "UnexpectedResponseError",
    }
}

/// A Python exception carried through the core as an error's source, so it becomes `__cause__` again.
pub struct PyCause {
    /// The exception the Python code raised.
    pub err: PyErr,
    /// Its class name (never its message, which could hold a secret).
    pub type_name: String,
}

impl fmt::Display for PyCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Python raised {}", self.type_name)
    }
}

impl fmt::Debug for PyCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PyCause({})", self.type_name)
    }
}

impl std::error::Error for PyCause {}

impl PyCause {
    /// Wrap a Python exception.
    pub fn new(py: Python<'_>, err: PyErr) -> Self {
        let type_name = err
            .get_type(py)
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "an exception".into());
        PyCause { err, type_name }
    }
}

/// The Python exception for a core error, with its attributes and the original `__cause__` where there was one.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    match build(py, e) {
        Ok(err) => err,
        Err(fallback) => PyRuntimeError::new_err(format!(
            "{e} (and building its exception failed: {fallback})"
        )),
    }
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let cls = py
        .import("intune_passcode.errors")?
        .getattr(class_name(e.kind()))?;
    let kw = PyDict::new(py);
    kw.set_item("code", e.code())?;
    kw.set_item("status", e.status())?;
    kw.set_item("graph_code", e.graph_code())?;
    kw.set_item("graph_message", e.graph_message())?;
    kw.set_item("request_id", e.request_id())?;
    kw.set_item("client_request_id", e.client_request_id())?;
    kw.set_item("date", e.date())?;
    kw.set_item("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
    kw.set_item("attempts", e.attempts())?;
    kw.set_item(
        "intune_activity_id",
        e.intune().and_then(|i| i.activity_id.clone()),
    )?;
    kw.set_item(
        "intune_operation_id",
        e.intune().and_then(|i| i.operation_id.clone()),
    )?;
    kw.set_item(
        "sent_at",
        e.sent_at()
            .map(|t| crate::action::datetime(py, t))
            .transpose()?,
    )?;
    let value = cls.call((e.to_string(),), Some(&kw))?;
    let err = PyErr::from_value(value);
    let cause = std::error::Error::source(e).and_then(|s| s.downcast_ref::<PyCause>());
    if let Some(c) = cause {
        err.set_cause(py, Some(c.err.clone_ref(py)));
    }
    Ok(err)
}

/// A Python-side `InvalidArgumentError` (nothing sent).
pub fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py(py, &Error::invalid(message))
}
