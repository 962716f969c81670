//! Bulk runs from Node: the wrapper pushes device IDs in batches (from any iterable or async iterable) and pulls
//! outcomes with `next()`; the core does the rest.

use std::sync::Arc;

use futures_util::StreamExt;
use intune_passcode::{BulkOptions, Client, Error, Pace, Receipt, Target};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use tokio::sync::{Mutex, mpsc};

use crate::cancel::CancelToken;
use crate::errors::to_napi;
use crate::{ReceiptJs, opt_text, text};

/// The rejection for an aborted call or run (the wrapper makes it an `AbortError`).
pub fn aborted() -> napi::Error {
    napi::Error::new(
        napi::Status::Cancelled,
        r#"{"name":"AbortError","code":"ABORT_ERR","message":"aborted"}"#,
    )
}

/// Pacing: `name` (`"intune"` or `"off"`), or `writes` per `seconds`.
#[napi(object)]
pub struct PaceJs {
    pub name: Option<String>,
    pub writes: Option<f64>,
    pub seconds: Option<f64>,
}

/// One outcome: the input's index and its receipt or error record.
#[napi(object)]
pub struct BulkOutcome {
    pub index: u32,
    pub receipt: Option<ReceiptJs>,
    /// The error record (JSON), as in a rejection.
    pub error: Option<String>,
}

type Input = (u32, std::result::Result<Target, Error>);
type Outcome = (u32, std::result::Result<Receipt, Error>);

/// A running bulk job.
#[napi]
pub struct NativeBulk {
    input: std::sync::Mutex<Option<mpsc::Sender<Input>>>,
    outcomes: Arc<Mutex<mpsc::Receiver<Outcome>>>,
    next_index: std::sync::atomic::AtomicU32,
    user_id: Option<String>,
    detected_app_id: Option<String>,
    cancel: CancelToken,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for NativeBulk {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The journal options: `path` (none: no journal), `retry_failed`, `resend_unconfirmed`, `recent_ms` (another job's
/// reset within this many milliseconds holds a device; none: not consulted).
#[napi(object)]
pub struct JournalJs {
    pub path: Option<String>,
    pub retry_failed: bool,
    pub resend_unconfirmed: bool,
    pub recent_ms: Option<f64>,
}

/// A bulk run's options as JavaScript gave them.
pub struct Settings {
    pub concurrency: f64,
    pub pace: PaceJs,
    /// Milliseconds to look for the record of a reset whose answer was lost; `None`: do not look.
    pub verify_unknown_ms: Option<f64>,
    pub journal: JournalJs,
}

pub fn start(
    client: &Client,
    settings: Settings,
    user_id: Option<Utf16String>,
    detected_app_id: Option<Utf16String>,
    cancel: Option<CancelToken>,
) -> Result<NativeBulk> {
    let Settings {
        concurrency,
        pace,
        verify_unknown_ms,
        journal,
    } = settings;
    let setup = || -> std::result::Result<_, Error> {
        // null or 0: off, as in every language.
        let verify_unknown =
            intune_passcode::optional_duration_from_millis("verifyUnknownMs", verify_unknown_ms)?;
        let recent = journal
            .recent_ms
            .map(|ms| intune_passcode::duration_from_millis("recentMs", ms))
            .transpose()?;
        if !(concurrency.is_finite() && concurrency.fract() == 0.0 && concurrency >= 0.0) {
            return Err(Error::invalid(format!(
                "concurrency must be a whole number from 1 to 1024, not {concurrency}"
            )));
        }
        let pace = match (pace.name, pace.writes, pace.seconds) {
            (Some(name), None, None) => Pace::from_name(&name)?,
            (None, None, None) => Pace::Off,
            (None, Some(w), Some(s))
                if w.is_finite() && w.fract() == 0.0 && (1.0..=u32::MAX as f64).contains(&w) =>
            {
                Pace::limit(w as u32, s)?
            }
            (_, w, s) => {
                return Err(Error::invalid(format!(
                    "pace is 'intune', null or {{ writes, seconds }} with whole writes >= 1 and seconds > 0, not {w:?}/{s:?}"
                )));
            }
        };
        let user = opt_text("userId", user_id)?;
        let app = opt_text("detectedAppId", detected_app_id)?;
        Ok((
            BulkOptions {
                concurrency: concurrency as usize,
                pace,
                verify_unknown,
                journal: journal.path.map(Into::into),
                retry_failed: journal.retry_failed,
                resend_unconfirmed: journal.resend_unconfirmed,
                recent,
                ..BulkOptions::default()
            },
            user,
            app,
        ))
    };
    let (options, user_id, detected_app_id) = setup().map_err(|e| to_napi(&e))?;
    let (in_tx, in_rx) = mpsc::channel::<Input>(1024);
    let input =
        futures_util::stream::unfold(
            in_rx,
            |mut rx| async move { rx.recv().await.map(|x| (x, rx)) },
        );
    let buffer = options.concurrency.max(16) * 2;
    let mut stream = napi::bindgen_prelude::within_runtime_if_available(|| {
        client.reset_passcodes_keyed(input, options)
    })
    .map_err(|e| to_napi(&e))?;
    let (out_tx, out_rx) = mpsc::channel(buffer);
    let cancel = cancel.unwrap_or_default();
    let stop = cancel.clone();
    let task = napi::bindgen_prelude::spawn(async move {
        loop {
            tokio::select! {
                next = stream.next() => match next {
                    Some(item) => if out_tx.send(item).await.is_err() { return },
                    None => return,
                },
                // Dropping the stream stops the run: targets not yet started are never sent.
                _ = stop.wait() => return,
            }
        }
    });
    Ok(NativeBulk {
        input: std::sync::Mutex::new(Some(in_tx)),
        outcomes: Arc::new(Mutex::new(out_rx)),
        next_index: Default::default(),
        user_id,
        detected_app_id,
        cancel,
        task,
    })
}

fn outcome_js((index, outcome): Outcome) -> BulkOutcome {
    match outcome {
        Ok(r) => BulkOutcome {
            index,
            receipt: Some(r.into()),
            error: None,
        },
        Err(e) => BulkOutcome {
            index,
            receipt: None,
            error: Some(crate::errors::record(&e).to_string()),
        },
    }
}

#[napi]
impl NativeBulk {
    /// Queue more device IDs (`null` for an item that was not a string); resolves when they are accepted, so a
    /// producer cannot run ahead of the run by more than a buffer. Returns the index of the first.
    #[napi]
    pub fn push<'env>(
        &self,
        env: &'env Env,
        ids: Vec<Option<Utf16String>>,
    ) -> Result<PromiseRaw<'env, u32>> {
        let first = self
            .next_index
            .fetch_add(ids.len() as u32, std::sync::atomic::Ordering::SeqCst);
        let inputs: Vec<Input> = ids
            .into_iter()
            .enumerate()
            .map(|(i, id)| {
                let target = match id {
                    None => Err(Error::invalid("device IDs must be strings")),
                    Some(s) => text("deviceId", s).and_then(|d| {
                        Target::new(d, self.user_id.clone(), self.detected_app_id.clone())
                    }),
                };
                (first + i as u32, target)
            })
            .collect();
        let tx = self
            .input
            .lock()
            .map_err(|_| napi::Error::from_reason("bulk input lock poisoned"))?
            .clone();
        env.spawn_future(async move {
            if let Some(tx) = tx {
                for item in inputs {
                    if tx.send(item).await.is_err() {
                        break;
                    }
                }
            }
            Ok(first)
        })
    }

    /// No more input: the run finishes once the queued devices have.
    #[napi]
    pub fn end(&self) {
        if let Ok(mut g) = self.input.lock() {
            g.take();
        }
    }

    /// Up to `max` outcomes: waits for the first, then takes whatever else is ready (one Promise per batch rather
    /// than per device). An empty array means every input has its outcome. Rejects with an abort once cancelled.
    #[napi]
    pub fn next_batch<'env>(
        &self,
        env: &'env Env,
        max: u32,
    ) -> Result<PromiseRaw<'env, Vec<BulkOutcome>>> {
        let rx = self.outcomes.clone();
        let cancel = self.cancel.clone();
        env.spawn_future(async move {
            let mut rx = rx.lock().await;
            let first = tokio::select! {
                biased;
                _ = cancel.wait() => return Err(aborted()),
                got = rx.recv() => got,
            };
            let Some(first) = first else {
                return if cancel.cancelled() {
                    Err(aborted())
                } else {
                    Ok(Vec::new())
                };
            };
            let mut out = vec![outcome_js(first)];
            while out.len() < max.max(1) as usize {
                match rx.try_recv() {
                    Ok(item) => out.push(outcome_js(item)),
                    Err(_) => break,
                }
            }
            Ok(out)
        })
    }

    /// The next outcome, or `null` when every input has one. Rejects with an abort once cancelled.
    #[napi]
    pub fn next<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Option<BulkOutcome>>> {
        let rx = self.outcomes.clone();
        let cancel = self.cancel.clone();
        env.spawn_future(async move {
            let mut rx = rx.lock().await;
            // Cancellation wins over anything still queued: an aborted run ends with an AbortError.
            let got = tokio::select! {
                biased;
                _ = cancel.wait() => return Err(aborted()),
                got = rx.recv() => got,
            };
            if got.is_none() && cancel.cancelled() {
                return Err(aborted());
            }
            Ok(got.map(outcome_js))
        })
    }
}
