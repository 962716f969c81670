//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Reset Intune managed-device passcodes through Microsoft Graph: paced under Intune's limit, journaled so that no
/// run resets a device twice, resumable after any crash.
///
/// Credentials come the way every Azure tool takes them: the AZURE_* environment variables (a client secret or a
/// certificate, then workload identity, then managed identity), or --tenant-id and --client-id with
/// --client-secret-env NAME or --certificate PATH, or --token-env NAME for a token you already have. A secret is
/// never a plain argument.
#[derive(Parser, Debug)]
#[command(name = "intune-passcode", version, max_term_width = 110, after_help = TOP_LEVEL_EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes of the commands that run a job, without their heading (one text for two headings).
macro_rules! job_exit_codes {
    () => {
        "  0    every device reset (or already done by an earlier run of the job)
  1    some devices failed; some may also be unknown, as failures outrank unknowns
  2    usage: the command line or the input is wrong, or the confirmation was refused
  3    some outcomes unknown, none failed: `intune-passcode jobs resume JOB` settles them
  4    nothing sent: credentials or configuration
  70   internal error (a bug); the journal is consistent
  130  interrupted; the journal is consistent and `jobs resume JOB` continues
Under exit 1, a script tells whether some outcomes are also unknown from the \"unknown\" field of the --json \
summary line (`\"type\": \"summary\"`, the last line on stdout), or from `intune-passcode jobs show JOB` (its \
`unknown` line)."
    };
}

/// The exit codes, at the end of the help of the commands that run a job. Exit 1 outranks 3, so a script that must
/// know of unknown outcomes reads them from the summary or the journal, as this says.
pub const EXIT_CODES: &str = concat!("Exit codes:\n", job_exit_codes!());

/// The exit codes at the end of the top-level help: the job's, said to be reset's and resume's, since `status` has
/// its own.
pub const TOP_LEVEL_EXIT_CODES: &str = concat!(
    "Exit codes of `reset` and `jobs resume` (`status --help` lists status's own):\n",
    job_exit_codes!()
);

/// The exit codes of `status`, which reads a record and runs no job.
pub const STATUS_EXIT_CODES: &str = "\
Exit codes:
  0    the record was read (with --wait: it reached done, failed, notSupported or canceled)
  1    no resetPasscode record, or the read failed, a token refused included (the error is printed)
  2    usage: the command line is wrong, or a device ID is empty, . or .., too long or holds a control
       character (any other ID goes to Graph: an unknown one is 1, NOT_FOUND)
  3    --wait ended before a final state (the state seen is printed; ask again later)
  4    nothing read: no client could be set up (no credential, an unreadable certificate)
  70   internal error (a bug)";

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Reset the passcode of one or many devices (a journaled job; see `jobs`).
    #[command(after_help = EXIT_CODES)]
    Reset(ResetArgs),
    /// Print a device's latest resetPasscode record (state, times; the passcode only with --show-passcode).
    #[command(after_help = STATUS_EXIT_CODES)]
    Status(StatusArgs),
    /// Jobs: every bulk run is one, kept in a journal.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `jobs …`.
#[derive(Subcommand, Debug)]
pub enum JobsCommand {
    /// Jobs in the state folder, newest first.
    List,
    /// One job: counts by state, the devices that failed or are unknown.
    Show {
        /// A job name (from `jobs list`) or a journal's path.
        job: String,
    },
    /// Finish a job: devices already done are not sent again; unknown ones are settled from their records first.
    #[command(after_help = EXIT_CODES)]
    Resume(Box<ResumeArgs>),
    /// Every device of a job and its outcome, on stdout.
    Report {
        /// A job name or a journal's path.
        job: String,
        /// csv or jsonl.
        #[arg(long, value_enum, default_value_t = ReportFormat::Csv)]
        format: ReportFormat,
    },
}

/// A report's format.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// Comma-separated, with a header.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Where Graph is and who we are.
#[derive(Args, Debug, Clone, Default)]
pub struct Connection {
    /// Directory (tenant) ID, with --client-id and a secret or certificate (default: the AZURE_* variables).
    #[arg(long)]
    pub tenant_id: Option<String>,
    /// Application (client) ID.
    #[arg(long)]
    pub client_id: Option<String>,
    /// The NAME of an environment variable holding the client secret (never the secret itself).
    #[arg(long, value_name = "NAME")]
    pub client_secret_env: Option<String>,
    /// A certificate: PEM (certificate + unencrypted RSA key) or PKCS#12/PFX.
    #[arg(long, value_name = "PATH")]
    pub certificate: Option<PathBuf>,
    /// The NAME of an environment variable holding the PFX password (default: AZURE_CLIENT_CERTIFICATE_PASSWORD, if
    /// set).
    #[arg(long, value_name = "NAME")]
    pub certificate_password_env: Option<String>,
    /// The NAME of an environment variable holding a bearer token you already have.
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,
    /// global (the default), us_gov_l4, us_gov_l5 or china: its Graph and its token authority.
    #[arg(long)]
    pub cloud: Option<String>,
    /// v1.0 (default) or beta.
    #[arg(long)]
    pub api_version: Option<String>,
    /// Graph URL with the version, e.g. an emulator's http://127.0.0.1:PORT/v1.0 (plain http only on loopback).
    #[arg(long)]
    pub base_url: Option<String>,
    /// The token authority, e.g. an emulator's http://127.0.0.1:PORT.
    #[arg(long)]
    pub authority_url: Option<String>,
    /// An extra CA to trust: a PEM file.
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<String>,
    /// Send everything through this proxy.
    #[arg(long)]
    pub proxy: Option<String>,
    /// The deadline of one call in seconds: token, attempts and waits (default 100).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
}

/// How a bulk run goes and what it prints.
#[derive(Args, Debug, Clone)]
pub struct RunOptions {
    /// Calls in flight at once (1 to 1024).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// intune (Intune's 200 writes per 20 s), off (or none), or N/SECONDS with N at least 1.
    #[arg(long, default_value = "intune")]
    pub pace: String,
    /// How long to look for the record of a reset whose answer was lost before reporting it unknown (0: do not).
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub verify_unknown: f64,
    /// One JSON line per device on stdout (and a summary line at the end).
    #[arg(long)]
    pub json: bool,
    /// Also write every outcome to FILE: CSV, or JSON Lines when it ends in .jsonl or .json. An existing FILE is
    /// refused unless --force; the job's journal and its saved input always are (and reset's --input file).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Overwrite the --report FILE if it exists.
    #[arg(long, requires = "report")]
    pub force: bool,
    /// No progress bar or progress lines.
    #[arg(long)]
    pub no_progress: bool,
    /// A device that another job in the state folder reset within DAYS days (or sent with its outcome unknown) is not
    /// sent: it is reported with that job's outcome. The portal shows a new passcode for 7 days. At least a minute
    /// (0.0007); --again is the way to send them anyway.
    #[arg(long, value_name = "DAYS", default_value_t = 7.0)]
    pub recent: f64,
    /// Send the devices even though another job reset them recently (each gets another new passcode); with `reset`,
    /// also as a new job when this input already has one (the same as --new-job).
    #[arg(long)]
    pub again: bool,
    /// Send the devices whose input row says an OS Intune cannot reset (Windows, macOS, Linux); by default they are
    /// reported UNSUPPORTED_DEVICE ("skipped: the input says OS=…") and nothing is sent for them.
    #[arg(long)]
    pub send_unsupported: bool,
}

/// `reset`.
#[derive(Args, Debug)]
pub struct ResetArgs {
    /// Managed device IDs.
    pub device_ids: Vec<String>,
    /// Read IDs from FILE (or - for stdin): one per line, or CSV (comma, semicolon or tab, as the header has it) with
    /// a header naming a deviceId, managedDeviceId, "Device ID" or id column, picked in that order (and optionally
    /// userId, detectedAppId).
    #[arg(long, short, value_name = "FILE")]
    pub input: Option<String>,
    /// Reset through /users/{ID}/managedDevices.
    #[arg(long, value_name = "ID")]
    pub user: Option<String>,
    /// Reset through /deviceManagement/detectedApps/{ID}/managedDevices.
    #[arg(long, value_name = "ID")]
    pub detected_app: Option<String>,
    /// Print the routes that would be called; send nothing, fetch no token.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask: required for more than one device unless stdin and stderr are a terminal and stdin is not the
    /// input (--input - always needs it).
    #[arg(long, short)]
    pub yes: bool,
    /// The journal's path (default: the job's file in the state folder, printed at the start); linked into the
    /// jobs folder so that later jobs hold its devices (not on Windows). A journal holds one job: an existing one is
    /// refused, --new-job or not (`jobs resume PATH` finishes it).
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
    /// Start a new job even though this input already has one, and send its devices even though a job reset them
    /// recently (resets them again; implies --again).
    #[arg(long)]
    pub new_job: bool,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub connection: Connection,
}

/// `jobs resume`.
#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// A job name or a journal's path.
    pub job: String,
    /// Send again the devices that failed for good before.
    #[arg(long)]
    pub retry_failed: bool,
    /// Send again the devices whose outcome stayed unknown (they may be reset twice: only when you know they were
    /// not).
    #[arg(long)]
    pub resend_unconfirmed: bool,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub connection: Connection,
}

/// `status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The managed device ID.
    pub device_id: String,
    /// Read through /users/{ID}/managedDevices.
    #[arg(long, value_name = "ID")]
    pub user: Option<String>,
    /// Read through /deviceManagement/detectedApps/{ID}/managedDevices.
    #[arg(long, value_name = "ID")]
    pub detected_app: Option<String>,
    /// Wait up to SECONDS for the latest reset to reach a final state.
    #[arg(long, value_name = "SECONDS")]
    pub wait: Option<f64>,
    /// Print the new passcode (Android); otherwise it shows as ***.
    #[arg(long)]
    pub show_passcode: bool,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: Connection,
}
