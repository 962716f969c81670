//! A journal read back: every line replayed into the last known state of each device.

use std::collections::HashMap;

use std::time::{Duration, SystemTime};

use crate::call::canonical_id;
use crate::convert::parse_time;
use crate::error::{Error, ErrorKind};
use crate::outcome::ConfirmedBy;
use crate::outcome::Receipt;

use super::event::{Event, FORMAT};

/// Where a device stands in a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceState {
    /// In the job; nothing sent yet.
    Planned,
    /// Its request was about to leave (an intent on disk) and no outcome was recorded: a crash in flight.
    Sending,
    /// Accepted: a 2xx, or confirmed from the device's record. Never sent again.
    Ok,
    /// A definite answer that Graph did not run it (`code` says which).
    Failed,
    /// Sent, no verdict, not confirmed.
    Unknown,
}

impl DeviceState {
    /// `planned`, `sending`, `ok`, `failed` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::Planned => "planned",
            DeviceState::Sending => "sending",
            DeviceState::Ok => "ok",
            DeviceState::Failed => "failed",
            DeviceState::Unknown => "unknown",
        }
    }
}

/// One device of a job, as its journal tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    /// Managed device.
    pub device_id: String,
    /// The route's user, if any.
    pub user_id: Option<String>,
    /// The route's detected app, if any.
    pub detected_app_id: Option<String>,
    /// Where it stands.
    pub state: DeviceState,
    /// The error's code, for `Failed` and `Unknown`.
    pub code: Option<String>,
    /// The last HTTP status recorded.
    pub status: Option<u16>,
    /// Graph's `request-id`, when recorded.
    pub request_id: Option<String>,
    /// The last `client-request-id` sent.
    pub client_request_id: Option<String>,
    /// When the last request left (RFC 3339).
    pub sent_at: Option<String>,
    /// `response` or `action_result`, for `Ok`.
    pub confirmed_by: Option<String>,
    /// The other job whose journal held this device when this job reached it (nothing was sent by this job).
    pub held_by: Option<String>,
}

impl DeviceRecord {
    /// Failed for a reason that says nothing lasting about the device (see [`DeviceState::Failed`]): a resume of the
    /// job sends it again without `retry_failed`, so a job with such a device is not finished.
    pub fn resent_on_resume(&self) -> bool {
        self.state == DeviceState::Failed
            && self
                .code
                .as_deref()
                .and_then(ErrorKind::from_code)
                .is_some_and(ErrorKind::resent_on_resume)
    }

    /// The receipt of a reset this record holds as done: reported from the journal, nothing sent this time.
    pub(crate) fn receipt(&self) -> Receipt {
        Receipt {
            status: self.status.unwrap_or(0),
            request_id: self.request_id.clone(),
            client_request_id: self.client_request_id.clone().unwrap_or_default(),
            date: None,
            ags_diagnostic: None,
            attempts: 0,
            waited: Duration::ZERO,
            sent_at: self
                .sent_at
                .as_deref()
                .and_then(parse_time)
                .unwrap_or(SystemTime::UNIX_EPOCH),
            confirmed_by: match self.confirmed_by.as_deref() {
                Some("action_result") => ConfirmedBy::ActionResult,
                _ => ConfirmedBy::Response,
            },
            action: None,
            from_journal: true,
            held_by: self.held_by.clone(),
        }
    }

    /// An error of `kind` reported from the journal for this record, with the identifiers it kept.
    pub(crate) fn error(&self, kind: ErrorKind, message: String) -> Error {
        let mut e = Error::new(kind, message)
            .with_ids(
                self.request_id.clone(),
                self.client_request_id.clone(),
                None,
            )
            .with_sent_at(self.sent_at.as_deref().and_then(parse_time))
            .with_from_journal();
        if let Some(s) = self.status {
            e = e.with_status(s);
        }
        if let Some(job) = &self.held_by {
            e = e.with_held_by(job);
        }
        e
    }

    /// A device that has just joined a job: nothing sent.
    pub(crate) fn planned(
        device_id: String,
        user_id: Option<String>,
        detected_app_id: Option<String>,
    ) -> DeviceRecord {
        DeviceRecord {
            device_id,
            user_id,
            detected_app_id,
            state: DeviceState::Planned,
            code: None,
            status: None,
            request_id: None,
            client_request_id: None,
            sent_at: None,
            confirmed_by: None,
            held_by: None,
        }
    }
}

/// A job's header and its devices in the order they joined.
#[derive(Clone, Debug)]
pub struct Replay {
    /// The header's fields.
    pub header: Event,
    /// Devices by ID.
    pub devices: HashMap<String, DeviceRecord>,
    /// Device IDs in the order they joined.
    pub order: Vec<String>,
    /// Bytes of whole lines (a torn last line past this is ignored, and cut off before appending).
    pub good_len: u64,
}

fn bad(path: &str, line: usize, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "journal {path}: line {line} is not a journal event ({why}); the file was not changed"
        ),
    )
}

/// Replay a journal's text. A last line without its newline is a write a crash cut short, and is ignored (nothing is
/// sent before its intent is on disk, so a torn intent never left); any other line that is not an event is an error.
pub fn replay(path: &str, text: &[u8]) -> Result<Replay, Error> {
    let mut header = None;
    let mut devices: HashMap<String, DeviceRecord> = HashMap::new();
    let mut order = Vec::new();
    let mut good_len = 0u64;
    let mut rest = text;
    let mut n = 0;
    while !rest.is_empty() {
        n += 1;
        let Some(end) = rest.iter().position(|b| *b == b'\n') else {
            break; // torn last line
        };
        let line = &rest[..end];
        rest = &rest[end + 1..];
        let event: Event = serde_json::from_slice(line).map_err(|e| bad(path, n, e))?;
        good_len += end as u64 + 1;
        match (&header, event) {
            (None, h @ Event::Header { .. }) => {
                if let Event::Header {
                    job_id, graph_base, ..
                } = &h
                    && (job_id.trim().is_empty() || graph_base.trim().is_empty())
                {
                    return Err(bad(path, n, "the header has no job_id or no graph_base"));
                }
                if let Event::Header { format, .. } = &h
                    && *format > FORMAT
                {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        format!(
                            "journal {path} has format {format}, newer than this library's {FORMAT}; upgrade \
                                 intune-passcode to resume it"
                        ),
                    ));
                }
                header = Some(h);
            }
            (None, _) => return Err(bad(path, n, "the first line is not a header")),
            (Some(_), Event::Header { .. }) => return Err(bad(path, n, "a second header")),
            (Some(_), e) => apply(&mut devices, &mut order, e, path, n)?,
        }
    }
    let header = header.ok_or_else(|| {
        let why = if text.is_empty() {
            format!("journal {path} is empty; the file was not changed")
        } else {
            // Only a torn first line: the run died while writing its header, before any intent, so nothing left.
            format!(
                "journal {path} has only a header cut short by a crash as its job began: nothing was sent for this \
                 job, and the file may be removed to start it again; the file was not changed"
            )
        };
        Error::new(ErrorKind::InvalidArgument, why)
    })?;
    Ok(Replay {
        header,
        devices,
        order,
        good_len,
    })
}

fn apply(
    devices: &mut HashMap<String, DeviceRecord>,
    order: &mut Vec<String>,
    e: Event,
    path: &str,
    n: usize,
) -> Result<(), Error> {
    match e {
        Event::Header { .. } => unreachable!("handled by the caller"),
        Event::Planned {
            device_id,
            user_id,
            detected_app_id,
        } => {
            if device_id.trim().is_empty() {
                return Err(bad(path, n, "a device without an ID"));
            }
            // Journals written before GUIDs had one spelling may hold another casing: key them as targets are.
            let device_id = canonical_id(device_id);
            let user_id = user_id.map(canonical_id);
            let detected_app_id = detected_app_id.map(canonical_id);
            if !devices.contains_key(&device_id) {
                order.push(device_id.clone());
                devices.insert(
                    device_id.clone(),
                    DeviceRecord::planned(device_id, user_id, detected_app_id),
                );
            }
        }
        e => {
            let id = match &e {
                Event::Intent { device_id, .. }
                | Event::Result { device_id, .. }
                | Event::Verify { device_id, .. } => canonical_id(device_id.clone()),
                _ => String::new(),
            };
            let d = devices
                .get_mut(&id)
                .ok_or_else(|| bad(path, n, format!("device {id} was never planned")))?;
            update(d, e);
        }
    }
    Ok(())
}

/// What an intent, a result or a verification does to a device's record (the one rule, for reading a journal back
/// and for a run that keeps it in memory).
pub(crate) fn update(d: &mut DeviceRecord, e: Event) {
    match e {
        Event::Intent {
            client_request_id,
            sent_at,
            ..
        } => {
            d.state = DeviceState::Sending;
            d.client_request_id = Some(client_request_id);
            d.sent_at = Some(sent_at);
            d.code = None;
            d.status = None;
            d.request_id = None;
        }
        Event::Result {
            ok,
            code,
            status,
            request_id,
            client_request_id,
            confirmed_by,
            sent_at,
            held_by,
            ..
        } => {
            d.state = match (ok, code.as_deref()) {
                (true, _) => DeviceState::Ok,
                (false, Some("OUTCOME_UNKNOWN")) => DeviceState::Unknown,
                (false, _) => DeviceState::Failed,
            };
            d.code = code;
            d.status = status;
            d.request_id = request_id.or(d.request_id.take());
            d.client_request_id = client_request_id.or(d.client_request_id.take());
            d.sent_at = sent_at.or(d.sent_at.take());
            d.confirmed_by = confirmed_by;
            d.held_by = held_by;
        }
        Event::Verify { found, .. } => {
            if found {
                d.state = DeviceState::Ok;
                d.code = None;
                d.confirmed_by = Some("action_result".into());
            } else if matches!(d.state, DeviceState::Sending | DeviceState::Unknown) {
                d.state = DeviceState::Unknown;
                d.code = Some("OUTCOME_UNKNOWN".into());
            }
        }
        Event::Header { .. } | Event::Planned { .. } => {}
    }
}
