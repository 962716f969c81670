//! Core log records handed to a JavaScript function: `setLogger(fn, { level })` in the wrapper. The core logs
//! through `tracing`; with no tracing subscriber in a Node process its events become `log` records (tracing's `log`
//! feature), which this logger forwards. Records carry no token or secret: the core never logs them.

use std::sync::Mutex;

use napi::Status;
use napi::bindgen_prelude::Result;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

/// One log record as JavaScript receives it.
#[napi(object)]
pub struct LogRecord {
    /// `error`, `warn`, `info`, `debug` or `trace`.
    pub level: String,
    /// Where it comes from, e.g. `intune_passcode::client`.
    pub target: String,
    /// The message, with its fields.
    pub message: String,
}

/// The JavaScript side. Weak: a logger must never keep the process alive.
type LogFn = ThreadsafeFunction<LogRecord, (), LogRecord, Status, false, true>;

static HOOK: Mutex<Option<LogFn>> = Mutex::new(None);

struct Forward;

impl log::Log for Forward {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // A poisoned lock only means a logging thread panicked; the hook itself is still usable.
        let hook = HOOK.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = hook.as_ref() {
            let rec = LogRecord {
                level: record.level().as_str().to_ascii_lowercase(),
                target: record.target().to_string(),
                message: record.args().to_string(),
            };
            // NonBlocking on an unbounded queue: logging never waits for the event loop.
            let _ = f.call(rec, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    fn flush(&self) {}
}

static LOGGER: Forward = Forward;

/// Send records at `level` and above to `callback` (`null` stops logging). Levels: `off`, `error`, `warn`, `info`,
/// `debug`, `trace`.
#[napi]
pub fn set_log_hook(
    callback: Option<ThreadsafeFunction<LogRecord, (), LogRecord, Status, false, true>>,
    level: String,
) -> Result<()> {
    let filter: log::LevelFilter = level.parse().map_err(|_| {
        napi::Error::new(
            Status::InvalidArg,
            format!("level must be off, error, warn, info, debug or trace, not '{level}'"),
        )
    })?;
    // Installing twice fails harmlessly: the logger is the same static either way.
    let _ = log::set_logger(&LOGGER);
    let mut hook = HOOK.lock().unwrap_or_else(|p| p.into_inner());
    log::set_max_level(if callback.is_some() {
        filter
    } else {
        log::LevelFilter::Off
    });
    *hook = callback;
    Ok(())
}
