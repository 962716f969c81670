//! What a run prints: one line per device on stdout (text, or JSON with --json), a report file, progress on
//! stderr (a bar on a terminal, periodic lines otherwise) and a summary at the end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use intune_passcode::{Error, ErrorKind, Receipt};

use crate::exit::Fail;
use crate::input::Row;

/// An error as the library prints it (code, HTTP status, Graph's message, request IDs, Intune's activity ID).
pub fn describe_error(e: &Error) -> String {
    e.to_string()
}

/// One device's outcome, flattened for lines and reports.
pub struct Outcome {
    /// `ok`, `failed` or `unknown`.
    pub outcome: &'static str,
    /// The fields, in report order.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// The report's columns, in order.
pub const COLUMNS: [&str; 15] = [
    "device_id",
    "user_id",
    "detected_app_id",
    "outcome",
    "code",
    "status",
    "request_id",
    "client_request_id",
    "date",
    "sent_at",
    "confirmed_by",
    "from_journal",
    "intune_activity_id",
    "message",
    "held_by",
];

/// The outcome of `row`: the receipt's or the error's own JSON (`Receipt::to_json`, `Error::to_json`), with the
/// row's IDs, cut to the report's columns (a column the result does not have is `null`).
pub fn outcome(row: &Row, result: &Result<Receipt, Error>) -> Outcome {
    let (kind, value) = match result {
        Ok(r) => ("ok", r.to_json()),
        Err(e) if e.kind() == ErrorKind::OutcomeUnknown => ("unknown", e.to_json()),
        Err(e) => ("failed", e.to_json()),
    };
    let mut m = match value {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    m.insert("device_id".into(), row.device_id.clone().into());
    m.insert("user_id".into(), row.user_id.clone().into());
    m.insert("detected_app_id".into(), row.detected_app_id.clone().into());
    m.insert("outcome".into(), kind.into());
    let fields = COLUMNS
        .iter()
        .map(|c| {
            (
                c.to_string(),
                m.remove(*c).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect();
    Outcome {
        outcome: kind,
        fields,
    }
}

impl Outcome {
    /// The text line for stdout.
    pub fn line(&self) -> String {
        let f = |k: &str| self.fields[k].as_str().unwrap_or("").to_string();
        let journal = match self.fields["held_by"].as_str() {
            Some(job) => format!(" (from job {job}, not sent again)"),
            None if self.fields["from_journal"] == true => " (from the journal)".to_string(),
            None => String::new(),
        };
        match self.outcome {
            "ok" => format!(
                "ok       {}  request-id {}{journal}",
                f("device_id"),
                f("request_id")
            ),
            // A token endpoint's message spans lines (AADSTS's trace and correlation IDs): one line per device.
            other => format!(
                "{other:<8} {}  {}{journal}",
                f("device_id"),
                f("message").replace(['\r', '\n'], " ")
            ),
        }
    }
    /// The JSON line for stdout.
    pub fn json(&self) -> String {
        serde_json::Value::Object(self.fields.clone()).to_string()
    }
    fn csv_record(&self) -> Vec<String> {
        COLUMNS
            .iter()
            .map(|c| match &self.fields[*c] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }
}

/// A report being written: CSV, or JSON Lines for `.jsonl`/`.json`.
pub enum Report {
    /// CSV with a header.
    Csv(Box<csv::Writer<std::fs::File>>, PathBuf),
    /// One object per line.
    Jsonl(std::io::BufWriter<std::fs::File>, PathBuf),
}

impl Report {
    /// Create the file (its format by its extension); an existing file is refused unless `overwrite`.
    pub fn create(path: &Path, overwrite: bool) -> Result<Report, Fail> {
        let mut open = std::fs::OpenOptions::new();
        // It lists a tenant's devices: owner-only when we create it.
        crate::jobs_store::owner_only(&mut open).write(true);
        if overwrite {
            open.create(true).truncate(true);
        } else {
            // Never truncate a file nobody said to overwrite, even one that appeared since the check.
            open.create_new(true);
        }
        let file = open.open(path).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::AlreadyExists {
                " (--force overwrites it)"
            } else {
                ""
            };
            Fail::usage(format!("--report {}: {e}{hint}", path.display()))
        })?;
        let jsonl = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("json"));
        if jsonl {
            return Ok(Report::Jsonl(
                std::io::BufWriter::new(file),
                path.to_path_buf(),
            ));
        }
        let mut w = csv::Writer::from_writer(file);
        w.write_record(COLUMNS)
            .map_err(|e| Fail::usage(format!("--report {}: {e}", path.display())))?;
        Ok(Report::Csv(Box::new(w), path.to_path_buf()))
    }
    /// Add one outcome.
    pub fn add(&mut self, o: &Outcome) {
        // A report that cannot be written does not stop the resets; the journal still has everything.
        let _ = match self {
            Report::Csv(w, _) => w.write_record(o.csv_record()).map_err(|e| e.to_string()),
            Report::Jsonl(w, _) => writeln!(w, "{}", o.json()).map_err(|e| e.to_string()),
        };
    }
    /// Flush; where it is.
    pub fn finish(self) -> PathBuf {
        match self {
            Report::Csv(mut w, p) => {
                let _ = w.flush();
                p
            }
            Report::Jsonl(mut w, p) => {
                let _ = w.flush();
                p
            }
        }
    }
}

/// Write every outcome of a job's journal to `out` as CSV or JSON Lines.
pub fn write_report(out: &mut dyn Write, jsonl: bool, outcomes: &[Outcome]) -> std::io::Result<()> {
    if jsonl {
        for o in outcomes {
            writeln!(out, "{}", o.json())?;
        }
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for o in outcomes {
        w.write_record(o.csv_record())?;
    }
    w.flush()
}

/// Counts so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    /// Outcomes reported.
    pub done: usize,
    /// Reset.
    pub ok: usize,
    /// Refused.
    pub failed: usize,
    /// Unknown.
    pub unknown: usize,
    /// Reported from the journal (nothing sent).
    pub from_journal: usize,
}

impl Counts {
    /// Count one outcome.
    pub fn add(&mut self, o: &Outcome) {
        self.done += 1;
        match o.outcome {
            "ok" => self.ok += 1,
            "failed" => self.failed += 1,
            _ => self.unknown += 1,
        }
        if o.fields["from_journal"] == true {
            self.from_journal += 1;
        }
    }
}

/// Progress on stderr: an indicatif bar on a terminal, a plain line every few seconds otherwise.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    total: usize,
    started: Instant,
    last_line: Instant,
}

/// How often the plain progress line is printed.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    /// Progress for `total` devices; `quiet` shows none.
    pub fn new(total: usize, quiet: bool) -> Progress {
        use std::io::IsTerminal;
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !quiet).then(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30.cyan/blue} {pos}/{len} {msg} {per_sec} ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        Progress {
            bar,
            plain: !terminal && !quiet,
            total,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    fn status(c: &Counts) -> String {
        format!("ok {} failed {} unknown {}", c.ok, c.failed, c.unknown)
    }

    /// Print a line above the bar (or plainly).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| crate::say!("{line}")),
            None => crate::say!("{line}"),
        }
    }

    /// One more outcome.
    pub fn update(&mut self, c: &Counts, paused: Option<Duration>) {
        let pause = paused
            .map(|p| format!(" (Graph throttled: paused {:.0} s)", p.as_secs_f64().ceil()))
            .unwrap_or_default();
        if let Some(b) = &self.bar {
            b.set_position(c.done as u64);
            b.set_message(format!("{}{pause}", Self::status(c)));
        } else if self.plain && (self.last_line.elapsed() >= PLAIN_EVERY) {
            self.last_line = Instant::now();
            let rate = c.done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
            let eta = if rate > 0.0 {
                (self.total - c.done) as f64 / rate
            } else {
                0.0
            };
            crate::tell!(
                "progress: {}/{} {}, {rate:.1}/s, ETA {eta:.0} s{pause}",
                c.done,
                self.total,
                Self::status(c)
            );
        }
    }

    /// Clear the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// "1 device", "2 devices": a count as a user reads it.
pub fn devices(n: usize) -> String {
    if n == 1 {
        "1 device".to_string()
    } else {
        format!("{n} devices")
    }
}

/// The summary table, on stderr.
pub fn summary(job: &str, journal: &Path, c: &Counts, elapsed: Duration, report: Option<&Path>) {
    crate::tell!();
    crate::tell!(
        "job {job}: {} in {:.1} s",
        devices(c.done),
        elapsed.as_secs_f64()
    );
    crate::tell!("  ok        {:>7}", c.ok);
    crate::tell!("  failed    {:>7}", c.failed);
    crate::tell!("  unknown   {:>7}", c.unknown);
    if c.from_journal > 0 {
        crate::tell!(
            "  (of these, {} settled from a journal, by an earlier run or another job: nothing sent)",
            c.from_journal
        );
    }
    crate::tell!("journal: {}", journal.display());
    if let Some(r) = report {
        crate::tell!("report:  {}", r.display());
    }
}

/// After the summary, whatever the exit code: how many outcomes are unknown and the exact command that settles
/// them, alone on its line so that it can be copied (under exit 1 the unknowns are otherwise easy to miss).
pub fn unknown_hint(c: &Counts, resume_arg: &str) {
    if c.unknown == 0 {
        return;
    }
    let outranked = if c.failed > 0 {
        format!(
            " (the exit code is 1 because {} failed: failures outrank unknowns)",
            c.failed
        )
    } else {
        String::new()
    };
    crate::tell!(
        "{} unknown: the reset may or may not have run{outranked}. This settles them from each device's record \
         before anything is sent again:",
        c.unknown
    );
    crate::tell!("  intune-passcode jobs resume {resume_arg}");
}

/// After the summary: how many failures a resume sends again (a credential, a token, throttling or the network
/// refused them, so the job is unfinished) and the command that does it, alone on its line.
pub fn retry_hint(resent: usize, resume_arg: &str) {
    if resent == 0 {
        return;
    }
    crate::tell!(
        "{} failed on a credential, a token, throttling or the network: nothing lasting about the device. This sends \
         them again (with this run's connection flags):",
        devices(resent)
    );
    crate::tell!("  intune-passcode jobs resume {resume_arg}");
}

/// A device's outcome as its job's journal records it (`not_sent` when the journal never saw it).
pub fn outcome_from_record(row: &Row, record: Option<&intune_passcode::DeviceRecord>) -> Outcome {
    use intune_passcode::DeviceState as S;
    let mut fields = serde_json::Map::new();
    let kind = match record.map(|r| r.state) {
        Some(S::Ok) => "ok",
        Some(S::Failed) => "failed",
        Some(S::Unknown) | Some(S::Sending) => "unknown",
        Some(S::Planned) | None => "not_sent",
    };
    fields.insert("outcome".into(), kind.into());
    let r = record;
    let values: [(&str, serde_json::Value); 15] = [
        ("device_id", row.device_id.clone().into()),
        ("user_id", row.user_id.clone().into()),
        ("detected_app_id", row.detected_app_id.clone().into()),
        ("outcome", kind.into()),
        ("code", r.and_then(|r| r.code.clone()).into()),
        ("status", r.and_then(|r| r.status).into()),
        ("request_id", r.and_then(|r| r.request_id.clone()).into()),
        (
            "client_request_id",
            r.and_then(|r| r.client_request_id.clone()).into(),
        ),
        ("date", serde_json::Value::Null),
        ("sent_at", r.and_then(|r| r.sent_at.clone()).into()),
        (
            "confirmed_by",
            r.and_then(|r| r.confirmed_by.clone()).into(),
        ),
        ("from_journal", true.into()),
        ("intune_activity_id", serde_json::Value::Null),
        ("message", serde_json::Value::Null),
        ("held_by", r.and_then(|r| r.held_by.clone()).into()),
    ];
    for (k, v) in values {
        fields.insert(k.into(), v);
    }
    Outcome {
        outcome: kind,
        fields,
    }
}
