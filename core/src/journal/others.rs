//! The promise across jobs: before a journaled run sends a device, every other journal in the folder for the same
//! tenant and Graph root is consulted; a device another job holds as `ok`, `sending` or `unknown` within the recent
//! window is not sent, and is reported with that job's outcome. A changed input, a re-exported CSV, another API
//! version, a single device after a bulk job: each is a new job, and none of them resets a device twice.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, ErrorKind};
use crate::outcome::Receipt;

use super::index::{self, graph_root};
use super::state::{DeviceRecord, DeviceState, Replay};

/// How long another job's reset keeps a device from being sent again, by default: the portal shows a new passcode
/// for 7 days.
pub const DEFAULT_RECENT: Duration = Duration::from_secs(7 * 24 * 3600);

/// A device another job holds.
#[derive(Clone, Copy, Debug)]
struct Hold {
    /// Index into `OtherJobs::jobs`.
    job: u32,
    state: DeviceState,
    sent: Option<u64>,
}

/// What the other journals of a folder hold, read once when a run starts.
pub(crate) struct OtherJobs {
    jobs: Vec<PathBuf>,
    devices: HashMap<Box<str>, Hold>,
    /// Holders replayed so far (for the outcome's details), by job.
    replayed: Mutex<HashMap<u32, Arc<Replay>>>,
    recent: Duration,
}

impl OtherJobs {
    /// Read every journal in `dir` but `own`, made for `graph_base`'s Graph root and the same tenant (a journal whose
    /// tenant or ours is unknown counts as the same: when in doubt, hold), keeping devices sent within `recent`.
    pub(crate) fn scan(
        dir: &Path,
        own: &Path,
        graph_base: &str,
        tenant_id: Option<&str>,
        recent: Duration,
    ) -> Result<OtherJobs, Error> {
        let root = graph_root(graph_base);
        let since = SystemTime::now()
            .checked_sub(recent)
            .unwrap_or(UNIX_EPOCH)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let own = std::fs::canonicalize(own).unwrap_or_else(|_| own.to_path_buf());
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::invalid(format!(
                "cannot read the journals' folder {} to check what other jobs reset: {e}",
                dir.display()
            ))
        })?;
        let mut others = OtherJobs {
            jobs: Vec::new(),
            devices: HashMap::new(),
            replayed: Mutex::new(HashMap::new()),
            recent,
        };
        // Each journal once, whether found as a file or through a link to one kept elsewhere (`register_in`).
        let mut seen = std::collections::HashSet::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            // Followed through a link; a dangling one is skipped.
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !meta.is_file() || real == own || path == own || !seen.insert(real) {
                continue;
            }
            let Some(h) = index::holdings(&path, meta.len()) else {
                continue;
            };
            let same_tenant = match (&h.tenant_id, tenant_id) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            };
            if h.graph_root != root || !same_tenant {
                continue;
            }
            let job = others.jobs.len() as u32;
            let mut any = false;
            for (id, state, sent) in h.devices {
                // A record with no time is held: when in doubt, do not send.
                if sent.is_some_and(|s| s < since) {
                    continue;
                }
                any = true;
                let hold = Hold { job, state, sent };
                match others.devices.get_mut(id.as_str()) {
                    // The most recent holder speaks for the device.
                    Some(h) if h.sent >= sent => {}
                    Some(h) => *h = hold,
                    None => {
                        others.devices.insert(id.into_boxed_str(), hold);
                    }
                }
            }
            if any {
                others.jobs.push(path);
            }
        }
        Ok(others)
    }

    /// Other journals that hold at least one recent device.
    pub(crate) fn job_count(&self) -> usize {
        self.jobs.len()
    }

    /// The outcome for `device_id` when another job holds it: that job's, without sending.
    pub(crate) fn outcome(&self, device_id: &str) -> Option<Result<Receipt, Error>> {
        let hold = *self.devices.get(device_id)?;
        let path = &self.jobs[hold.job as usize];
        let job = job_name(path);
        // The holder's own record (for its identifiers), else what its index said; either way, as that job's.
        let mut record = self.record(hold.job, device_id).unwrap_or_else(|| {
            let mut d = DeviceRecord::planned(device_id.to_string(), None, None);
            d.sent_at = hold
                .sent
                .map(|s| crate::convert::format_time(UNIX_EPOCH + Duration::from_secs(s)));
            d
        });
        // The job that sent it: the holder, unless the holder itself only held it for another job (its record names
        // that one), so that a report and a resume line point at the real reset.
        let job = record.held_by.clone().unwrap_or(job);
        record.held_by = Some(job.clone());
        let when = record
            .sent_at
            .clone()
            .unwrap_or_else(|| "an unrecorded time".into());
        let days = self.recent.as_secs_f64() / 86_400.0;
        let outcome = match hold.state {
            DeviceState::Ok => Ok(record.receipt()),
            _ => Err(record.error(
                ErrorKind::OutcomeUnknown,
                format!(
                    "job {job} sent this reset at {when} and its outcome is unconfirmed{}; not sent, since it may \
                     have run: `jobs resume {job}` settles it from the device's record (a new job or --again sends \
                     it anyway)",
                    if job == job_name(path) {
                        format!(" (journal {})", path.display())
                    } else {
                        String::new()
                    }
                ),
            )),
        };
        tracing::info!(device = device_id, job = %job, within_days = days, "held by another job; not sent");
        Some(outcome)
    }

    /// The holder's record of a device, from its journal (replayed once per run).
    fn record(&self, job: u32, device_id: &str) -> Option<DeviceRecord> {
        let mut cache = self.replayed.lock().unwrap_or_else(|p| p.into_inner());
        let r = match cache.get(&job) {
            Some(r) => r.clone(),
            None => {
                let r = Arc::new(super::Journal::open(&self.jobs[job as usize]).ok()?.replay);
                cache.insert(job, r.clone());
                r
            }
        };
        r.devices.get(device_id).cloned()
    }
}

/// What the journals of a folder hold as sent recently: the cross-job check of a journaled run, on its own (to show a
/// user what a run would skip, or to measure the check).
pub struct RecentResets(OtherJobs);

impl RecentResets {
    /// Read every journal in `dir` made for `graph_base`'s Graph root and `tenant_id` (unknown on either side counts
    /// as the same), keeping devices held as `ok`, `sending` or `unknown` whose request left within `recent`.
    pub fn scan(
        dir: impl AsRef<Path>,
        graph_base: &str,
        tenant_id: Option<&str>,
        recent: Duration,
    ) -> Result<RecentResets, Error> {
        OtherJobs::scan(dir.as_ref(), Path::new(""), graph_base, tenant_id, recent)
            .map(RecentResets)
    }

    /// The journal that holds `device_id` (the most recent holder) and its state there.
    pub fn holder(&self, device_id: &str) -> Option<(&Path, DeviceState)> {
        let id = crate::call::canonical_id(device_id.to_string());
        let h = self.0.devices.get(id.as_str())?;
        Some((self.0.jobs[h.job as usize].as_path(), h.state))
    }

    /// Devices held.
    pub fn len(&self) -> usize {
        self.0.devices.len()
    }

    /// No device held.
    pub fn is_empty(&self) -> bool {
        self.0.devices.is_empty()
    }

    /// Journals that hold at least one recent device.
    pub fn jobs(&self) -> usize {
        self.0.jobs.len()
    }
}

/// A job's name: its journal's file stem (what the command line shows and `jobs resume` takes).
fn job_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
