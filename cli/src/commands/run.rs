//! Running a job: the library's journaled bulk run, with progress, lines, a report, a summary and an exit code.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use intune_passcode::{BulkOptions, Client, Pace, ThrottleWatch};

use crate::args::RunOptions;
use crate::exit::{Exit, Fail};
use crate::input::Row;
use crate::jobs_store::{self, JobPaths};
use crate::output::{self, Counts, Progress, Report};

/// `intune`, `off` or `N/SECONDS`.
pub fn pace(spec: &str) -> Result<Pace, Fail> {
    if let Some((n, s)) = spec.split_once('/') {
        let writes: u32 = n.trim().parse().map_err(|_| {
            Fail::usage(format!(
                "--pace {spec}: '{n}' is not a whole number of writes"
            ))
        })?;
        let secs: f64 = s
            .trim()
            .parse()
            .map_err(|_| Fail::usage(format!("--pace {spec}: '{s}' is not a number of seconds")))?;
        return Ok(Pace::limit(writes, secs)?);
    }
    Ok(Pace::from_name(spec)?)
}

/// The window of the other jobs' check: `None` with `--again`. Below a minute is refused: it would turn the check off
/// without saying so (`--again` says so).
pub fn recent(o: &RunOptions) -> Result<Option<Duration>, Fail> {
    if o.again {
        return Ok(None);
    }
    if o.recent.is_finite() && o.recent >= 1.0 / 1440.0 {
        return Ok(Some(intune_passcode::duration_from_secs(
            "--recent",
            o.recent * 86_400.0,
        )?));
    }
    Err(Fail::usage(format!(
        "--recent {}: give a number of days, at least a minute's worth (0.0007); --again sends devices other jobs \
         reset",
        o.recent
    )))
}

/// The library's bulk options for this run.
pub fn bulk_options(
    o: &RunOptions,
    journal: &JobPaths,
    retry_failed: bool,
    resend_unconfirmed: bool,
    watch: ThrottleWatch,
) -> Result<BulkOptions, Fail> {
    let verify_unknown =
        intune_passcode::optional_duration_from_secs("--verify-unknown", Some(o.verify_unknown))?;
    let recent = recent(o)?;
    Ok(BulkOptions {
        recent,
        // The state folder's jobs, wherever this job's journal is (--journal).
        other_journals: Some(crate::jobs_store::jobs_dir()?),
        concurrency: o.concurrency,
        pace: pace(&o.pace)?,
        verify_unknown,
        journal: Some(journal.journal.clone()),
        retry_failed,
        resend_unconfirmed,
        throttle_watch: Some(watch),
        send_unsupported: o.send_unsupported,
    })
}

/// Refuse a `--report` that would overwrite the job's journal, its input or the `--input` file (whatever their
/// spelling: compared by file identity), or, without `--force`, any existing file. Called before anything is written
/// or sent.
pub fn check_report(o: &RunOptions, job: &JobPaths, input: Option<&Path>) -> Result<(), Fail> {
    let Some(report) = o.report.as_deref() else {
        return Ok(());
    };
    let theirs = [
        (job.journal.as_path(), "the job's journal"),
        (job.input.as_path(), "the job's input"),
    ]
    .into_iter()
    .chain(input.map(|p| (p, "the --input file")));
    for (path, what) in theirs {
        if same_place(report, path) {
            return Err(Fail::usage(format!(
                "--report {} is {what} ({}): writing the report would destroy it; name another file",
                report.display(),
                path.display()
            )));
        }
    }
    // Any job's files: another journal overwritten would be a job forgotten, and its devices sent again.
    if let Ok(jobs) = crate::jobs_store::jobs_dir()
        && real_place(report)
            .is_some_and(|r| std::fs::canonicalize(&jobs).is_ok_and(|j| r.starts_with(j)))
    {
        return Err(Fail::usage(format!(
            "--report {} is in the jobs folder {}, beside the journals: name a file elsewhere",
            report.display(),
            jobs.display()
        )));
    }
    if intune_passcode::Journal::open(report).is_ok() {
        return Err(Fail::usage(format!(
            "--report {} is a job's journal: writing the report would destroy it, even with --force",
            report.display()
        )));
    }
    // A dangling symbolic link counts as existing: writing through it would create a file somewhere else.
    if !o.force && std::fs::symlink_metadata(report).is_ok() {
        return Err(Fail::usage(format!(
            "--report {} exists: --force overwrites it",
            report.display()
        )));
    }
    Ok(())
}

/// Whether `a` and `b` are one file: by identity (device and inode) when both exist, so that `..`, hard and
/// symbolic links are seen through; otherwise by their folder's real path and their name (a new job's journal is
/// not there yet).
fn same_place(a: &Path, b: &Path) -> bool {
    if let Ok(same) = same_file::is_same_file(a, b) {
        return same;
    }
    matches!((real_place(a), real_place(b)), (Some(x), Some(y)) if x == y)
}

/// `p` with its folder resolved to a real path, or None when the folder does not exist.
fn real_place(p: &Path) -> Option<PathBuf> {
    let name = p.file_name()?;
    let folder = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(std::fs::canonicalize(folder).ok()?.join(name))
}

/// Run `rows` as the job at `job`; Ctrl-C stops it (exit 130) with the journal consistent.
pub async fn run_job(
    client: Client,
    job: &JobPaths,
    rows: Vec<Row>,
    o: &RunOptions,
    retry_failed: bool,
    resend_unconfirmed: bool,
) -> Result<Exit, Fail> {
    let watch = ThrottleWatch::default();
    let options = bulk_options(o, job, retry_failed, resend_unconfirmed, watch.clone())?;
    // Listening starts here, before anything is sent, and lasts the whole run: a `ctrl_c()` future made anew on each
    // turn of the loop below misses a Ctrl-C pressed while an outcome is being printed (tokio then swallows it).
    let mut interrupt = interrupt_listener()
        .map_err(|e| Fail::nothing_sent(format!("cannot listen for Ctrl-C: {e}")))?;
    let inputs = futures_util::stream::iter(rows.clone().into_iter().enumerate().map(|(i, r)| {
        let t = r.target();
        (i, t)
    }));
    let mut stream = client.reset_passcodes_keyed(inputs, options).map_err(|e| {
        // A journal another run holds, or cannot write: nothing was sent.
        Fail::nothing_sent(output::describe_error(&e))
    })?;
    // Only now, with the journal open and locked (and nothing sent yet: the stream is lazy): a report opened before
    // could have emptied the journal it was pointed at.
    let mut report = o
        .report
        .as_deref()
        .map(|p| Report::create(p, o.force))
        .transpose()?;
    let mut progress = Progress::new(rows.len(), o.no_progress);
    let mut counts = Counts::default();
    // Failures that stopped before anything was sent (the credential): when they are all there is, exit 4.
    let mut credential_failures = 0usize;
    let mut first_credential_error = None;
    // Failures a resume sends again (a credential, throttling, the network): the run ends pointing at it.
    let mut resent_on_resume = 0usize;
    let interrupted = loop {
        let next = tokio::select! {
            item = stream.next() => item,
            _ = interrupt.recv() => break true,
        };
        let Some((i, result)) = next else {
            break false;
        };
        if let Err(e) = &result {
            if e.kind() == intune_passcode::ErrorKind::Credential {
                credential_failures += 1;
                first_credential_error.get_or_insert_with(|| output::describe_error(e));
            }
            if e.kind().resent_on_resume() {
                resent_on_resume += 1;
            }
        }
        let out = output::outcome(&rows[i], &result);
        counts.add(&out);
        if o.json {
            progress.println(&out.json());
        } else {
            progress.println(&out.line());
        }
        if let Some(r) = report.as_mut() {
            r.add(&out);
        }
        progress.update(&counts, watch.paused_for().filter(|p| *p > Duration::ZERO));
    };
    drop(stream);
    progress.finish();
    let report_path = report.map(Report::finish);
    if interrupted {
        crate::tell!(
            "\ninterrupted after {} of {} devices. The journal is consistent: `intune-passcode jobs resume {}` \
             finishes the job, sending nothing twice.",
            counts.done,
            rows.len(),
            jobs_store::resume_arg(job)
        );
        return Ok(Exit::Interrupted);
    }
    output::summary(
        &job.name,
        &job.journal,
        &counts,
        progress.elapsed(),
        report_path.as_deref(),
    );
    output::unknown_hint(&counts, &jobs_store::resume_arg(job));
    if o.json {
        crate::say!(
            "{}",
            serde_json::json!({
                "type": "summary", "job": job.name, "journal": job.journal.display().to_string(),
                "total": counts.done, "ok": counts.ok, "failed": counts.failed, "unknown": counts.unknown,
                "from_journal": counts.from_journal, "throttle_pauses": watch.pauses(),
            })
        );
    }
    if counts.failed > 0 && credential_failures == counts.failed && counts.ok + counts.unknown == 0
    {
        return Err(Fail::nothing_sent(format!(
            "nothing was sent: no token could be had ({}). Once the credential is fixed, `intune-passcode jobs \
             resume {}` sends the job's devices",
            first_credential_error.unwrap_or_default(),
            jobs_store::resume_arg(job)
        )));
    }
    output::retry_hint(resent_on_resume, &jobs_store::resume_arg(job));
    Ok(Exit::from_counts(counts.failed, counts.unknown))
}

/// Ctrl-C (SIGINT on Unix), from the moment this is called: the OS handler is installed now, not at a first poll.
#[cfg(unix)]
fn interrupt_listener() -> std::io::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
}

/// Ctrl-C on the console, from the moment this is called.
#[cfg(windows)]
fn interrupt_listener() -> std::io::Result<tokio::signal::windows::CtrlC> {
    tokio::signal::windows::ctrl_c()
}
