//! Everything the emulator remembers while it runs: devices and their resets, tokens, throttle windows, scripts,
//! the request log and counters.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::config::{ActionConfig, EmulatorConfig, FaultConfig, ThrottleConfig};
use crate::tenant::{App, Tenant};

/// Requests kept in the log for `/_emulator/requests`.
const LOG_CAPACITY: usize = 20_000;

/// One executed reset, as Intune records it.
#[derive(Clone, Debug)]
pub struct ResetRecord {
    /// When it ran (RFC 3339).
    pub at: String,
    /// When it ran, on the wall clock.
    pub at_time: SystemTime,
    /// When it ran, on the monotonic clock (lag and completion are measured from here).
    pub at_instant: Instant,
    /// The new passcode (made for every reset; shown only where the platform has one).
    pub passcode: String,
    /// The request's path as sent (which of the three routes ran it); empty for a colleague's reset.
    pub path: String,
}

/// A device and what was done to it.
#[derive(Clone, Debug)]
pub struct DeviceState {
    /// From the tenant.
    pub user_id: String,
    /// From the tenant.
    pub platform: String,
    /// From the tenant.
    pub detected_app_ids: Vec<String>,
    /// Every executed reset, oldest first.
    pub resets: Vec<ResetRecord>,
    /// Resets by someone else (a colleague in the portal), oldest first: on record, never counted as ours.
    pub other_resets: Vec<ResetRecord>,
    /// Executed resets whose answer said they were not executed (the `503_after` fault): the only resets a correct
    /// client may repeat, since Graph told it to.
    pub answered_not_executed: u32,
    /// Never checks in (its actions stay pending).
    pub offline: bool,
    /// A work-profile device whose resets end `notSupported`.
    pub no_reset_token: bool,
}

/// A canned answer served instead of normal behaviour to the next request for a device (test vectors).
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
pub struct ScriptedResponse {
    /// HTTP status.
    pub status: u16,
    /// Extra headers.
    #[serde(default)]
    pub headers: HashMap<String, String>,
    /// JSON body (a string is sent as it is).
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// Record a reset on the device (when it exists). Default: only for 2xx.
    #[serde(default)]
    pub execute: Option<bool>,
    /// `reset_before` or `reset_after`: close the connection without answering.
    #[serde(default)]
    pub fault: Option<String>,
    /// Wait this long first.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Send a `Date` this many milliseconds from the emulator's clock (negative: behind), as a Graph whose clock
    /// differs from the caller's would.
    #[serde(default)]
    pub date_offset_ms: Option<i64>,
    /// Answer only a request of this method (`POST`, `GET`); requests of another pass by and leave it queued.
    #[serde(default)]
    pub method: Option<String>,
}

impl ScriptedResponse {
    /// A JSON list of answers (the control endpoint's and the fixtures' `script`): each either a connection
    /// fault (`reset_before`/`reset_after`, whose status is never sent) or an HTTP status from 100 to 599.
    pub fn list(value: serde_json::Value) -> Result<Vec<ScriptedResponse>, String> {
        let list: Vec<ScriptedResponse> =
            serde_json::from_value(value).map_err(|e| format!("bad script: {e}"))?;
        for r in &list {
            match r.fault.as_deref() {
                Some("reset_before" | "reset_after") => {}
                Some(other) => {
                    return Err(format!(
                        "bad script: unknown fault {other:?} (known: reset_before, reset_after)"
                    ));
                }
                None if !(100..=599).contains(&r.status) => {
                    return Err(format!(
                        "bad script: {} is not a status from 100 to 599",
                        r.status
                    ));
                }
                None => {}
            }
        }
        Ok(list)
    }
}

/// One Graph request as the emulator saw it.
#[derive(Clone, Debug, Serialize)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// The raw path (percent-encoding as sent) and query.
    pub path: String,
    /// The decoded managed-device ID, when the route names one.
    pub device_id: Option<String>,
    /// Headers, lower-case names; the bearer token is replaced by `***`.
    pub headers: HashMap<String, String>,
    /// Bytes of body received.
    pub body_len: usize,
    /// Milliseconds since the emulator started.
    pub at_ms: u64,
}

/// A token the emulator issued.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// Index into the tenant's apps.
    pub app: usize,
    /// When it stops working.
    pub expires: Instant,
}

/// Counters shown at `/_emulator/stats`.
#[derive(Default, Debug)]
pub struct Stats {
    /// Graph requests (not token or control requests).
    pub requests: AtomicU64,
    /// Resets executed.
    pub executed: AtomicU64,
    /// 429s sent, by the sliding-window throttle and by the `429` fault.
    pub throttled: AtomicU64,
    /// 429s sent by the sliding-window throttle alone (a client pacing below the limit never earns one).
    pub window_429: AtomicU64,
    /// Retries that came before the Retry-After we sent had passed.
    pub early_retries: AtomicU64,
    /// Token requests answered.
    pub token_requests: AtomicU64,
    /// Graph requests being handled now.
    pub in_flight: AtomicU64,
    /// The most Graph requests handled at once.
    pub max_in_flight: AtomicU64,
    /// Faults injected, by name.
    pub faults: Mutex<HashMap<String, u64>>,
}

/// Sliding windows of executed-or-accepted writes.
#[derive(Default)]
pub struct Windows {
    /// Per app index.
    pub per_app: HashMap<usize, VecDeque<Instant>>,
    /// The whole tenant.
    pub tenant: VecDeque<Instant>,
}

/// The emulator's shared state.
pub struct State {
    /// Directory ID.
    pub tenant_id: String,
    /// App registrations.
    pub apps: Vec<App>,
    /// Devices by ID.
    pub devices: Mutex<HashMap<String, DeviceState>>,
    /// Users that exist.
    pub users: HashSet<String>,
    /// Detected apps that exist.
    pub detected_apps: HashSet<String>,
    /// Tokens issued.
    pub tokens: Mutex<HashMap<String, IssuedToken>>,
    /// Throttle settings.
    pub throttle: Option<ThrottleConfig>,
    /// Throttle windows.
    pub windows: Mutex<Windows>,
    /// Fault settings.
    pub faults: FaultConfig,
    /// Timing of the action records.
    pub action: ActionConfig,
    /// The seed (per-device lags are drawn from it).
    pub seed: u64,
    /// Seeded generator for faults and passcodes.
    pub rng: Mutex<fastrand::Rng>,
    /// Issued token lifetime.
    pub token_lifetime: Duration,
    /// Scripts by device ID.
    pub scripts: Mutex<HashMap<String, VecDeque<ScriptedResponse>>>,
    /// Recent requests.
    pub log: Mutex<VecDeque<LoggedRequest>>,
    /// client-request-id → the earliest a retry may come.
    pub not_before: Mutex<HashMap<String, Instant>>,
    /// Counters.
    pub stats: Stats,
    /// A long-lived token for the first privileged app, printed on start.
    pub demo_token: String,
    /// When the emulator started.
    pub started: Instant,
    /// The same moment on the system clock, in milliseconds since 1970: a request's `at_ms` plus this is its
    /// wall-clock time, which another process can compare with its own (start-up benchmarks).
    pub started_unix_ms: f64,
    /// Certificates, federated issuer, managed identity.
    pub identity: crate::identity::Identity,
}

/// Counts a Graph request in flight while it lives.
pub struct InFlight<'a>(&'a Stats);

impl<'a> InFlight<'a> {
    /// Count one more request in flight.
    pub fn enter(stats: &'a Stats) -> Self {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(stats)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Lock a mutex even if a panicking holder poisoned it (state stays usable for the other requests).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl State {
    /// State for a tenant and settings.
    pub fn new(
        tenant: Tenant,
        config: &EmulatorConfig,
        identity: crate::identity::Identity,
    ) -> State {
        let users = tenant.devices.iter().map(|d| d.user_id.clone()).collect();
        let detected_apps = tenant
            .devices
            .iter()
            .flat_map(|d| d.detected_app_ids.iter().cloned())
            .collect();
        let devices = tenant
            .devices
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    DeviceState {
                        user_id: d.user_id.clone(),
                        platform: d.platform.clone(),
                        detected_app_ids: d.detected_app_ids.clone(),
                        resets: Vec::new(),
                        other_resets: Vec::new(),
                        answered_not_executed: 0,
                        offline: d.offline,
                        no_reset_token: d.no_reset_token,
                    },
                )
            })
            .collect();
        let privileged = tenant.apps.iter().position(|a| a.privileged).unwrap_or(0);
        let demo_token = format!("emu-demo.{}", uuid::Uuid::new_v4().simple());
        let mut tokens = HashMap::new();
        tokens.insert(
            demo_token.clone(),
            IssuedToken {
                app: privileged,
                expires: Instant::now() + Duration::from_secs(10 * 365 * 86_400),
            },
        );
        State {
            tenant_id: tenant.tenant_id,
            apps: tenant.apps,
            devices: Mutex::new(devices),
            users,
            detected_apps,
            tokens: Mutex::new(tokens),
            throttle: config.throttle.clone(),
            windows: Mutex::new(Windows::default()),
            faults: config.faults.clone(),
            action: config.action.clone(),
            seed: config.seed,
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed ^ 0x5eed_fa17)),
            token_lifetime: config.token_lifetime,
            scripts: Mutex::new(HashMap::new()),
            log: Mutex::new(VecDeque::new()),
            not_before: Mutex::new(HashMap::new()),
            stats: Stats::default(),
            demo_token,
            started: Instant::now(),
            started_unix_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            identity,
        }
    }

    /// Issue a token for app `app`.
    pub fn issue_token(&self, app: usize) -> (String, Duration) {
        let token = format!("emu.{}", uuid::Uuid::new_v4().simple());
        lock(&self.tokens).insert(
            token.clone(),
            IssuedToken {
                app,
                expires: Instant::now() + self.token_lifetime,
            },
        );
        (token, self.token_lifetime)
    }

    /// Count a fault.
    pub fn count_fault(&self, name: &str) {
        *lock(&self.stats.faults)
            .entry(name.to_string())
            .or_default() += 1;
    }

    /// Add to the request log, forgetting the oldest past capacity.
    pub fn log_request(&self, entry: LoggedRequest) {
        let mut log = lock(&self.log);
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }

    /// Record an executed reset on a device, by the request to `path`; returns false when there is no such device.
    pub fn execute(&self, device_id: &str, path: &str) -> bool {
        let passcode = {
            let mut rng = lock(&self.rng);
            format!("{:08}", rng.u32(..100_000_000))
        };
        let mut devices = lock(&self.devices);
        let Some(d) = devices.get_mut(device_id) else {
            return false;
        };
        let now = SystemTime::now();
        d.resets.push(ResetRecord {
            at: humantime::format_rfc3339_millis(now).to_string(),
            at_time: now,
            at_instant: Instant::now(),
            passcode,
            path: path.to_string(),
        });
        self.stats.executed.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Record a reset of `device_id` by someone else that started `ago` before now (its record shows; it is not
    /// counted as an executed request).
    pub fn execute_elsewhere(&self, device_id: &str, ago: Duration) {
        let mut devices = lock(&self.devices);
        if let Some(d) = devices.get_mut(device_id) {
            let at_time = SystemTime::now() - ago;
            d.other_resets.push(ResetRecord {
                at: humantime::format_rfc3339_millis(at_time).to_string(),
                at_time,
                at_instant: Instant::now().checked_sub(ago).unwrap_or_else(Instant::now),
                passcode: "00000000".into(),
                path: String::new(),
            });
        }
    }

    /// Note that the last reset of `device_id` was executed but answered as not executed (a lying 503).
    pub fn note_answered_not_executed(&self, device_id: &str) {
        if let Some(d) = lock(&self.devices).get_mut(device_id) {
            d.answered_not_executed += 1;
        }
    }

    /// Note that a retry of `client_request_id` must not come before `wait` from now.
    pub fn expect_retry_after(&self, client_request_id: &str, wait: Duration) {
        lock(&self.not_before).insert(client_request_id.to_string(), Instant::now() + wait);
    }

    /// Count an early retry when this client-request-id was told to wait and came back sooner.
    pub fn check_early_retry(&self, client_request_id: &str) {
        let due = lock(&self.not_before).remove(client_request_id);
        if let Some(due) = due
            && Instant::now() < due
        {
            self.stats.early_retries.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                client_request_id,
                "early retry: came back before its Retry-After"
            );
        }
    }

    /// Take a write slot for `app`, or say how long until one frees up.
    pub fn take_write_slot(&self, app: usize) -> Result<(), Duration> {
        let Some(t) = &self.throttle else {
            return Ok(());
        };
        let now = Instant::now();
        let mut w = lock(&self.windows);
        let Windows { per_app, tenant } = &mut *w;
        let app_q = per_app.entry(app).or_default();
        for q in [&mut *app_q, &mut *tenant] {
            while q
                .front()
                .is_some_and(|s| now.duration_since(*s) >= t.window)
            {
                q.pop_front();
            }
        }
        let wait_for = |q: &VecDeque<Instant>| {
            q.front()
                .map(|s| (*s + t.window).saturating_duration_since(now))
                .unwrap_or_default()
        };
        if app_q.len() >= t.app_limit as usize {
            return Err(wait_for(app_q));
        }
        if tenant.len() >= t.tenant_limit as usize {
            return Err(wait_for(tenant));
        }
        app_q.push_back(now);
        tenant.push_back(now);
        Ok(())
    }

    /// The device's latest `resetPasscode` record as Graph shows it in `deviceActionResults` at `now`, or `None`
    /// when there is none or it is not visible yet.
    pub fn action_result(
        &self,
        device_id: &str,
        d: &DeviceState,
        now: Instant,
    ) -> Option<serde_json::Value> {
        // The latest record, ours or someone else's.
        let r = match (d.resets.last(), d.other_resets.last()) {
            (Some(a), Some(b)) if b.at_time > a.at_time => b,
            (Some(a), _) => a,
            (None, b) => b?,
        };
        let lag = if self.action.lag_random {
            // Each device its own lag, stable across reads: drawn from the seed and the device ID.
            let mut h = self.seed ^ 0x1a6_1a6;
            for b in device_id.bytes() {
                h = h.wrapping_mul(0x100_0000_01b3) ^ u64::from(b);
            }
            self.action.lag.mul_f64(fastrand::Rng::with_seed(h).f64())
        } else {
            self.action.lag
        };
        if now < r.at_instant + lag {
            return None;
        }
        let finished = !d.offline && now >= r.at_instant + self.action.done_after;
        let (state, passcode) = match (finished, d.platform.as_str()) {
            (false, _) => ("pending", None),
            (true, "androidWorkProfile") if d.no_reset_token => ("notSupported", None),
            (true, "iOS" | "iPadOS") => ("done", None),
            (true, _) => ("done", Some(r.passcode.clone())),
        };
        let updated = if finished {
            r.at_time + self.action.done_after
        } else {
            r.at_time
        };
        Some(serde_json::json!({
            "@odata.type": "#microsoft.graph.resetPasscodeActionResult",
            "actionName": "resetPasscode",
            "actionState": state,
            "startDateTime": r.at,
            "lastUpdatedDateTime": humantime::format_rfc3339_millis(updated).to_string(),
            "passcode": passcode,
            "errorCode": 0,
        }))
    }

    /// Draw a number in [0, 1) from the seeded generator.
    pub fn roll(&self) -> f64 {
        lock(&self.rng).f64()
    }
}
