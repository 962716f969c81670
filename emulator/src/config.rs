//! The emulator's settings: tenant size, throttling, faults, token lifetime, TLS.

use std::time::Duration;

/// Intune's write limit per app per tenant, and per tenant, in any 20 s.
pub const INTUNE_APP_WRITES: u32 = 200;
/// Per tenant across apps.
pub const INTUNE_TENANT_WRITES: u32 = 400;
/// The window both limits are counted in.
pub const INTUNE_WINDOW: Duration = Duration::from_secs(20);

/// Sliding-window write limits (not clock-aligned), with a window that can be scaled down for fast tests.
#[derive(Clone, Debug, PartialEq)]
pub struct ThrottleConfig {
    /// Writes per app per tenant in any window.
    pub app_limit: u32,
    /// Writes per tenant in any window.
    pub tenant_limit: u32,
    /// The window.
    pub window: Duration,
}

impl ThrottleConfig {
    /// Intune's documented limits: 200 per app and 400 per tenant in any 20 s.
    pub fn intune() -> Self {
        ThrottleConfig {
            app_limit: INTUNE_APP_WRITES,
            tenant_limit: INTUNE_TENANT_WRITES,
            window: INTUNE_WINDOW,
        }
    }

    /// Parse `intune` (or `on`), `off` or `N/SECONDS` (N per app, 2N per tenant, in a window of SECONDS, fractions
    /// allowed).
    pub fn parse(spec: &str) -> Result<Option<ThrottleConfig>, String> {
        match spec.trim() {
            "on" | "intune" => Ok(Some(ThrottleConfig::intune())),
            "off" => Ok(None),
            other => {
                let (n, secs) = other.split_once('/').ok_or_else(|| {
                    format!("throttle takes intune (or on), off or N/SECONDS, not '{other}'")
                })?;
                let n: i64 = n
                    .trim()
                    .parse()
                    .map_err(|_| format!("throttle: '{n}' is not a positive whole number"))?;
                let secs: f64 = secs
                    .trim()
                    .parse()
                    .map_err(|_| format!("throttle: '{secs}' is not a number of seconds"))?;
                ThrottleConfig::per_window(n, secs).map(Some)
            }
        }
    }

    /// `writes` per app (twice that per tenant) in any `seconds`: the `(writes, seconds)` form of the bindings.
    pub fn per_window(writes: i64, seconds: f64) -> Result<ThrottleConfig, String> {
        let n = u32::try_from(writes)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("throttle: {writes} writes is not a positive whole number"))?;
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
            return Err(format!(
                "throttle: {seconds} is not a number of seconds above 0 (at most a day)"
            ));
        }
        Ok(ThrottleConfig {
            app_limit: n,
            tenant_limit: n.saturating_mul(2),
            window: Duration::from_secs_f64(seconds),
        })
    }
}

/// Injected faults: each a probability per Graph write request (0.0 to 1.0), drawn from the seeded generator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultConfig {
    /// 429 `TooManyRequests` with `Retry-After` (not executed).
    pub throttle_429: f64,
    /// 503 `ServiceUnavailable` with `Retry-After` (not executed).
    pub unavailable_503: f64,
    /// 500 `InternalServerError`: Graph can fail after acting, so half of these hits ran the reset (seeded).
    pub error_500: f64,
    /// 504 `GatewayTimeout`: the gateway gave up; the backend ran the reset on half of these hits (seeded), as a
    /// gateway timeout cannot tell.
    pub timeout_504: f64,
    /// 503 `ServiceUnavailable` with `Retry-After` after the reset ran: a gateway that lied (the client's legitimate
    /// retry then meets an executed attempt).
    pub unavailable_503_after: f64,
    /// Connection closed without an answer, before executing.
    pub reset_before: f64,
    /// Connection closed without an answer, after executing (the ambiguous case).
    pub reset_after: f64,
    /// Answer delayed by `latency_ms`, then served normally; the reset runs even if the client has gone (Graph's
    /// backend does not stop when the caller hangs up).
    pub latency: f64,
    /// The delay of a latency fault.
    pub latency_ms: u64,
    /// `Retry-After` seconds sent with fault 429s and 503s (fractions allowed).
    pub retry_after_secs: f64,
    /// Reads (`GET` a managed device): 429 `TooManyRequests` with `Retry-After`.
    pub read_429: f64,
    /// Reads: 503 `ServiceUnavailable` with `Retry-After`.
    pub read_503: f64,
    /// 599 from a TLS-inspecting proxy for a request that went upstream: the reset ran on half of these hits.
    pub error_599: f64,
    /// A colleague reset the device in the portal `STALE_SECS` ago (a record that is not this request's), and this
    /// request's answer is a 504 that never ran: a client must not take the older record for its own.
    pub stale_504: f64,
}

/// How long before a `stale_504` hit its colleague's reset started: inside the old 30 s allowance, well past the
/// few seconds of a measured clock.
pub const STALE_SECS: u64 = 20;

impl FaultConfig {
    /// No faults, with the default latency (5 s) and `Retry-After` (1 s).
    pub fn none() -> FaultConfig {
        FaultConfig {
            latency_ms: 5000,
            retry_after_secs: 1.0,
            ..FaultConfig::default()
        }
    }

    /// Parse `429=0.05,503=0.05,503_after=0.01,500=0.02,504=0.02,reset_before=0.01,reset_after=0.01,latency=0.01,
    /// latency_ms=5000,retry_after=1,read_429=0.05,read_503=0.05`; `none` or an empty string is no faults.
    pub fn parse(spec: &str) -> Result<FaultConfig, String> {
        let spec = spec.trim();
        if spec.is_empty() || spec == "none" {
            return Ok(FaultConfig::none());
        }
        let mut pairs = Vec::new();
        for part in spec.split(',') {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("faults: '{part}' is not NAME=VALUE"))?;
            let v: f64 = v
                .trim()
                .parse()
                .map_err(|_| format!("faults: '{v}' is not a number of 0 or more"))?;
            pairs.push((k.trim(), v));
        }
        FaultConfig::from_pairs(pairs)
    }

    /// Faults from `(name, value)` pairs (the bindings' `{"429": 0.05}`), each name one of [`FAULT_NAMES`]; checked
    /// as [`FaultConfig::parse`] checks them.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, f64)>,
    ) -> Result<FaultConfig, String> {
        let mut f = FaultConfig::none();
        for (k, v) in pairs {
            f.set(k, v)?;
        }
        f.check()?;
        Ok(f)
    }

    /// Set one fault by its name: a rate from 0 to 1, or `latency_ms` / `retry_after` (0 or more).
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), String> {
        if !(value.is_finite() && value >= 0.0) {
            return Err(format!(
                "faults: {name}={value} is not a number of 0 or more"
            ));
        }
        let rate = || {
            if value <= 1.0 {
                Ok(value)
            } else {
                Err(format!("faults: {name}={value} is not a rate from 0 to 1"))
            }
        };
        match name {
            "429" => self.throttle_429 = rate()?,
            "503" => self.unavailable_503 = rate()?,
            "503_after" => self.unavailable_503_after = rate()?,
            "500" => self.error_500 = rate()?,
            "504" => self.timeout_504 = rate()?,
            "reset_before" => self.reset_before = rate()?,
            "reset_after" => self.reset_after = rate()?,
            "latency" => self.latency = rate()?,
            "latency_ms" => self.latency_ms = value.min(86_400_000.0) as u64,
            "retry_after" => self.retry_after_secs = value.min(86_400.0),
            "read_429" => self.read_429 = rate()?,
            "read_503" => self.read_503 = rate()?,
            "599" => self.error_599 = rate()?,
            "stale_504" => self.stale_504 = rate()?,
            other => {
                return Err(format!(
                    "faults: unknown fault '{other}' (known: {})",
                    FAULT_NAMES.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The write faults are one draw, so their rates may add up to 1 at most; the read faults likewise.
    fn check(&self) -> Result<(), String> {
        let total = self.throttle_429
            + self.unavailable_503
            + self.unavailable_503_after
            + self.error_500
            + self.timeout_504
            + self.error_599
            + self.stale_504
            + self.reset_before
            + self.reset_after;
        if total > 1.0 + 1e-9 {
            return Err(format!(
                "faults: the write fault rates add up to {total}, more than 1"
            ));
        }
        if self.read_429 + self.read_503 > 1.0 + 1e-9 {
            return Err("faults: read_429 and read_503 add up to more than 1".into());
        }
        Ok(())
    }
}

/// Every fault name [`FaultConfig::set`] knows.
pub const FAULT_NAMES: [&str; 14] = [
    "429",
    "503",
    "503_after",
    "500",
    "504",
    "599",
    "stale_504",
    "reset_before",
    "reset_after",
    "latency",
    "latency_ms",
    "retry_after",
    "read_429",
    "read_503",
];

/// How the emulator keeps each executed reset's record (`deviceActionResults`). Graph documents no timing, so both
/// delays are settings: tests use them to exercise a client's tolerance.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionConfig {
    /// How long after the reset its entry becomes visible (the most, per device, with `lag_random`).
    pub lag: Duration,
    /// Draw each device's lag from 0 to `lag` (seeded by the device ID) instead of using `lag` for all.
    pub lag_random: bool,
    /// How long an online device takes to check in: `pending` until then, then `done` (or `notSupported`).
    pub done_after: Duration,
}

impl Default for ActionConfig {
    /// Visible at once; done after 1 s.
    fn default() -> Self {
        ActionConfig {
            lag: Duration::ZERO,
            lag_random: false,
            done_after: Duration::from_secs(1),
        }
    }
}

impl ActionConfig {
    /// Parse `--action-lag`: milliseconds, or `random:MS` (each device its own lag up to MS).
    pub fn parse_lag(&mut self, spec: &str) -> Result<(), String> {
        let (random, ms) = match spec.trim().strip_prefix("random:") {
            Some(ms) => (true, ms),
            None => (false, spec.trim()),
        };
        let ms: u64 = ms
            .parse()
            .map_err(|_| format!("--action-lag takes MS or random:MS, not '{spec}'"))?;
        self.lag = Duration::from_millis(ms);
        self.lag_random = random;
        Ok(())
    }
}

/// Everything the emulator can be told.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// TCP port on 127.0.0.1 (0: any free one).
    pub port: u16,
    /// Serve HTTPS with a generated CA (its PEM is in the handle and the ready line).
    pub tls: bool,
    /// Seed of the generated tenant and of the fault draws.
    pub seed: u64,
    /// Managed devices in the generated tenant (ignored with `tenant`).
    pub devices: usize,
    /// A tenant loaded from a file instead of generated.
    pub tenant: Option<crate::tenant::Tenant>,
    /// Write limits; `None` is no throttling.
    pub throttle: Option<ThrottleConfig>,
    /// Injected faults.
    pub faults: FaultConfig,
    /// How long issued tokens live.
    pub token_lifetime: Duration,
    /// When executed resets show in `deviceActionResults`, and when they complete.
    pub action: ActionConfig,
}

impl Default for EmulatorConfig {
    /// For tests: any port, plain HTTP, 3,000 devices, no throttling, no faults, tokens live an hour.
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            tls: false,
            seed: 1,
            devices: 3000,
            tenant: None,
            throttle: None,
            faults: FaultConfig::none(),
            token_lifetime: Duration::from_secs(3599),
            action: ActionConfig::default(),
        }
    }
}

/// The most devices a generated tenant may have.
pub const MAX_DEVICES: usize = 10_000_000;

/// A span the bindings give as a number of seconds (`name` for the message): finite, 0 or more, below 10⁹.
pub fn seconds(name: &str, value: f64) -> Result<Duration, String> {
    if value.is_finite() && (0.0..1e9).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(format!(
            "{name} takes a number of seconds of 0 or more, not {value}"
        ))
    }
}

impl EmulatorConfig {
    /// The test fixture's defaults (Python's `Emulator()`, Node's `startEmulator()`): 200 devices, no throttling, no
    /// faults, resets done as soon as they are recorded.
    pub fn fixture() -> Self {
        EmulatorConfig {
            devices: 200,
            action: ActionConfig {
                done_after: Duration::ZERO,
                ..ActionConfig::default()
            },
            ..EmulatorConfig::default()
        }
    }

    /// Refuse settings that cannot make an emulator (checked by [`crate::Emulator::start`], so every front door
    /// gets the same message).
    pub fn check(&self) -> Result<(), String> {
        if self.tenant.is_none() && !(1..=MAX_DEVICES).contains(&self.devices) {
            return Err(format!(
                "devices must be from 1 to {MAX_DEVICES}, not {}",
                self.devices
            ));
        }
        if self.token_lifetime.is_zero() {
            return Err("the token lifetime must be above 0".into());
        }
        self.faults.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(
            ThrottleConfig::parse("on").unwrap(),
            Some(ThrottleConfig::intune())
        );
        assert_eq!(ThrottleConfig::parse("off").unwrap(), None);
        let t = ThrottleConfig::parse("200/2").unwrap().unwrap();
        assert_eq!(
            (t.app_limit, t.tenant_limit, t.window),
            (200, 400, Duration::from_secs(2))
        );
        for bad in ["", "x", "0/2", "5/0", "5/-1", "a/b"] {
            assert!(ThrottleConfig::parse(bad).is_err(), "{bad}");
        }
        let f = FaultConfig::parse("429=0.05,reset_after=0.01,latency_ms=10").unwrap();
        assert_eq!(
            (f.throttle_429, f.reset_after, f.latency_ms),
            (0.05, 0.01, 10)
        );
        for bad in ["429", "429=2", "nope=0.1", "429=0.6,503=0.6", "500=-1"] {
            assert!(FaultConfig::parse(bad).is_err(), "{bad}");
        }
    }
}
