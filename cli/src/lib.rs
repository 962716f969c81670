//! # intune-passcode-cli
//!
//! The `intune-passcode` command line: reset passcodes for a fleet from a list or the Intune portal's CSV export,
//! paced under Intune's limit, journaled (a killed run resumes without resetting any device twice), with a progress
//! bar, JSON lines, reports and exit codes a script can branch on. [`run`] is the whole program: the binary, the
//! Python console script and the npm `bin` all call it.

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
    let cli = match args::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        eprintln!("intune-passcode: the command line cannot run inside an async runtime");
        return Exit::Usage as i32;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("intune-passcode: cannot start: {e}");
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
            eprintln!("intune-passcode: {}", f.message);
            f.exit as i32
        }
    }
}
