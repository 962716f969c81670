//! `_native.EmulatorServer`: the Graph emulator crate, in-process on threads of its own, for
//! `intune_passcode.testing`. Conversion of Python settings only; every behaviour is the emulator crate's.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use graph_emulator::{
    ActionConfig, BackgroundEmulator, EmulatorConfig, FaultConfig, Tenant, ThrottleConfig,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// A running emulator; `stop()` (or the process's end) releases it.
#[pyclass(name = "EmulatorServer", module = "intune_passcode._native", frozen)]
pub struct PyEmulatorServer {
    inner: Mutex<Option<BackgroundEmulator>>,
}

/// `throttle="intune" | "on" | "off" | "N/SECONDS" | (writes, seconds) | None`.
fn throttle(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<ThrottleConfig>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(spec) = v.extract::<String>() {
        return ThrottleConfig::parse(&spec).map_err(PyValueError::new_err);
    }
    let pair = v
        .cast::<PyTuple>()
        .ok()
        .and_then(|t| t.extract::<(i64, f64)>().ok());
    if let Some((writes, seconds)) = pair {
        return ThrottleConfig::per_window(writes, seconds)
            .map(Some)
            .map_err(PyValueError::new_err);
    }
    Err(PyValueError::new_err(format!(
        "throttle takes \"intune\", \"off\" or (writes, seconds), not {}",
        v.repr()?
    )))
}

/// `faults={"429": 0.05, 504: 0.02, "latency_ms": 40}`.
fn faults(value: Option<&Bound<'_, PyDict>>) -> PyResult<FaultConfig> {
    let Some(d) = value else {
        return Ok(FaultConfig::none());
    };
    let mut pairs = Vec::new();
    for (k, v) in d.iter() {
        let name = match k.extract::<String>() {
            Ok(s) => s,
            Err(_) => k.str()?.to_string(),
        };
        let value: f64 = v.extract().map_err(|_| {
            PyValueError::new_err(format!(
                "faults: {name} must be a number, not {}",
                v.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        })?;
        pairs.push((name, value));
    }
    FaultConfig::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), *v)))
        .map_err(PyValueError::new_err)
}

fn seconds(name: &str, v: Option<f64>, default: Duration) -> PyResult<Duration> {
    v.map_or(Ok(default), |v| {
        graph_emulator::config::seconds(name, v).map_err(PyValueError::new_err)
    })
}

impl PyEmulatorServer {
    fn with<T>(&self, f: impl FnOnce(&BackgroundEmulator) -> T) -> PyResult<T> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .as_ref()
            .map(f)
            .ok_or_else(|| PyRuntimeError::new_err("the emulator is stopped"))
    }
}

#[pymethods]
impl PyEmulatorServer {
    /// Start an emulator; the settings are checked before anything starts. A setting not given is the
    /// fixture's default (`EmulatorConfig::fixture`).
    #[new]
    #[pyo3(signature = (*, devices=None, seed=None, throttle=None, faults=None, action_lag=None,
                        action_lag_random=false, action_done_after=None, tenant=None, tls=false,
                        token_lifetime=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        devices: Option<i64>,
        seed: Option<u64>,
        throttle: Option<&Bound<'_, PyAny>>,
        faults: Option<&Bound<'_, PyDict>>,
        action_lag: Option<f64>,
        action_lag_random: bool,
        action_done_after: Option<f64>,
        tenant: Option<PathBuf>,
        tls: bool,
        token_lifetime: Option<f64>,
    ) -> PyResult<Self> {
        let d = EmulatorConfig::fixture();
        let tenant = match tenant {
            Some(path) => Some(Tenant::from_file(&path).map_err(PyValueError::new_err)?),
            None => None,
        };
        let config = EmulatorConfig {
            port: 0,
            tls,
            seed: seed.unwrap_or(d.seed),
            devices: devices.map_or(d.devices, |n| usize::try_from(n).unwrap_or(0)),
            tenant,
            throttle: self::throttle(throttle)?,
            faults: self::faults(faults)?,
            token_lifetime: seconds("token_lifetime", token_lifetime, d.token_lifetime)?,
            action: ActionConfig {
                lag: seconds("action_lag", action_lag, d.action.lag)?,
                lag_random: action_lag_random,
                done_after: seconds("action_done_after", action_done_after, d.action.done_after)?,
            },
        };
        config.check().map_err(PyValueError::new_err)?;
        let emulator = py
            .detach(|| BackgroundEmulator::start(config))
            .map_err(PyRuntimeError::new_err)?;
        Ok(PyEmulatorServer {
            inner: Mutex::new(Some(emulator)),
        })
    }

    /// The ready line of the `graph-emulator` binary (URLs, credentials, certificate files, samples), as JSON.
    fn ready_json(&self) -> PyResult<String> {
        self.with(|e| e.ready_json().to_string())
    }

    /// Every device, or those of one platform, as JSON.
    #[pyo3(signature = (platform=None))]
    fn devices_json(&self, platform: Option<&str>) -> PyResult<String> {
        self.with(|e| serde_json::Value::Array(e.devices_of(platform)).to_string())
    }

    /// Executed resets of one device.
    fn reset_count(&self, device_id: &str) -> PyResult<usize> {
        self.with(|e| e.reset_count(device_id))
    }

    /// Every executed reset, oldest first, as JSON.
    fn resets_json(&self) -> PyResult<String> {
        self.with(|e| serde_json::Value::Array(e.resets()).to_string())
    }

    /// What `assert_no_device_reset_twice` says when a device was reset more than once, else `None`.
    fn reset_twice_report(&self) -> PyResult<Option<String>> {
        self.with(|e| e.reset_twice_report())
    }

    /// The requests that named one device, as JSON.
    fn requests_json(&self, device_id: &str) -> PyResult<String> {
        self.with(|e| serde_json::json!(e.requests(device_id)).to_string())
    }

    /// The counters, as JSON.
    fn stats_json(&self) -> PyResult<String> {
        self.with(|e| e.stats().to_string())
    }

    /// Queue answers (a JSON list of scripted responses) for the next requests that name a device.
    fn script_json(&self, device_id: &str, responses: &str) -> PyResult<()> {
        self.with(|e| e.script_json(device_id, responses))?
            .map_err(PyValueError::new_err)
    }

    /// Take a device offline (its resets stay pending) or back; false when there is no such device.
    fn set_offline(&self, device_id: &str, offline: bool) -> PyResult<bool> {
        self.with(|e| e.set_offline(device_id, offline))
    }

    /// The `AZURE_*` variables of the privileged app.
    fn env(&self) -> PyResult<Vec<(String, String)>> {
        self.with(|e| {
            e.env()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        })
    }

    /// Whether it still runs.
    #[getter]
    fn running(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Stop serving, release the port and threads, remove its files; stopping twice does nothing.
    fn stop(&self, py: Python<'_>) {
        let emulator = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(e) = emulator {
            py.detach(|| e.stop());
        }
    }
}

/// The `intune-passcode-emulator` console script: the `graph-emulator` command line with `argv`; its exit code.
#[pyfunction]
pub fn run_emulator(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(|| graph_emulator::cli::run(argv))
}
