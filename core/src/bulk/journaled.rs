//! A bulk run kept in a journal: before anything is sent, every device the journal shows in flight or unknown is
//! settled from its own record; then each input is reported from the journal (done, or failed for good) or sent,
//! with its intent on disk first and its outcome after.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::stream::{Stream, StreamExt};

use super::{BulkOptions, KeyedStream, call};
use crate::call::Target;
use crate::call::{Client, Gate};
use crate::convert::{format_time, parse_time};
use crate::error::{Error, ErrorKind};
use crate::outcome::Confirmation;
use crate::outcome::Receipt;
use crate::pacing::Pacer;
use crate::verify::READ_PERMISSION;

use crate::journal::{
    DeviceRecord, DeviceState, Event, JournalWriter, OtherJobs, open_for_job, register_in, update,
};

/// One job in progress: its writer and what it knows of each device.
struct Job {
    writer: JournalWriter,
    devices: Mutex<HashMap<String, DeviceRecord>>,
    /// Devices given in this run (a second listing is run once).
    seen: Mutex<HashSet<String>>,
    /// Why an open device could not be checked on its record at resume (a 403 for want of the read permission):
    /// said with its outcome, so that nobody reaches for `resend_unconfirmed` without knowing why.
    unchecked: Mutex<HashMap<String, String>>,
    /// The latest reset record read at resume for a device still unconfirmed (its `startDateTime`): if the device is
    /// sent again, only a newer record can confirm that request.
    seen_before: Mutex<HashMap<String, SystemTime>>,
    /// What the other jobs of the folder hold (`None`: not consulted).
    others: Option<OtherJobs>,
    path: String,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The journaled form of `reset_passcodes_keyed`.
pub(crate) fn journaled<K, S>(
    client: Client,
    inputs: S,
    options: BulkOptions,
    path: PathBuf,
) -> Result<KeyedStream<K>, Error>
where
    K: Send + 'static,
    S: Stream<Item = (K, Result<Target, Error>)> + Send + 'static,
{
    let (writer, replay) = open_for_job(&path, &client)?;
    // A journal kept outside the consulted folder is linked there before anything is sent, so that the later jobs
    // of that folder hold what this one resets (with the check off too: "again" still leaves a trace).
    if let Some(folder) = &options.other_journals {
        register_in(folder, &path)?;
    }
    // Read once, before anything is sent; the lock on our own journal is already held, so a second run of this job
    // cannot start in between.
    let others = match options.recent {
        Some(recent) => {
            let dir = match (&options.other_journals, path.parent()) {
                (Some(d), _) => d.clone(),
                (None, Some(p)) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let inner = client.inner();
            let others = OtherJobs::scan(
                &dir,
                &path,
                &inner.graph_base,
                inner.tenant_id.as_deref(),
                recent,
            )?;
            tracing::debug!(jobs = others.job_count(), folder = %dir.display(), "other jobs consulted");
            Some(others)
        }
        None => None,
    };
    let job = Arc::new(Job {
        others,
        writer,
        devices: Mutex::new(replay.devices),
        seen: Mutex::new(HashSet::new()),
        unchecked: Mutex::new(HashMap::new()),
        seen_before: Mutex::new(HashMap::new()),
        path: path.display().to_string(),
    });
    let concurrency = options.concurrency;
    let settle_first = settle_in_flight(client.clone(), job.clone(), options.clone());
    let pacer = Pacer::new(options.pace, options.throttle_watch.clone());
    let options = Arc::new(options);
    let mut inputs = Some(inputs);
    let stream = futures_util::stream::once(settle_first)
        .map(move |()| {
            let job = job.clone();
            let client = client.clone();
            let pacer = pacer.clone();
            let options = options.clone();
            inputs
                .take()
                .expect("the settle step runs once")
                .map(move |(key, target)| {
                    one(
                        client.clone(),
                        job.clone(),
                        pacer.clone(),
                        options.clone(),
                        key,
                        target,
                    )
                })
                .buffer_unordered(concurrency)
        })
        .flatten();
    Ok(stream.boxed())
}

/// Resume's first step: every device in flight (`sending`) or `unknown` is looked for on the device, concurrently;
/// confirmed ones become `ok` and are never sent again.
async fn settle_in_flight(client: Client, job: Arc<Job>, options: BulkOptions) {
    let open: Vec<DeviceRecord> = lock(&job.devices)
        .values()
        .filter(|d| matches!(d.state, DeviceState::Sending | DeviceState::Unknown))
        .cloned()
        .collect();
    if open.is_empty() {
        return;
    }
    tracing::info!(
        devices = open.len(),
        "resuming: settling what was in flight"
    );
    let Some(within) = options.verify_unknown else {
        // Looking was turned off: what was in flight stays unknown (reported, never sent) and nothing waits.
        for d in &open {
            mark_unknown(&job, &d.device_id);
        }
        return;
    };
    futures_util::stream::iter(open)
        .for_each_concurrent(options.concurrency, |d| {
            let client = client.clone();
            let job = job.clone();
            async move { settle_one(&client, &job, d, within).await }
        })
        .await;
}

async fn settle_one(client: &Client, job: &Job, d: DeviceRecord, within: Duration) {
    let sent_at = d.sent_at.as_deref().and_then(parse_time);
    let target = Target::new(
        d.device_id.clone(),
        d.user_id.clone(),
        d.detected_app_id.clone(),
    );
    let (Ok(target), Some(sent_at)) = (target, sent_at) else {
        return mark_unknown(job, &d.device_id);
    };
    match client.confirm_reset(&target, sent_at, within).await {
        Ok(found) => {
            let (found, state, started_at) = match &found {
                Confirmation::Accepted(a) => (
                    true,
                    Some(a.state.as_str().to_string()),
                    Some(format_time(a.started_at)),
                ),
                Confirmation::NotSeen { latest } => {
                    if let Some(a) = latest {
                        lock(&job.seen_before).insert(d.device_id.clone(), a.started_at);
                    }
                    (false, None, None)
                }
            };
            let event = Event::Verify {
                device_id: d.device_id.clone(),
                found,
                state,
                started_at,
                at: now(),
            };
            job.writer.append(&event);
            if let Some(rec) = lock(&job.devices).get_mut(&d.device_id) {
                update(rec, event);
            }
        }
        Err(e) => {
            // Not a verdict: the journal keeps what it had, and the next resume looks again.
            tracing::warn!(device = %d.device_id, code = e.code(), "could not look for the reset's record");
            let why = match e.kind() {
                ErrorKind::PermissionDenied => format!(
                    "its record could not be read: the app lacks {READ_PERMISSION}; grant it (with admin consent) \
                     and resume again to settle this device from its record"
                ),
                _ => format!(
                    "its record could not be read ({e}); resume again later to settle this device from its record"
                ),
            };
            lock(&job.unchecked).insert(d.device_id.clone(), why);
            mark_unknown(job, &d.device_id);
        }
    }
}

fn mark_unknown(job: &Job, device_id: &str) {
    if let Some(rec) = lock(&job.devices).get_mut(device_id) {
        rec.state = DeviceState::Unknown;
        rec.code
            .get_or_insert_with(|| ErrorKind::OutcomeUnknown.code().into());
    }
}

fn now() -> String {
    format_time(SystemTime::now())
}

/// One input: reported from the journal, or sent with its intent on disk first.
async fn one<K>(
    client: Client,
    job: Arc<Job>,
    pacer: Arc<Pacer>,
    options: Arc<BulkOptions>,
    key: K,
    target: Result<Target, Error>,
) -> (K, Result<Receipt, Error>) {
    let target = match target {
        Ok(t) => t,
        Err(e) => return (key, Err(e)),
    };
    let id = target.device_id().to_string();
    if !lock(&job.seen).insert(id.clone()) {
        return (
            key,
            Err(Error::invalid(format!(
                "device {id} is listed more than once in this job; it runs once"
            ))),
        );
    }
    let known = lock(&job.devices).get(&id).cloned();
    if let Some(d) = &known {
        let unchecked = lock(&job.unchecked).get(&id).cloned();
        if let Some(reported) = from_journal(d, &options, &job.path, unchecked) {
            return (key, reported);
        }
    }
    if known.is_none() {
        plan(&job, &id, &target);
    }
    if let Some(e) = super::unsupported::skipped(&target, options.send_unsupported) {
        let skipped = Err(e);
        record(&job, &id, &skipped);
        return (key, skipped);
    }
    // This job would send it, unless another job already did, recently: then its outcome is that job's, kept in this
    // journal too (with the holder's `sent_at`, so that the window keeps counting from the real reset, and `held_by`).
    if let Some(held) = job.others.as_ref().and_then(|o| o.outcome(&id)) {
        record(&job, &id, &held);
        return (key, held);
    }
    let gate_job = job.clone();
    let gate_id = id.clone();
    let gate: Box<Gate> = Box::new(move |client_request_id: String, sent_at: SystemTime| {
        let job = gate_job.clone();
        let device_id = gate_id.clone();
        Box::pin(async move {
            job.writer
                .append_synced(&Event::Intent {
                    device_id,
                    client_request_id,
                    sent_at: format_time(sent_at),
                })
                .await
        })
    });
    let seen_before = lock(&job.seen_before).get(&id).copied();
    let outcome = call(
        client,
        target,
        pacer,
        options.verify_unknown,
        Some(gate),
        seen_before,
    )
    .await;
    record(&job, &id, &outcome);
    (key, outcome)
}

/// A device joins the job.
fn plan(job: &Job, id: &str, target: &Target) {
    let planned = DeviceRecord::planned(
        id.to_string(),
        target.user_id().map(str::to_string),
        target.detected_app_id().map(str::to_string),
    );
    job.writer.append(&Event::Planned {
        device_id: id.to_string(),
        user_id: planned.user_id.clone(),
        detected_app_id: planned.detected_app_id.clone(),
    });
    lock(&job.devices).insert(id.to_string(), planned);
}

/// The outcome a device's journal record gives without sending, when it gives one.
fn from_journal(
    d: &DeviceRecord,
    options: &BulkOptions,
    path: &str,
    unchecked: Option<String>,
) -> Option<Result<Receipt, Error>> {
    match d.state {
        DeviceState::Ok => Some(Ok(d.receipt())),
        DeviceState::Failed => {
            let kind = d
                .code
                .as_deref()
                .and_then(ErrorKind::from_code)
                .unwrap_or(ErrorKind::UnexpectedResponse);
            if kind.resent_on_resume() || options.retry_failed {
                return None;
            }
            // Skipped for its stated OS, so never sent: asking to send such devices now sends it.
            if kind == ErrorKind::UnsupportedDevice && d.sent_at.is_none() && options.send_unsupported {
                return None;
            }
            Some(Err(d.error(
                kind,
                format!(
                    "an earlier run of this job ended with {} (journal {path}); not sent again (retry_failed sends it)",
                    kind.code()
                ),
            )))
        }
        DeviceState::Unknown | DeviceState::Sending if !options.resend_unconfirmed => {
            Some(Err(d.error(
                ErrorKind::OutcomeUnknown,
                format!(
                    "an earlier run sent this reset and its outcome is still unconfirmed (journal {path}); not sent \
                     again, since it may have run; {}",
                    unchecked.unwrap_or_else(|| {
                        "its record did not show it yet (resume again later to look again; resend_unconfirmed \
                         sends it anyway, at the risk of a second reset)"
                            .into()
                    })
                ),
            )))
        }
        DeviceState::Planned | DeviceState::Unknown | DeviceState::Sending => None,
    }
}

/// Write an outcome to the journal and to the job's memory.
fn record(job: &Job, id: &str, outcome: &Result<Receipt, Error>) {
    let Some(event) = result_event(id, outcome) else {
        return;
    };
    job.writer.append(&event);
    if let Some(d) = lock(&job.devices).get_mut(id) {
        update(d, event);
    }
}

/// The journal line of an outcome; `None` for a refusal before sending (a bad ID, a journal write that failed),
/// which says nothing about the device.
fn result_event(id: &str, outcome: &Result<Receipt, Error>) -> Option<Event> {
    Some(match outcome {
        Ok(r) => Event::Result {
            device_id: id.to_string(),
            ok: true,
            code: None,
            status: Some(r.status),
            request_id: r.request_id.clone(),
            client_request_id: Some(r.client_request_id.clone()),
            confirmed_by: Some(r.confirmed_by.as_str().into()),
            sent_at: Some(format_time(r.sent_at)),
            at: now(),
            held_by: r.held_by.clone(),
        },
        Err(e) if e.kind() == ErrorKind::InvalidArgument && e.sent_at().is_none() => {
            return None;
        }
        Err(e) => Event::Result {
            device_id: id.to_string(),
            ok: false,
            code: Some(e.code().to_string()),
            status: e.status(),
            request_id: e.request_id().map(str::to_string),
            client_request_id: e.client_request_id().map(str::to_string),
            confirmed_by: None,
            sent_at: e.sent_at().map(format_time),
            at: now(),
            held_by: e.held_by().map(str::to_string),
        },
    })
}
