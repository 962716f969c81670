//! `_native.EmulatorServer`: the Graph emulator crate, in-process on threads of its own, for
//! `intune_passcode.testing`. Conversion of Python settings only; every behaviour is the emulator crate's.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use graph_emulator::{
    ActionConfig, BackgroundEmulator, EmulatorConfig, FaultConfig, ScriptedResponse, Tenant,
    ThrottleConfig,
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

fn seconds(name: &str, v: f64) -> PyResult<Duration> {
    if v.is_finite() && (0.0..1e9).contains(&v) {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(PyValueError::new_err(format!(
            "{name} takes a number of seconds of 0 or more, not {v}"
        )))
    }
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
    /// Start an emulator; the settings are checked before anything starts.
    #[new]
    #[pyo3(signature = (*, devices=200, seed=1, throttle=None, faults=None, action_lag=None, action_lag_random=false,
                        action_done_after=0.0, tenant=None, tls=false, token_lifetime=3599.0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        devices: i64,
        seed: u64,
        throttle: Option<&Bound<'_, PyAny>>,
        faults: Option<&Bound<'_, PyDict>>,
        action_lag: Option<f64>,
        action_lag_random: bool,
        action_done_after: f64,
        tenant: Option<PathBuf>,
        tls: bool,
        token_lifetime: f64,
    ) -> PyResult<Self> {
        let tenant = match tenant {
            Some(path) => Some(Tenant::from_file(&path).map_err(PyValueError::new_err)?),
            None => None,
        };
        let token_lifetime = seconds("token_lifetime", token_lifetime)?;
        let config = EmulatorConfig {
            port: 0,
            tls,
            seed,
            devices: usize::try_from(devices).unwrap_or(0),
            tenant,
            throttle: self::throttle(throttle)?,
            faults: self::faults(faults)?,
            token_lifetime,
            action: ActionConfig {
                lag: seconds("action_lag", action_lag.unwrap_or(0.0))?,
                lag_random: action_lag_random,
                done_after: seconds("action_done_after", action_done_after)?,
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

    /// Devices reset more than once, with their counts.
    fn devices_reset_twice(&self) -> PyResult<Vec<(String, usize)>> {
        self.with(|e| e.devices_reset_twice())
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
        let responses: Vec<ScriptedResponse> = serde_json::from_str(responses)
            .map_err(|e| PyValueError::new_err(format!("script: {e}")))?;
        self.with(|e| e.script(device_id, responses))
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
