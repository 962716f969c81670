//! Where jobs live: a per-user state folder with, for each job, its journal (`<job>.jsonl`, the library's format)
//! and its input (`<job>.jsonl.input`, so that `jobs resume` can finish devices a killed run never reached). A job
//! is named after its input, so running the same input again finds its job instead of resetting devices twice.

use std::path::{Path, PathBuf};

use intune_passcode::Journal;

use crate::exit::Fail;
use crate::input::Row;

/// The state folder: `$INTUNE_PASSCODE_STATE_DIR`, else `$XDG_STATE_HOME/intune-passcode` (Linux,
/// `~/.local/state/intune-passcode` by default), else the platform's local data folder (`%LOCALAPPDATA%` on
/// Windows, `~/Library/Application Support` on macOS).
pub fn state_dir() -> Result<PathBuf, Fail> {
    if let Some(d) = std::env::var_os("INTUNE_PASSCODE_STATE_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|d| d.join("intune-passcode"))
        .ok_or_else(|| {
            Fail::nothing_sent("no home folder for the job journals: set INTUNE_PASSCODE_STATE_DIR or give --journal")
        })
}

/// The jobs folder, created if needed: with the state folder, owner-only on Unix (they list a tenant's devices).
pub fn jobs_dir() -> Result<PathBuf, Fail> {
    let state = state_dir()?;
    let d = state.join("jobs");
    create_private_dirs(&state, &d).map_err(|e| {
        Fail::nothing_sent(format!(
            "cannot create the jobs folder {}: {e}",
            d.display()
        ))
    })?;
    Ok(d)
}

/// Create `jobs` and the folders from `state` down to it with mode 0700 on Unix; the folders above `state` (such as
/// `~/.local/state`) are not ours, and are made as usual. Folders already there keep their mode.
fn create_private_dirs(state: &Path, jobs: &Path) -> std::io::Result<()> {
    if let Some(above) = state.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(above)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(jobs)
}

/// `open`, made to create files readable and writable by their owner only on Unix. The mode is given at creation,
/// so the file is never readable by others, not even for a moment; a file already there keeps its mode.
pub fn owner_only(open: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(open, 0o600);
    open
}

/// Write `bytes` to a new owner-only file at `path`. A file left there (by a killed run) is removed first: written
/// over, it would keep its own mode.
fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    owner_only(std::fs::OpenOptions::new().write(true).create_new(true))
        .open(path)?
        .write_all(bytes)
}

/// `job-` and 12 hex digits of SHA-256 over the Graph URL and the sorted devices with their routes.
pub fn job_name(graph_base: &str, rows: &[Row]) -> String {
    let mut lines: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}\t{}\t{}",
                r.device_id,
                r.user_id.as_deref().unwrap_or(""),
                r.detected_app_id.as_deref().unwrap_or("")
            )
        })
        .collect();
    lines.sort();
    lines.dedup();
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(graph_base.as_bytes());
    for l in &lines {
        ctx.update(b"\n");
        ctx.update(l.as_bytes());
    }
    let hex: String = ctx.finish().as_ref()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("job-{hex}")
}

/// A job's files.
#[derive(Clone, Debug)]
pub struct JobPaths {
    /// The name shown to the user (the journal's file stem).
    pub name: String,
    /// The journal.
    pub journal: PathBuf,
    /// The input beside it.
    pub input: PathBuf,
}

impl JobPaths {
    /// The files of the journal at `journal`.
    pub fn at(journal: PathBuf) -> JobPaths {
        let name = journal
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| journal.display().to_string());
        let mut input = journal.clone().into_os_string();
        input.push(".input");
        JobPaths {
            name,
            journal,
            input: PathBuf::from(input),
        }
    }
}

/// What `jobs resume` takes to find `job` again: its name when its journal is the jobs folder's file of that name,
/// else its journal's path (absolute, so that the command works from any folder), quoted for a shell if need be.
pub fn resume_arg(job: &JobPaths) -> String {
    let by_name = state_dir().map(|d| d.join("jobs").join(format!("{}.jsonl", job.name)));
    if by_name.is_ok_and(|p| same_file::is_same_file(p, &job.journal).unwrap_or(false)) {
        return job.name.clone();
    }
    let path = std::path::absolute(&job.journal).unwrap_or_else(|_| job.journal.clone());
    shell_word(&path.display().to_string())
}

/// `s` as one shell word: as is when plain, else in double quotes (sh, PowerShell and cmd all read those), or in
/// single quotes when it holds what sh would expand inside double quotes.
fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/\\._-:+=@,%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        return s.to_string();
    }
    if !s.contains(['"', '$', '`']) {
        return format!("\"{s}\"");
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A job given by name (in the jobs folder) or by a journal's path. A journal kept elsewhere (`reset --journal
/// PATH`) is linked into the folder as `<stem>-<12 hex>.jsonl`: its link's name and, when only one link has it, the
/// stem a run prints both find it, and the job is the linked journal itself (its input is beside it).
pub fn resolve(job: &str) -> Result<JobPaths, Fail> {
    let as_path = Path::new(job);
    if job.contains(std::path::MAIN_SEPARATOR) || job.contains('/') || job.ends_with(".jsonl") {
        if as_path.exists() {
            return Ok(JobPaths::at(as_path.to_path_buf()));
        }
        return Err(Fail::usage(format!("no journal at {job}")));
    }
    let dir = jobs_dir()?;
    let journal = dir.join(format!("{job}.jsonl"));
    if journal.exists() {
        return Ok(JobPaths::at(through_link(journal)));
    }
    let links = intune_passcode::linked_journals(&dir, job);
    match links.as_slice() {
        [one] => Ok(JobPaths::at(through_link(one.clone()))),
        [] => Err(Fail::usage(format!(
            "no job named {job} in {} (see `intune-passcode jobs list`)",
            dir.display()
        ))),
        many => Err(Fail::usage(format!(
            "{} journals kept elsewhere are named {job}: give one of their names ({}) or its path",
            many.len(),
            many.iter()
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The journal a link in the jobs folder points at, or `path` itself when it is not a link (or is dangling).
fn through_link(path: PathBuf) -> PathBuf {
    if path.is_symlink() {
        return std::fs::canonicalize(&path).unwrap_or(path);
    }
    path
}

/// Save the job's input (whole, owner-only, then renamed into place: the renamed file keeps the temp file's mode).
pub fn write_input(path: &Path, rows: &[Row]) -> Result<(), Fail> {
    let text: String = rows
        .iter()
        .map(|r| {
            serde_json::json!({"device_id": r.device_id, "user_id": r.user_id, "detected_app_id": r.detected_app_id, "os": r.os})
                .to_string()
                + "\n"
        })
        .collect();
    let tmp = path.with_extension("input.tmp");
    write_new_private(&tmp, text.as_bytes())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            Fail::nothing_sent(format!(
                "cannot write the job's input {}: {e}",
                path.display()
            ))
        })
}

/// The job's input, or (for a journal made elsewhere, by a library user) the devices its journal knows.
pub fn read_input(paths: &JobPaths, journal: &Journal) -> Result<Vec<Row>, Fail> {
    let Ok(text) = std::fs::read_to_string(&paths.input) else {
        return Ok(journal
            .records()
            .enumerate()
            .map(|(i, r)| Row {
                device_id: r.device_id.clone(),
                user_id: r.user_id.clone(),
                detected_app_id: r.detected_app_id.clone(),
                os: None,
                line: i + 1,
            })
            .collect());
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(l).map_err(|e| {
                Fail::usage(format!("{} line {}: {e}", paths.input.display(), i + 1))
            })?;
            let s = |k: &str| v[k].as_str().map(str::to_string);
            let mut row = Row {
                device_id: s("device_id").unwrap_or_default(),
                user_id: s("user_id"),
                detected_app_id: s("detected_app_id"),
                os: s("os"),
                line: i + 1,
            };
            // An input saved by an older version may spell a GUID otherwise than the journal now keys it.
            row.canonicalise();
            Ok(row)
        })
        .collect()
}

/// Where a job stands against its input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Devices in the input.
    pub total: usize,
    /// Reset.
    pub ok: usize,
    /// Refused for good.
    pub failed: usize,
    /// Sent, outcome unknown (settled on resume).
    pub unknown: usize,
    /// Of `failed`, those a resume sends again (throttling, the network, a credential): the job is not finished.
    pub resent: usize,
}

impl Progress {
    /// Devices not yet finished: never sent, or sent and not settled.
    pub fn remaining(&self) -> usize {
        self.total - self.ok - self.failed - self.unknown
    }
    /// Nothing left to send or to settle, nor any failure a resume would send again.
    pub fn finished(&self) -> bool {
        self.remaining() == 0 && self.unknown == 0 && self.resent == 0
    }
}

/// Count the input's devices by their state in the journal.
pub fn progress(journal: &Journal, rows: &[Row]) -> Progress {
    use intune_passcode::DeviceState as S;
    let states: std::collections::HashMap<&str, (S, bool)> = journal
        .records()
        .map(|r| (r.device_id.as_str(), (r.state, r.resent_on_resume())))
        .collect();
    let mut p = Progress {
        total: rows.len(),
        ..Progress::default()
    };
    for r in rows {
        match states.get(r.device_id.as_str()) {
            Some((S::Ok, _)) => p.ok += 1,
            Some((S::Failed, resent)) => {
                p.failed += 1;
                p.resent += usize::from(*resent);
            }
            Some((S::Unknown | S::Sending, _)) => p.unknown += 1,
            Some((S::Planned, _)) | None => {}
        }
    }
    p
}

/// Every job in the jobs folder with its journal, newest first.
pub fn list() -> Result<Vec<(JobPaths, Journal)>, Fail> {
    let dir = jobs_dir()?;
    let mut jobs = Vec::new();
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| Fail::nothing_sent(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "jsonl")
            && let Ok(j) = Journal::open(&path)
        {
            jobs.push((JobPaths::at(path), j));
        }
    }
    jobs.sort_by(|a, b| b.1.created_at().cmp(a.1.created_at()));
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_word_is_plain_when_it_can_be_and_quoted_so_that_sh_keeps_it_whole() {
        assert_eq!(shell_word("job-3f2a"), "job-3f2a");
        assert_eq!(shell_word("/tmp/a b.jsonl"), "\"/tmp/a b.jsonl\"");
        assert_eq!(shell_word(""), "\"\"");
        assert_eq!(shell_word("$HOME/x"), "'$HOME/x'");
        assert_eq!(shell_word("it's \"q\""), "'it'\\''s \"q\"'");
    }

    #[test]
    fn progress_counts_the_inputs_devices_by_their_state_and_what_remains() {
        let p = Progress {
            total: 10,
            ok: 4,
            failed: 2,
            unknown: 1,
            resent: 0,
        };
        assert_eq!(p.remaining(), 3);
        assert!(!p.finished());
        let done = Progress {
            total: 3,
            ok: 2,
            failed: 1,
            unknown: 0,
            resent: 0,
        };
        assert!(done.remaining() == 0 && done.finished());
        // A failure a resume sends again (a credential, throttling) leaves the job unfinished.
        let retry = Progress { resent: 1, ..done };
        assert!(retry.remaining() == 0 && !retry.finished());
    }

    #[cfg(unix)]
    #[test]
    fn the_input_and_its_temp_file_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ipc-write-input-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("job.jsonl.input");
        let rows = [Row {
            device_id: "d".into(),
            user_id: None,
            detected_app_id: None,
            os: None,
            line: 1,
        }];
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        write_input(&path, &rows).unwrap();
        assert_eq!(mode(&path), 0o600);
        // A temp file left readable by a killed run is not reused as it is: renamed, it would keep its mode.
        let tmp = path.with_extension("input.tmp");
        std::fs::write(&tmp, "stale").unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_input(&path, &rows).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("\"device_id\":\"d\"")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
