//! The durable journal of a bulk run: an append-only JSON Lines file, one job per file, so that no run, however it
//! dies, resets a device twice. Every request's intent is on disk before it leaves; a resumed run settles what was
//! in flight from the device's own record before it could send anything. The format is in `docs/journal.md`.

mod event;
mod index;
mod others;
mod register;
mod state;
mod writer;

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub use event::{Event, FORMAT};
pub(crate) use others::OtherJobs;
pub use others::{DEFAULT_RECENT, RecentResets};
pub use register::linked_journals;
pub(crate) use register::register_in;
pub(crate) use state::update;
pub use state::{DeviceRecord, DeviceState};
pub use writer::journal_syncs;

use crate::call::Client;
use crate::call::Target;
use crate::cloud::{ApiVersion, Cloud};
use crate::convert::format_time;
use crate::error::{Error, ErrorKind};
use state::{Replay, replay};
pub(crate) use writer::JournalWriter;

/// Devices of a job by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JournalSummary {
    /// Every device in the job.
    pub total: usize,
    /// Nothing sent yet.
    pub planned: usize,
    /// In flight when the writer stopped (settled at resume).
    pub sending: usize,
    /// Accepted.
    pub ok: usize,
    /// Definitely not run.
    pub failed: usize,
    /// Sent, not confirmed.
    pub unknown: usize,
}

/// A journal opened for reading (reports, `jobs show`): no lock is taken, nothing is written.
#[derive(Clone, Debug)]
pub struct Journal {
    path: PathBuf,
    replay: Replay,
}

fn invalid(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("journal {}: {why}", path.display()),
    )
}

impl Journal {
    /// Read a journal.
    pub fn open(path: impl AsRef<Path>) -> Result<Journal, Error> {
        let path = path.as_ref();
        let text = std::fs::read(path).map_err(|e| invalid(path, e))?;
        let replay = replay(&path.display().to_string(), &text)?;
        Ok(Journal {
            path: path.to_path_buf(),
            replay,
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The job's ID.
    pub fn job_id(&self) -> &str {
        match &self.replay.header {
            Event::Header { job_id, .. } => job_id,
            _ => "",
        }
    }

    /// The Graph URL it was made for.
    pub fn graph_base(&self) -> &str {
        match &self.replay.header {
            Event::Header { graph_base, .. } => graph_base,
            _ => "",
        }
    }

    /// The API version to resume this job with on `cloud`'s Graph, or why it may not be: a journal is a file anyone
    /// may have written, so the Graph root in its header is trusted only when it is the configured cloud's own
    /// (`{root}/v1.0/` or `{root}/beta/`). Anything else would hand a fresh token to whatever host the file names;
    /// such a journal resumes only with a client whose `base_url` the caller set to that Graph (the journal refuses
    /// any other anyway).
    pub fn resume_api_version(&self, cloud: &Cloud) -> Result<ApiVersion, Error> {
        let base = self.graph_base();
        for v in [ApiVersion::V1, ApiVersion::Beta] {
            if base.trim_end_matches('/') == format!("{}/{}", cloud.graph_root(), v.as_str()) {
                return Ok(v);
            }
        }
        Err(invalid(
            &self.path,
            format!(
                "it was made for {base}, which is not the configured cloud's Graph ({}); a journal does not choose where a token goes: give the base URL {base} yourself if you trust it, or resume it on its cloud",
                cloud.graph_root()
            ),
        ))
    }

    /// When the job was made (RFC 3339).
    pub fn created_at(&self) -> &str {
        match &self.replay.header {
            Event::Header { created_at, .. } => created_at,
            _ => "",
        }
    }

    /// Devices by state.
    pub fn summary(&self) -> JournalSummary {
        let mut s = JournalSummary {
            total: self.replay.order.len(),
            ..JournalSummary::default()
        };
        for d in self.replay.devices.values() {
            match d.state {
                DeviceState::Planned => s.planned += 1,
                DeviceState::Sending => s.sending += 1,
                DeviceState::Ok => s.ok += 1,
                DeviceState::Failed => s.failed += 1,
                DeviceState::Unknown => s.unknown += 1,
            }
        }
        s
    }

    /// Every device, in the order it joined the job.
    pub fn records(&self) -> impl Iterator<Item = &DeviceRecord> {
        self.replay
            .order
            .iter()
            .filter_map(|id| self.replay.devices.get(id))
    }

    /// The job's targets, in order: what a resume driven by the journal alone runs again.
    pub fn targets(&self) -> Vec<Target> {
        self.records()
            .filter_map(|d| {
                Target::new(
                    d.device_id.clone(),
                    d.user_id.clone(),
                    d.detected_app_id.clone(),
                )
                .ok()
            })
            .collect()
    }
}

/// Open (or make) a job's journal for writing: locked for this process alone, checked against the client, its torn
/// last line (if a crash left one) cut off. Nothing is written when it is refused.
pub(crate) fn open_for_job(path: &Path, client: &Client) -> Result<(JournalWriter, Replay), Error> {
    // The lock is a sidecar's, not the data's: on Windows a lock is mandatory, and readers (`jobs show`,
    // `Journal::open`) must be able to read a journal while a run holds it.
    let lock = lock_path(path);
    let lock_file = private_file(&lock).map_err(|e| {
        invalid(
            path,
            format!("cannot open its lock file {}: {e}", lock.display()),
        )
    })?;
    match lock_file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(invalid(
                path,
                "in use by another run (it is locked); wait for that run to end",
            ));
        }
        Err(TryLockError::Error(e)) => return Err(invalid(path, format!("cannot lock it: {e}"))),
    }
    let existed = path.exists();
    let mut file = private_file(path)
        .map_err(|e| invalid(path, format!("cannot open it for writing: {e}")))?;
    if !existed {
        // The new file's name must survive a crash as surely as its first line.
        sync_parent(path);
    }
    // Versions before the sidecar locked the data file itself (advisory on Unix, so readers are not blocked there):
    // a run of such a version holds it, and must not be joined.
    #[cfg(unix)]
    if let Err(TryLockError::WouldBlock) = file.try_lock() {
        return Err(invalid(
            path,
            "in use by another run (it is locked); wait for that run to end",
        ));
    }
    let mut text = Vec::new();
    file.read_to_end(&mut text)
        .map_err(|e| invalid(path, format!("cannot read it: {e}")))?;
    let shown = path.display().to_string();
    let inner = client.inner();
    let replay = if text.is_empty() {
        let header = Event::Header {
            format: FORMAT,
            job_id: uuid::Uuid::new_v4().to_string(),
            graph_base: inner.graph_base.clone(),
            tenant_id: inner.tenant_id.clone(),
            api_version: api_version(&inner.graph_base),
            created_at: format_time(std::time::SystemTime::now()),
            library: crate::VERSION.to_string(),
        };
        let mut line = serde_json::to_vec(&header).map_err(|e| invalid(path, e))?;
        line.push(b'\n');
        file.write_all(&line)
            .and_then(|_| file.sync_all())
            .map_err(|e| invalid(path, format!("cannot write it: {e}")))?;
        replay(&shown, &line)?
    } else {
        let r = replay(&shown, &text)?;
        if let Event::Header {
            graph_base,
            tenant_id,
            ..
        } = &r.header
        {
            if graph_base.trim_end_matches('/') != inner.graph_base.trim_end_matches('/') {
                return Err(invalid(
                    path,
                    format!(
                        "it was made for {graph_base}, not {}; use a new journal for another Graph",
                        inner.graph_base
                    ),
                ));
            }
            if let (Some(theirs), Some(ours)) = (tenant_id, &inner.tenant_id)
                && theirs != ours
            {
                return Err(invalid(
                    path,
                    format!("it was made for tenant {theirs}, not {ours}"),
                ));
            }
        }
        if (r.good_len as usize) < text.len() {
            // A crash cut the last line short: drop it before appending (it was never acted on).
            file.set_len(r.good_len)
                .map_err(|e| invalid(path, format!("cannot cut its torn last line: {e}")))?;
        }
        r
    };
    file.seek(SeekFrom::End(0))
        .map_err(|e| invalid(path, format!("cannot append to it: {e}")))?;
    Ok((JournalWriter::start(file, lock_file, shown), replay))
}

/// The sidecar whose lock says a run holds the journal: `<journal>.lock`.
pub(crate) fn lock_path(journal: &Path) -> PathBuf {
    let mut p = journal.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// Open (or create) a file for reading and appending, readable by its owner alone on Unix: a journal lists a
/// tenant's devices.
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut o = File::options();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// Sync the folder holding a new file, so that the file's name is on disk (Unix; elsewhere a no-op).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

fn api_version(graph_base: &str) -> String {
    if graph_base.trim_end_matches('/').ends_with("/beta") {
        "beta".into()
    } else {
        "v1.0".into()
    }
}
