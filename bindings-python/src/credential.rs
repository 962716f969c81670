//! A Python credential object (azure-identity's or any with `get_token(*scopes)` returning `.token` and
//! `.expires_on`) as a core `TokenCredential`. The core caches what it returns.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use intune_passcode::{AccessToken, Error, ErrorKind, TokenCredential};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3_async_runtimes::TaskLocals;

use crate::errors::PyCause;

/// Wraps the object; `locals` is the event loop an `AsyncClient` call came from (for async `get_token`).
pub struct PyCredential {
    obj: Arc<Py<PyAny>>,
    locals: Option<Arc<Mutex<Option<TaskLocals>>>>,
}

impl PyCredential {
    /// For `Client`: `get_token` is called on a blocking thread and must return the token.
    pub fn blocking(obj: Py<PyAny>) -> Self {
        PyCredential {
            obj: Arc::new(obj),
            locals: None,
        }
    }

    /// For `AsyncClient`: `get_token` may return an awaitable, awaited on the loop the call came from.
    pub fn asynchronous(obj: Py<PyAny>, locals: Arc<Mutex<Option<TaskLocals>>>) -> Self {
        PyCredential {
            obj: Arc::new(obj),
            locals: Some(locals),
        }
    }
}

fn failed(py: Python<'_>, err: PyErr) -> Error {
    let cause = PyCause::new(py, err);
    Error::new(
        ErrorKind::Credential,
        format!("the credential object's get_token failed: {cause}"),
    )
    .with_cause(Box::new(cause))
}

fn garbage(what: &str) -> Error {
    Error::new(
        ErrorKind::Credential,
        format!(
            "the credential object's get_token returned {what}; expected an object with a str .token and .expires_on (epoch seconds)"
        ),
    )
}

/// `.token` and `.expires_on` of what `get_token` returned.
fn access_token(value: &Bound<'_, PyAny>) -> Result<AccessToken, Error> {
    let token: String = value
        .getattr("token")
        .and_then(|t| t.extract())
        .map_err(|_| garbage("no str .token"))?;
    if token.is_empty() || !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(garbage("an empty or non-printable token"));
    }
    let expires_on = match value.getattr("expires_on") {
        Ok(v) if v.is_none() => None,
        Ok(v) => {
            let secs: f64 = v
                .extract()
                .map_err(|_| garbage("a .expires_on that is not a number"))?;
            if !(0.0..=1e11).contains(&secs) {
                return Err(garbage("a .expires_on out of range"));
            }
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs))
        }
        Err(_) => None,
    };
    Ok(AccessToken::new(token, expires_on))
}

/// The interpreter is exiting: the credential is not called any more.
fn exiting() -> Error {
    Error::new(
        ErrorKind::Credential,
        "Python is exiting: the credential was not called",
    )
}

fn call(py: Python<'_>, obj: &Py<PyAny>, scopes: &[String]) -> Result<Py<PyAny>, Error> {
    let args = PyTuple::new(py, scopes).map_err(|e| failed(py, e))?;
    obj.call_method1(py, "get_token", args)
        .map_err(|e| failed(py, e))
}

impl TokenCredential for PyCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        let obj = self.obj.clone();
        let scopes = scopes.to_vec();
        let locals = self
            .locals
            .as_ref()
            .and_then(|l| l.lock().ok().and_then(|g| g.clone()));
        Box::pin(async move {
            // Creating the call (and, for sync credentials, running it) may block: do it off the runtime's threads.
            let first = tokio::task::spawn_blocking(move || {
                crate::foreign::attach(|py| -> Result<_, Error> {
                    let value = call(py, &obj, &scopes)?;
                    let bound = value.bind(py);
                    if bound.hasattr("__await__").unwrap_or(false) {
                        match &locals {
                            Some(l) => {
                                pyo3_async_runtimes::into_future_with_locals(l, bound.clone())
                                    .map(either_future)
                                    .map_err(|e| failed(py, e))
                            }
                            None => {
                                let _ = bound.call_method0("close");
                                Err(garbage(
                                    "a coroutine; use AsyncClient for an async credential",
                                ))
                            }
                        }
                    } else {
                        access_token(bound).map(Either::Ready)
                    }
                })
            })
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Credential,
                    format!("the credential call did not finish: {e}"),
                )
            })?
            .unwrap_or_else(|| Err(exiting()))?;
            match first {
                Either::Ready(t) => Ok(t),
                Either::Pending(fut) => {
                    let value = fut.await;
                    crate::foreign::attach(|py| match value {
                        Ok(v) => access_token(v.bind(py)),
                        Err(e) => Err(failed(py, e)),
                    })
                    .unwrap_or_else(|| Err(exiting()))
                }
            }
        })
    }
}

type PyFuture = std::pin::Pin<Box<dyn std::future::Future<Output = PyResult<Py<PyAny>>> + Send>>;

enum Either {
    Ready(AccessToken),
    Pending(PyFuture),
}

fn either_future(
    f: impl std::future::Future<Output = PyResult<Py<PyAny>>> + Send + 'static,
) -> Either {
    Either::Pending(Box::pin(f))
}
