//! # intune-passcode-cli
//!
//! The `intune-passcode` command line: reset passcodes for a fleet from a list or the Intune portal's CSV export,
//! paced under Intune's limit, journaled (a killed run resumes without resetting any device twice), with a progress
//! bar, JSON lines, reports and exit codes a script can branch on. [`run`] is the whole program: the binary, the
//! Python console script and the npm `bin` all call it.

/// `println!` that never panics: a stdout closed early (`| head`) ends nothing but the output.
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `eprintln!` that never panics.
#[macro_export]
macro_rules! tell {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

/// `eprint!` that never panics.
#[macro_export]
macro_rules! tell_partial {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($t)*);
    }};
}

pub mod args;
pub mod commands;
pub mod confirm;
pub mod connect;
pub mod exit;
pub mod input;
pub mod jobs_store;
pub mod output;

use std::ffi::OsString;

use clap::Parser;

pub use exit::Exit;

/// Run the command line `args` (the first is the program's name) and return its exit code. Never ends the process
/// (a Python or Node host goes on), and must not be called from inside a tokio runtime: it starts its own.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // A bug must not take the Python or Node host down with it.
    match std::panic::catch_unwind(move || run_inner(args)) {
        Ok(code) => code,
        Err(_) => {
            tell!("intune-passcode: internal error (a bug); the journal, if any, is consistent");
            70
        }
    }
}

fn run_inner(args: Vec<OsString>) -> i32 {
    let cli = match args::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        crate::tell!("intune-passcode: the command line cannot run inside an async runtime");
        return Exit::Usage as i32;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::tell!("intune-passcode: cannot start: {e}");
            return Exit::NothingSent as i32;
        }
    };
    let result = rt.block_on(async move {
        match cli.command {
            args::Command::Reset(a) => commands::reset::reset(a).await,
            args::Command::Status(a) => commands::status::status(a).await,
            args::Command::Jobs(c) => commands::jobs::jobs(c).await,
            args::Command::Completions { shell } => Ok(commands::completions::completions(shell)),
        }
    });
    // In-flight work of an interrupted run is dropped here; its journal already has every intent.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(exit) => exit as i32,
        Err(f) => {
            crate::tell!("intune-passcode: {}", f.message);
            f.exit as i32
        }
    }
}
