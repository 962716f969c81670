//! Reading Python arguments: strings that may be wrong types or hold lone surrogates, and the client's options.

use intune_passcode::{
    Client, CredentialParts, ManagedIdentityId, Pace, Secret, Target, TextOptions,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::credential::PyCredential;
use crate::errors::{invalid, to_py};

/// A `str` argument: `TypeError` for another type, `InvalidArgumentError` when it cannot be UTF-8 (a lone
/// surrogate). `__str__` is never called, so an object whose `__str__` raises cannot get in.
pub fn text(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    let s = value.cast::<PyString>().map_err(|_| {
        let t = value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        PyTypeError::new_err(format!("{name} must be str, not {t}"))
    })?;
    s.to_cow().map(|c| c.into_owned()).map_err(|_| {
        invalid(
            py,
            format!("{name} is not valid text (it holds a lone surrogate)"),
        )
    })
}

/// An optional `str` argument (`None` allowed).
pub fn opt_text(
    py: Python<'_>,
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => text(py, name, v).map(Some),
    }
}

/// The target of one call.
pub fn target(
    py: Python<'_>,
    device_id: &Bound<'_, PyAny>,
    user_id: Option<&Bound<'_, PyAny>>,
    detected_app_id: Option<&Bound<'_, PyAny>>,
) -> PyResult<Target> {
    let d = text(py, "device_id", device_id)?;
    let u = opt_text(py, "user_id", user_id)?;
    let a = opt_text(py, "detected_app_id", detected_app_id)?;
    Target::new(d, u, a).map_err(|e| to_py(py, &e))
}

/// The constructor arguments shared by `Client` and `AsyncClient`.
pub struct ClientArgs<'a, 'py> {
    pub token: Option<&'a Bound<'py, PyAny>>,
    pub tenant_id: Option<&'a Bound<'py, PyAny>>,
    pub client_id: Option<&'a Bound<'py, PyAny>>,
    pub client_secret: Option<&'a Bound<'py, PyAny>>,
    pub base_url: Option<&'a Bound<'py, PyAny>>,
    pub authority_url: Option<&'a Bound<'py, PyAny>>,
    pub cloud: Option<&'a Bound<'py, PyAny>>,
    pub api_version: Option<&'a Bound<'py, PyAny>>,
    pub timeout: f64,
    pub max_retries: i64,
    pub ca_cert: Option<&'a Bound<'py, PyAny>>,
    pub proxy: Option<&'a Bound<'py, PyAny>>,
    pub certificate_path: Option<&'a Bound<'py, PyAny>>,
    pub certificate_password: Option<&'a Bound<'py, PyAny>>,
    pub send_certificate_chain: bool,
    pub managed_identity: Option<&'a Bound<'py, PyAny>>,
    pub workload_identity: bool,
    pub from_environment: bool,
}

/// `cls(**options, from_environment=True)`: both clients' `from_environment`.
pub fn from_environment<'py>(
    cls: &Bound<'py, pyo3::types::PyType>,
    options: Option<&Bound<'py, pyo3::types::PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = match options {
        Some(o) => o.copy()?,
        None => pyo3::types::PyDict::new(cls.py()),
    };
    kwargs.set_item("from_environment", true)?;
    cls.call((), Some(&kwargs))
}

/// `managed_identity=`: `True` (system-assigned), a user-assigned identity's client ID, or `None`/`False`.
fn managed_identity(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<ManagedIdentityId>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(b) = v.cast::<pyo3::types::PyBool>() {
        return Ok(b.is_true().then_some(ManagedIdentityId::SystemAssigned));
    }
    if v.cast::<PyString>().is_ok() {
        return Ok(Some(ManagedIdentityId::ClientId(text(
            py,
            "managed_identity",
            v,
        )?)));
    }
    let t = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(PyTypeError::new_err(format!(
        "managed_identity must be True or a client ID (str), not {t}"
    )))
}

/// Build the core client; `credential` (if any) is wrapped for sync or async use.
pub fn build_client(
    py: Python<'_>,
    a: ClientArgs<'_, '_>,
    credential: Option<PyCredential>,
) -> PyResult<Client> {
    crate::logger::ensure(py)?;
    let version = py.version_info();
    let mut b = Client::builder()
        .user_agent_suffix(format!("python/{}.{}", version.major, version.minor))
        .credential_parts(CredentialParts {
            token: opt_text(py, "token", a.token)?.map(Secret::new),
            tenant_id: opt_text(py, "tenant_id", a.tenant_id)?,
            client_id: opt_text(py, "client_id", a.client_id)?,
            client_secret: opt_text(py, "client_secret", a.client_secret)?.map(Secret::new),
            credential: credential.map(|c| std::sync::Arc::new(c) as _),
            certificate_path: opt_text(py, "certificate_path", a.certificate_path)?,
            certificate_password: opt_text(py, "certificate_password", a.certificate_password)?
                .map(Secret::new),
            send_certificate_chain: a.send_certificate_chain,
            managed_identity: managed_identity(py, a.managed_identity)?,
            workload_identity: a.workload_identity,
            from_environment: a.from_environment,
        })
        .timeout_secs(a.timeout);
    b = b.text_options(TextOptions {
        base_url: opt_text(py, "base_url", a.base_url)?,
        authority_url: opt_text(py, "authority_url", a.authority_url)?,
        cloud: opt_text(py, "cloud", a.cloud)?,
        api_version: opt_text(py, "api_version", a.api_version)?,
        ca_cert: opt_text(py, "ca_cert", a.ca_cert)?,
        proxy: opt_text(py, "proxy", a.proxy)?,
    });
    let retries = u32::try_from(a.max_retries).map_err(|_| {
        invalid(
            py,
            format!("max_retries must be from 0 to 10, not {}", a.max_retries),
        )
    })?;
    b.max_retries(retries).build().map_err(|e| to_py(py, &e))
}

/// `pace` as Python gives it: a name (`"intune"`) or `(writes, seconds)`; `None` (off) is the `Option` around it.
#[derive(FromPyObject)]
pub enum PaceArg {
    /// `"intune"` or `"off"`.
    Name(String),
    /// `(writes, seconds)`.
    Limit(i64, f64),
}

impl PaceArg {
    /// The default: Intune's write limit.
    pub fn intune() -> Option<PaceArg> {
        Some(PaceArg::Name("intune".into()))
    }
}

/// The core's pace: `None` is off.
pub fn pace(py: Python<'_>, value: Option<PaceArg>) -> PyResult<Pace> {
    let result = match value {
        None => Ok(Pace::Off),
        Some(PaceArg::Name(n)) => Pace::from_name(&n),
        Some(PaceArg::Limit(writes, seconds)) => match u32::try_from(writes) {
            Ok(w) => Pace::limit(w, seconds),
            Err(_) => Err(intune_passcode::Error::invalid(format!(
                "pace writes must be positive, not {writes}"
            ))),
        },
    };
    result.map_err(|e| to_py(py, &e))
}

/// `concurrency`: 1 to 1024 (checked by the core).
pub fn concurrency(py: Python<'_>, value: i64) -> PyResult<usize> {
    usize::try_from(value).map_err(|_| {
        invalid(
            py,
            format!("concurrency must be from 1 to 1024, not {value}"),
        )
    })
}

/// Seconds from Python (`within`, `timeout`, `verify_unknown`): above 0 and at most a year.
pub fn seconds(py: Python<'_>, name: &str, secs: f64) -> PyResult<std::time::Duration> {
    intune_passcode::duration_from_secs(name, secs).map_err(|e| to_py(py, &e))
}

/// A path from Python: `str` or any `os.PathLike` (`pathlib.Path`), as text.
pub fn path(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<std::path::PathBuf> {
    let fspath = py.import("os")?.getattr("fspath")?;
    let p = fspath.call1((value,)).map_err(|_| {
        PyTypeError::new_err(format!(
            "{name} must be a path (str or os.PathLike), not {}",
            value
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    let s: String = p
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be a text path, not bytes")))?;
    if s.is_empty() {
        return Err(invalid(py, format!("{name} is empty")));
    }
    Ok(std::path::PathBuf::from(s))
}
