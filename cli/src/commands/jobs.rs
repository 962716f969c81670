//! `jobs list | show | resume | report`.

use std::collections::HashMap;

use intune_passcode::Journal;

use crate::args::{JobsCommand, ReportFormat, ResumeArgs};
use crate::exit::{Exit, Fail};
use crate::jobs_store::{self, JobPaths};
use crate::output;

fn open(job: &str) -> Result<(JobPaths, Journal), Fail> {
    let paths = jobs_store::resolve(job)?;
    let journal = Journal::open(&paths.journal).map_err(Fail::from)?;
    Ok((paths, journal))
}

/// Run a `jobs` command.
pub async fn jobs(c: JobsCommand) -> Result<Exit, Fail> {
    match c {
        JobsCommand::List => list(),
        JobsCommand::Show { job } => show(&job),
        JobsCommand::Report { job, format } => report(&job, format),
        JobsCommand::Resume(a) => resume(*a).await,
    }
}

fn list() -> Result<Exit, Fail> {
    let jobs = jobs_store::list()?;
    if jobs.is_empty() {
        crate::tell!("no jobs in {}", jobs_store::jobs_dir()?.display());
        return Ok(Exit::Ok);
    }
    crate::say!(
        "{:<20} {:<24} {:>7} {:>7} {:>7} {:>7} {:>7}  state",
        "job",
        "created",
        "total",
        "ok",
        "failed",
        "unknown",
        "left"
    );
    for (paths, journal) in jobs {
        let rows = jobs_store::read_input(&paths, &journal)?;
        let p = jobs_store::progress(&journal, &rows);
        crate::say!(
            "{:<20} {:<24} {:>7} {:>7} {:>7} {:>7} {:>7}  {}",
            paths.name,
            journal.created_at(),
            p.total,
            p.ok,
            p.failed,
            p.unknown,
            p.remaining(),
            if p.finished() {
                "finished"
            } else {
                "unfinished"
            }
        );
    }
    Ok(Exit::Ok)
}

fn show(job: &str) -> Result<Exit, Fail> {
    let (paths, journal) = open(job)?;
    let rows = jobs_store::read_input(&paths, &journal)?;
    let p = jobs_store::progress(&journal, &rows);
    crate::say!("job       {}", paths.name);
    crate::say!("journal   {}", paths.journal.display());
    crate::say!("created   {}", journal.created_at());
    crate::say!("graph     {}", journal.graph_base());
    crate::say!("devices   {}", p.total);
    crate::say!("ok        {}", p.ok);
    crate::say!("failed    {}", p.failed);
    crate::say!("unknown   {}", p.unknown);
    crate::say!("not sent  {}", p.remaining());
    if p.resent > 0 {
        crate::say!(
            "to retry  {} (failed on a credential, throttling or the network: a resume sends them again)",
            p.resent
        );
    }
    crate::say!(
        "state     {}",
        if p.finished() {
            "finished"
        } else {
            "unfinished"
        }
    );
    for (title, want) in [
        ("failed", intune_passcode::DeviceState::Failed),
        ("unknown", intune_passcode::DeviceState::Unknown),
    ] {
        let hits: Vec<_> = journal.records().filter(|r| r.state == want).collect();
        if hits.is_empty() {
            continue;
        }
        crate::say!("\n{title} ({}):", hits.len());
        for r in hits.iter().take(20) {
            crate::say!(
                "  {}  {}{}",
                r.device_id,
                r.code.as_deref().unwrap_or("?"),
                r.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
            );
        }
        if hits.len() > 20 {
            crate::say!(
                "  … and {} more (`intune-passcode jobs report {}`)",
                hits.len() - 20,
                paths.name
            );
        }
    }
    if !p.finished() {
        crate::say!(
            "\n`intune-passcode jobs resume {}` finishes it.",
            jobs_store::resume_arg(&paths)
        );
    }
    Ok(Exit::Ok)
}

fn report(job: &str, format: ReportFormat) -> Result<Exit, Fail> {
    let (paths, journal) = open(job)?;
    let rows = jobs_store::read_input(&paths, &journal)?;
    let records: HashMap<&str, &intune_passcode::DeviceRecord> = journal
        .records()
        .map(|r| (r.device_id.as_str(), r))
        .collect();
    let outcomes: Vec<_> = rows
        .iter()
        .map(|r| output::outcome_from_record(r, records.get(r.device_id.as_str()).copied()))
        .collect();
    output::write_report(
        &mut std::io::stdout().lock(),
        format == ReportFormat::Jsonl,
        &outcomes,
    )
    .map_err(|e| Fail::usage(format!("cannot write the report: {e}")))?;
    Ok(Exit::Ok)
}

async fn resume(mut a: ResumeArgs) -> Result<Exit, Fail> {
    let (paths, journal) = open(&a.job)?;
    let rows = jobs_store::read_input(&paths, &journal)?;
    // Without --base-url, the job's API version on the configured cloud; a journal naming any other host is refused
    // rather than trusted with a token (with --base-url, the journal refuses a Graph that is not its own).
    if a.connection.base_url.is_none() {
        let cloud = crate::connect::cloud(&a.connection)?;
        let version = journal.resume_api_version(&cloud).map_err(|e| {
            Fail::usage(format!(
                "{}; (--base-url {})",
                output::describe_error(&e),
                journal.graph_base().trim_end_matches('/')
            ))
        })?;
        // The job's own version, whatever --api-version says, and said so: a device's record and the routes are
        // the ones the job began with.
        if let Some(asked) = a.connection.api_version.as_deref()
            && asked != version.as_str()
        {
            crate::tell!(
                "job ran on Graph {}: it resumes there (--api-version {asked} applies to new jobs)",
                version.as_str()
            );
        }
        a.connection.api_version = Some(version.as_str().to_string());
    }
    drop(journal);
    super::run::check_report(&a.run, &paths, None)?;
    let client = crate::connect::client(&a.connection)?;
    if a.run.again {
        crate::tell!("{}", crate::confirm::again_notice(a.run.recent));
    }
    crate::tell!(
        "job {} ({}); journal {}",
        paths.name,
        crate::output::devices(rows.len()),
        paths.journal.display()
    );
    super::run::run_job(
        client,
        &paths,
        rows,
        &a.run,
        a.retry_failed,
        a.resend_unconfirmed,
    )
    .await
}
