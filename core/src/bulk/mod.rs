//! Bulk runs: many devices, bounded concurrency, shared pacing, exactly one outcome per input.

mod journaled;
mod unsupported;

pub use unsupported::platform_can_reset;

use futures_util::stream::{BoxStream, Stream, StreamExt};
use tokio::task::JoinHandle;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::convert::format_time;
pub use crate::journal::DEFAULT_RECENT;
use crate::outcome::{Confirmation, ConfirmedBy};
use std::sync::Arc;

use crate::call::Target;
use crate::call::{Client, Gate};
use crate::error::{Error, ErrorKind};
use crate::outcome::Receipt;
pub use crate::pacing::ThrottleWatch;
use crate::pacing::{Pace, Pacer};

/// Most calls a bulk run keeps in flight.
pub const MAX_CONCURRENCY: usize = 1024;

/// One outcome of a bulk run: the target and what became of it.
pub type BulkItem = (Target, Result<Receipt, Error>);

/// The stream of a keyed bulk run: the caller's key and what became of its target.
pub type KeyedStream<K> = BoxStream<'static, (K, Result<Receipt, Error>)>;

/// How long a bulk run looks for the device's record of a reset whose answer was lost, by default.
pub const DEFAULT_VERIFY_UNKNOWN: Duration = Duration::from_secs(60);

/// Longest `verify_unknown` allowed (a day: an action record that has not appeared by then never will here).
pub const MAX_VERIFY_UNKNOWN: Duration = Duration::from_secs(86_400);

/// How a bulk run behaves. Build it from `BulkOptions::default()` (struct update syntax or the setters): fields may
/// be added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkOptions {
    /// Calls in flight at once (1 to 1024; default 16).
    pub concurrency: usize,
    /// Client-side pacing (default: Intune's 200 writes per 20 s).
    pub pace: Pace,
    /// Settle each `OutcomeUnknown` before reporting it: look for the device's record of the reset for up to this
    /// long ([`Client::confirm_reset`]); a confirmed one is reported as a success confirmed by the record. `None`
    /// reports it as it is. Default 60 s. Never resends anything. The device read needs
    /// `DeviceManagementManagedDevices.Read.All`.
    pub verify_unknown: Option<Duration>,
    /// Keep the run in this journal file (one job per file): an intent is on disk before each request leaves, and
    /// running again with the same file resumes the job, never resetting a device twice. See [`crate::Journal`].
    pub journal: Option<PathBuf>,
    /// On resume, send again the devices whose recorded failure was permanent (`NOT_FOUND`, `UNSUPPORTED_DEVICE`,
    /// `PERMISSION_DENIED`, `BAD_REQUEST`, ...); by default they are reported from the journal.
    pub retry_failed: bool,
    /// On resume, send again the devices still `OUTCOME_UNKNOWN` after looking for their record. Off by default: it
    /// may reset them twice.
    pub resend_unconfirmed: bool,
    /// Told when Graph throttles the run (a 429 pauses every worker): for progress displays.
    pub throttle_watch: Option<ThrottleWatch>,
    /// With a journal: before a device is sent, the other journals of [`BulkOptions::other_journals`] for the same
    /// tenant and Graph root are consulted, and a device another job holds as sent (`ok`, `sending` or `unknown`)
    /// within this window is not sent: it is reported with that job's outcome (`from_journal`, `held_by`). Default 7
    /// days ([`DEFAULT_RECENT`]). `None` turns the check off: the explicit "reset these again".
    pub recent: Option<Duration>,
    /// The folder whose journals are consulted (default: the journal's own folder). A journal kept outside it is
    /// linked into it before anything is sent (`<name>-<12 hex>.jsonl`; not on Windows), so that the later jobs of
    /// that folder hold its devices too.
    pub other_journals: Option<PathBuf>,
    /// Send devices whose input states an OS Intune cannot reset ([`Target::with_platform`]). Off by default: they
    /// are reported `UNSUPPORTED_DEVICE` ("skipped: the input says OS=…"), nothing sent, journaled like any failure;
    /// a later run with this on sends the ones skipped so (they were never sent).
    pub send_unsupported: bool,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            concurrency: 16,
            pace: Pace::INTUNE,
            verify_unknown: Some(DEFAULT_VERIFY_UNKNOWN),
            journal: None,
            retry_failed: false,
            resend_unconfirmed: false,
            throttle_watch: None,
            recent: Some(DEFAULT_RECENT),
            other_journals: None,
            send_unsupported: false,
        }
    }
}

impl BulkOptions {
    /// Calls in flight at once.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Client-side pacing.
    pub fn pace(mut self, pace: Pace) -> Self {
        self.pace = pace;
        self
    }

    /// How long to look for the record of a reset whose answer was lost (`None`: do not look).
    pub fn verify_unknown(mut self, within: Option<Duration>) -> Self {
        self.verify_unknown = within;
        self
    }

    /// Keep the run in this journal (a new file starts a job; an existing one resumes it).
    pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.journal = Some(path.into());
        self
    }

    /// On resume, send again devices whose recorded failure was permanent.
    pub fn retry_failed(mut self, yes: bool) -> Self {
        self.retry_failed = yes;
        self
    }

    /// On resume, send again devices still unconfirmed (they may be reset twice).
    pub fn resend_unconfirmed(mut self, yes: bool) -> Self {
        self.resend_unconfirmed = yes;
        self
    }

    /// How recent another job's reset must be to keep a device from being sent (`None`: do not consult other jobs).
    pub fn recent(mut self, window: Option<Duration>) -> Self {
        self.recent = window;
        self
    }

    /// Consult the journals of this folder instead of the journal's own.
    pub fn other_journals(mut self, dir: impl Into<PathBuf>) -> Self {
        self.other_journals = Some(dir.into());
        self
    }

    /// Send devices whose input states an OS Intune cannot reset (see [`BulkOptions::send_unsupported`]).
    pub fn send_unsupported(mut self, yes: bool) -> Self {
        self.send_unsupported = yes;
        self
    }

    /// The `UNSUPPORTED_DEVICE` failure a run with these options reports for `target` without sending it, if it
    /// would: what a dry run shows, decided as the run decides it.
    pub fn skips(&self, target: &Target) -> Option<Error> {
        unsupported::skipped(target, self.send_unsupported)
    }

    fn validate(&self) -> Result<(), Error> {
        if self.concurrency == 0 || self.concurrency > MAX_CONCURRENCY {
            return Err(Error::invalid(format!(
                "concurrency is {}; it must be from 1 to {MAX_CONCURRENCY}",
                self.concurrency
            )));
        }
        if self.verify_unknown.is_some_and(|d| d > MAX_VERIFY_UNKNOWN) {
            return Err(Error::invalid(format!(
                "verify_unknown is {:?}; at most {} s is allowed",
                self.verify_unknown.unwrap_or_default(),
                MAX_VERIFY_UNKNOWN.as_secs()
            )));
        }
        self.pace.validate()
    }
}

/// Settle an `OutcomeUnknown` from the device's action record: a success confirmed by the record, or the same error
/// saying what was checked. Never sends a reset.
pub(crate) async fn settle(
    client: &Client,
    target: &Target,
    e: Error,
    within: Duration,
    seen_before: Option<SystemTime>,
) -> Result<Receipt, Error> {
    let Some(sent_at) = e.sent_at() else {
        return Err(e);
    };
    match client
        .confirm_reset_newer_than(target, sent_at, within, seen_before)
        .await
    {
        Ok(Confirmation::Accepted(action)) => {
            tracing::info!(target = %target, "reset confirmed by the device's action record");
            Ok(Receipt {
                status: e.status().unwrap_or(0),
                request_id: e.request_id().map(str::to_string),
                client_request_id: e.client_request_id().unwrap_or_default().to_string(),
                date: e.date().map(str::to_string),
                ags_diagnostic: None,
                attempts: e.attempts(),
                waited: Duration::ZERO,
                sent_at,
                confirmed_by: ConfirmedBy::ActionResult,
                action: Some(action),
                from_journal: false,
                held_by: None,
            })
        }
        Ok(Confirmation::NotSeen { latest }) => {
            let latest = match latest {
                Some(a) => format!(
                    "the latest is older ({}, started {})",
                    a.state.as_str(),
                    format_time(a.started_at)
                ),
                None => "it has none".into(),
            };
            Err(e.with_note(&format!(
                "checked the device's action record for {:.0} s and saw no reset started since {} ({latest}); \
                 that proves nothing either way",
                within.as_secs_f64(),
                format_time(sent_at)
            )))
        }
        Err(v) => Err(e.with_note(&format!("could not check the device's action record: {v}"))),
    }
}

/// One device of a bulk run, on its own task (aborted when the stream is dropped): the call, with its gate (the
/// journal's intent) if any, and an `OutcomeUnknown` settled from the device's record when `verify` says so (only by
/// a record newer than `seen_before`, the latest one read before sending, when there was such a read).
pub(crate) async fn call(
    client: Client,
    target: Target,
    pacer: Arc<Pacer>,
    verify: Option<Duration>,
    gate: Option<Box<Gate>>,
    seen_before: Option<SystemTime>,
) -> Result<Receipt, Error> {
    let mut task = AbortOnDrop(tokio::spawn(async move {
        let outcome = client
            .run_gated(&target, Some(&pacer), gate.as_deref())
            .await;
        match (outcome, verify) {
            (Err(e), Some(within)) if e.kind() == ErrorKind::OutcomeUnknown => {
                settle(&client, &target, e, within, seen_before).await
            }
            (outcome, _) => outcome,
        }
    }));
    match (&mut task.0).await {
        Ok(r) => r,
        Err(e) => Err(Error::new(
            ErrorKind::OutcomeUnknown,
            format!(
                "the call's task ended without an answer ({e}); the passcode may or may not have been reset"
            ),
        )),
    }
}

/// Aborts the spawned call when its outcome is no longer wanted (the stream was dropped).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Client {
    /// Reset many devices. The stream yields exactly one `(Target, Result)` per input, in completion order; targets
    /// are read lazily, so without a journal memory stays flat however many there are (a journaled run keeps about
    /// 1.4 KiB per device to resume the job: bench/results.md). Must be polled inside a tokio runtime.
    /// Dropping the stream stops the run: targets not yet started are never sent.
    pub fn reset_passcodes<I>(
        &self,
        targets: I,
        options: BulkOptions,
    ) -> Result<BoxStream<'static, BulkItem>, Error>
    where
        I: IntoIterator<Item = Target>,
        I::IntoIter: Send + 'static,
    {
        let keyed = futures_util::stream::iter(targets).map(|t| (t.clone(), Ok(t)));
        self.reset_passcodes_keyed(keyed, options)
    }

    /// The general bulk run: each input carries a key of the caller's (an index, an ID as the caller spelt it) and a
    /// target, or the error that made one (that error is passed through as the outcome, so one bad ID does not stop
    /// the run). Yields exactly one `(key, Result)` per input.
    pub fn reset_passcodes_keyed<K, S>(
        &self,
        inputs: S,
        options: BulkOptions,
    ) -> Result<KeyedStream<K>, Error>
    where
        K: Send + 'static,
        S: Stream<Item = (K, Result<Target, Error>)> + Send + 'static,
    {
        options.validate()?;
        if let Some(path) = options.journal.clone() {
            return journaled::journaled(self.clone(), inputs, options, path);
        }
        let client = self.clone();
        let pacer = Pacer::new(options.pace, options.throttle_watch.clone());
        let verify = options.verify_unknown;
        let send_unsupported = options.send_unsupported;
        let stream = inputs
            .map(move |(key, target)| {
                let client = client.clone();
                let pacer = pacer.clone();
                async move {
                    let target = match target {
                        Ok(t) => t,
                        Err(e) => return (key, Err(e)),
                    };
                    if let Some(e) = unsupported::skipped(&target, send_unsupported) {
                        return (key, Err(e));
                    }
                    let outcome = call(client, target, pacer, verify, None, None).await;
                    (key, outcome)
                }
            })
            .buffer_unordered(options.concurrency);
        Ok(stream.boxed())
    }
}
