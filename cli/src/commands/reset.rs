//! `reset`: devices from arguments or an input, checked, confirmed, and run as a journaled job. The same input
//! run again finds its job instead of resetting devices twice.

use std::path::Path;

use intune_passcode::Journal;

use crate::args::ResetArgs;
use crate::confirm::confirm;
use crate::exit::{Exit, Fail};
use crate::input::{self, Row};
use crate::jobs_store::{self, JobPaths};

/// The devices the arguments name, with the route flags applied.
fn rows(a: &ResetArgs) -> Result<Vec<Row>, Fail> {
    let mut rows: Vec<Row> = a
        .device_ids
        .iter()
        .enumerate()
        .map(|(i, d)| Row {
            device_id: d.trim().to_string(),
            user_id: None,
            detected_app_id: None,
            os: None,
            line: i + 1,
        })
        .collect();
    if let Some(src) = &a.input {
        rows.extend(input::read(src)?);
    }
    if rows.is_empty() {
        return Err(Fail::usage(
            "no devices: give IDs as arguments or --input FILE (- for stdin)",
        ));
    }
    if a.user.is_some() && a.detected_app.is_some() {
        return Err(Fail::usage("give --user or --detected-app, not both"));
    }
    for r in &mut rows {
        if r.user_id.is_none() && r.detected_app_id.is_none() {
            r.user_id = a.user.clone();
            r.detected_app_id = a.detected_app.clone();
        }
        r.canonicalise();
    }
    Ok(rows)
}

/// The job for this input: its own, or a fresh one with `--new-job`; an existing unfinished or finished job of the
/// same input is refused, naming it.
fn job_for(a: &ResetArgs, graph_base: &str, rows: &[Row]) -> Result<JobPaths, Fail> {
    let (dir, name) = match &a.journal {
        Some(p) => return journal_check(JobPaths::at(p.clone()), a.new_job),
        None => (
            jobs_store::jobs_dir()?,
            jobs_store::job_name(graph_base, rows),
        ),
    };
    let mut job = JobPaths::at(dir.join(format!("{name}.jsonl")));
    if a.new_job {
        let mut n = 2;
        while job.journal.exists() {
            job = JobPaths::at(dir.join(format!("{name}-{n}.jsonl")));
            n += 1;
        }
        return Ok(job);
    }
    existing_check(job, rows)
}

/// `--journal PATH`: a journal holds one job, whatever its input, so an existing one is refused (`--new-job`
/// included, which cannot make a second job in one file); `jobs resume PATH` finishes it.
fn journal_check(job: JobPaths, new_job: bool) -> Result<JobPaths, Fail> {
    let folder = job
        .journal
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(Fail::usage(format!(
            "--journal {}: the folder {} does not exist (create it first)",
            job.journal.display(),
            folder.display()
        )));
    }
    if !job.journal.exists() || std::fs::metadata(&job.journal).is_ok_and(|m| m.len() == 0) {
        return Ok(job);
    }
    let journal = Journal::open(&job.journal).map_err(Fail::from)?;
    let rows = jobs_store::read_input(&job, &journal)?;
    let p = jobs_store::progress(&journal, &rows);
    let hint = if new_job {
        "; --new-job starts a new job in a new journal: give --journal a path that does not exist, or leave \
         --journal out"
    } else {
        ""
    };
    Err(Fail::usage(format!(
        "--journal {} already holds a job (devices {}, ok {}, failed {}, unknown {}, not sent {}{}): a journal \
         holds one job; `intune-passcode jobs {} {}` {}{hint}",
        job.journal.display(),
        p.total,
        p.ok,
        p.failed,
        p.unknown,
        p.remaining(),
        resent_note(&p),
        if p.finished() { "report" } else { "resume" },
        job.journal.display(),
        if p.finished() {
            "lists its outcomes"
        } else {
            "finishes it without resetting any device twice"
        },
    )))
}

/// A job named after this input exists: refused, naming it and the command that finishes or lists it.
fn existing_check(job: JobPaths, rows: &[Row]) -> Result<JobPaths, Fail> {
    if !job.journal.exists() || std::fs::metadata(&job.journal).is_ok_and(|m| m.len() == 0) {
        return Ok(job);
    }
    let journal = Journal::open(&job.journal).map_err(Fail::from)?;
    let p = jobs_store::progress(&journal, rows);
    let again = "; --new-job starts a new job that sends every device of this input, the ones already reset included";
    if p.finished() {
        return Err(Fail::usage(format!(
            "job {} already ran this input (ok {}, failed {}): `intune-passcode jobs report {}` lists the \
             outcomes{again}",
            job.name, p.ok, p.failed, job.name
        )));
    }
    Err(Fail::usage(format!(
        "job {} has this input and is unfinished (ok {}, failed {}, unknown {}, not sent {}{}): run \
         `intune-passcode jobs resume {}` to finish it without resetting any device twice{again}",
        job.name,
        p.ok,
        p.failed,
        p.unknown,
        p.remaining(),
        resent_note(&p),
        job.name
    )))
}

/// What a resume sends again among the failures, when any: they were refused for a passing reason.
pub(crate) fn resent_note(p: &jobs_store::Progress) -> String {
    if p.resent == 0 {
        return String::new();
    }
    format!(
        "; of the failed, {} ended on a credential, throttling or the network, and a resume sends them again",
        p.resent
    )
}

/// Run `reset`.
pub async fn reset(mut a: ResetArgs) -> Result<Exit, Fail> {
    // Both ask for these devices to be reset again: a new job even for an input that has one, and no other job's
    // hold.
    if a.new_job || a.run.again {
        a.new_job = true;
        a.run.again = true;
    }
    let window = super::run::recent(&a.run)?;
    let (rows, dropped) = input::dedupe(rows(&a)?);
    if dropped > 0 {
        crate::tell!(
            "{dropped} repeated device {} ignored (each device is reset once)",
            if dropped == 1 { "ID" } else { "IDs" }
        );
    }
    let client = crate::connect::client(&a.connection)?;
    let base = client.graph_base().to_string();
    if a.dry_run {
        // What a real run would hold back: the other jobs' check, as the run makes it.
        let held = match window {
            Some(window) => Some(intune_passcode::RecentResets::scan(
                jobs_store::jobs_dir()?,
                &base,
                client.tenant_id(),
                window,
            )?),
            None => None,
        };
        let skipping =
            intune_passcode::BulkOptions::default().send_unsupported(a.run.send_unsupported);
        for r in &rows {
            match r.target() {
                Ok(t) if skipping.skips(&t).is_some() => crate::say!(
                    "skip     {}  the input says OS={}; not sent (--send-unsupported sends it)",
                    t.device_id(),
                    t.platform().unwrap_or_default()
                ),
                Ok(t) => match held.as_ref().and_then(|h| h.holder(t.device_id())) {
                    Some((job, state)) => crate::say!(
                        "held     {}  job {} holds it ({}); not sent (--again sends it)",
                        t.device_id(),
                        job.file_stem().unwrap_or_default().to_string_lossy(),
                        state.as_str()
                    ),
                    None => crate::say!("POST {base}{}", t.path()),
                },
                Err(e) => crate::say!("invalid  {}  {}", r.device_id, e),
            }
        }
        crate::tell!(
            "dry run: {}; nothing sent, no token fetched",
            crate::output::devices(rows.len())
        );
        return Ok(Exit::Ok);
    }
    // Refused before the confirmation: nobody is asked (or told "sent anyway") for a run that cannot start.
    let job = job_for(&a, &base, &rows)?;
    let input_file = a.input.as_deref().filter(|i| *i != "-").map(Path::new);
    super::run::check_report(&a.run, &job, input_file)?;
    let stdin_is_input = a.input.as_deref() == Some("-");
    confirm(
        rows.len(),
        &base,
        a.yes,
        stdin_is_input,
        a.run.again.then_some(a.run.recent),
    )?;
    jobs_store::write_input(&job.input, &rows)?;
    crate::tell!(
        "job {} ({}); journal {}",
        job.name,
        crate::output::devices(rows.len()),
        job.journal.display()
    );
    super::run::run_job(client, &job, rows, &a.run, false, false).await
}
