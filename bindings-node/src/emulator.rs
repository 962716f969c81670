//! `EmulatorServer`: the Graph emulator crate, in-process on threads of its own, for `intune-passcode/testing`.
//! Conversion of settings only; every behaviour is the emulator crate's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use graph_emulator::{
    ActionConfig, BackgroundEmulator, EmulatorConfig, FaultConfig, Tenant, ThrottleConfig,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// `startEmulator(options)` as the native layer receives it (the wrapper splits `throttle`).
#[napi(object)]
pub struct EmulatorOptions {
    pub devices: Option<f64>,
    pub seed: Option<f64>,
    /// `intune`, `on`, `off` or `N/SECONDS`.
    pub throttle_spec: Option<String>,
    /// `throttle: [writes, seconds]`.
    pub throttle_writes: Option<f64>,
    pub throttle_seconds: Option<f64>,
    pub faults: Option<HashMap<String, f64>>,
    pub action_lag_ms: Option<f64>,
    pub action_lag_random: Option<bool>,
    pub action_done_after_ms: Option<f64>,
    /// A tenant file.
    pub tenant: Option<String>,
    pub tls: Option<bool>,
    pub token_lifetime_seconds: Option<f64>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Status::InvalidArg, message.into())
}

fn millis(name: &str, v: Option<f64>, default: Duration) -> Result<Duration> {
    v.map_or(Ok(default), |ms| {
        graph_emulator::config::seconds(name, ms / 1000.0).map_err(|_| {
            invalid(format!(
                "{name} takes a number of milliseconds of 0 or more, not {ms}"
            ))
        })
    })
}

fn whole(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v.fract() == 0.0 {
        Ok(v)
    } else {
        Err(invalid(format!("{name} must be a whole number, not {v}")))
    }
}

/// The emulator's settings from the options, checked before anything starts; an option not given is the fixture's
/// default (`EmulatorConfig::fixture`).
fn config(o: EmulatorOptions) -> Result<EmulatorConfig> {
    let d = EmulatorConfig::fixture();
    let devices = o.devices.map(|n| whole("devices", n)).transpose()?;
    let seed = o.seed.map(|n| whole("seed", n)).transpose()?;
    let throttle = match (o.throttle_spec, o.throttle_writes, o.throttle_seconds) {
        (Some(spec), None, None) => ThrottleConfig::parse(&spec).map_err(invalid)?,
        (None, Some(writes), Some(seconds)) => Some(
            ThrottleConfig::per_window(whole("throttle's writes", writes)? as i64, seconds)
                .map_err(invalid)?,
        ),
        (None, None, None) => None,
        _ => {
            return Err(invalid(
                "throttle takes 'intune', 'off' or [writes, seconds]",
            ));
        }
    };
    let faults = match o.faults {
        Some(f) => {
            FaultConfig::from_pairs(f.iter().map(|(k, v)| (k.as_str(), *v))).map_err(invalid)?
        }
        None => FaultConfig::none(),
    };
    let tenant = match o.tenant {
        Some(path) => Some(Tenant::from_file(std::path::Path::new(&path)).map_err(invalid)?),
        None => None,
    };
    let token_lifetime = match o.token_lifetime_seconds {
        Some(s) => graph_emulator::config::seconds("tokenLifetimeSeconds", s).map_err(invalid)?,
        None => d.token_lifetime,
    };
    let config = EmulatorConfig {
        port: 0,
        tls: o.tls.unwrap_or(false),
        seed: seed.map_or(d.seed, |s| if s < 0.0 { 0 } else { s as u64 }),
        devices: devices.map_or(d.devices, |n| if n < 1.0 { 0 } else { n as usize }),
        tenant,
        throttle,
        faults,
        token_lifetime,
        action: ActionConfig {
            lag: millis("actionLagMs", o.action_lag_ms, d.action.lag)?,
            lag_random: o.action_lag_random.unwrap_or(false),
            done_after: millis(
                "actionDoneAfterMs",
                o.action_done_after_ms,
                d.action.done_after,
            )?,
        },
    };
    config.check().map_err(invalid)?;
    Ok(config)
}

/// Starts an emulator on the libuv thread pool, so the event loop never waits for it.
pub struct StartEmulator {
    config: Option<EmulatorConfig>,
}

impl Task for StartEmulator {
    type Output = BackgroundEmulator;
    type JsValue = EmulatorServer;

    fn compute(&mut self) -> Result<BackgroundEmulator> {
        let config = self
            .config
            .take()
            .ok_or_else(|| Error::from_reason("the emulator was started already"))?;
        BackgroundEmulator::start(config).map_err(Error::from_reason)
    }

    fn resolve(&mut self, _env: Env, emulator: BackgroundEmulator) -> Result<EmulatorServer> {
        Ok(EmulatorServer {
            inner: Mutex::new(Some(emulator)),
        })
    }
}

/// Start an emulator: rejects with `InvalidArg` for settings it cannot use (nothing started).
#[napi(ts_return_type = "Promise<EmulatorServer>")]
pub fn start_emulator_server(options: EmulatorOptions) -> Result<AsyncTask<StartEmulator>> {
    Ok(AsyncTask::new(StartEmulator {
        config: Some(config(options)?),
    }))
}

/// A running emulator; `stop()` (or the process's end) releases it.
#[napi]
pub struct EmulatorServer {
    inner: Mutex<Option<BackgroundEmulator>>,
}

impl EmulatorServer {
    fn with<T>(&self, f: impl FnOnce(&BackgroundEmulator) -> T) -> Result<T> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .as_ref()
            .map(f)
            .ok_or_else(|| Error::from_reason("the emulator is stopped"))
    }
}

#[napi]
impl EmulatorServer {
    /// The `graph-emulator` binary's ready line (URLs, credentials, certificate files, samples), as JSON.
    #[napi]
    pub fn ready_json(&self) -> Result<String> {
        self.with(|e| e.ready_json().to_string())
    }

    /// Every device, or those of one platform, as JSON.
    #[napi]
    pub fn devices_json(&self, platform: Option<String>) -> Result<String> {
        self.with(|e| serde_json::Value::Array(e.devices_of(platform.as_deref())).to_string())
    }

    /// Executed resets of one device.
    #[napi]
    pub fn reset_count(&self, device_id: String) -> Result<u32> {
        self.with(|e| e.reset_count(&device_id) as u32)
    }

    /// Every executed reset, oldest first, as JSON.
    #[napi]
    pub fn resets_json(&self) -> Result<String> {
        self.with(|e| serde_json::Value::Array(e.resets()).to_string())
    }

    /// What `assertNoDeviceResetTwice` says when a device was reset more than once, else null.
    #[napi]
    pub fn reset_twice_report(&self) -> Result<Option<String>> {
        self.with(|e| e.reset_twice_report())
    }

    /// The requests that named one device, as JSON.
    #[napi]
    pub fn requests_json(&self, device_id: String) -> Result<String> {
        self.with(|e| serde_json::json!(e.requests(&device_id)).to_string())
    }

    /// The counters, as JSON.
    #[napi]
    pub fn stats_json(&self) -> Result<String> {
        self.with(|e| e.stats().to_string())
    }

    /// Queue answers (a JSON list of scripted responses) for the next requests that name a device.
    #[napi]
    pub fn script_json(&self, device_id: String, responses: String) -> Result<()> {
        self.with(|e| e.script_json(&device_id, &responses))?
            .map_err(invalid)
    }

    /// Take a device offline (its resets stay pending) or back; false when there is no such device.
    #[napi]
    pub fn set_offline(&self, device_id: String, offline: bool) -> Result<bool> {
        self.with(|e| e.set_offline(&device_id, offline))
    }

    /// The `AZURE_*` variables of the privileged app, as JSON.
    #[napi]
    pub fn env_json(&self) -> Result<String> {
        self.with(|e| {
            serde_json::Value::Object(
                e.env()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.into()))
                    .collect(),
            )
            .to_string()
        })
    }

    /// Whether it still runs.
    #[napi(getter)]
    pub fn running(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Stop serving, release the port and threads, remove its files; stopping twice does nothing.
    #[napi]
    pub fn stop(&self) {
        let emulator = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(e) = emulator {
            e.stop();
        }
    }
}

/// Every fault name `faults` takes (the wrapper's `FAULTS`).
#[napi]
pub fn fault_names() -> Vec<&'static str> {
    graph_emulator::FAULT_NAMES.to_vec()
}

/// The `intune-passcode-emulator` bin: the `graph-emulator` command line with `args` (program name first), until
/// Ctrl-C or SIGTERM; its exit code.
#[napi]
pub fn run_emulator(args: Vec<String>) -> i32 {
    graph_emulator::cli::run(args)
}
