//! `completions SHELL`: a completion script on stdout.

use clap::CommandFactory;

use crate::args::Cli;
use crate::exit::Exit;

/// Print the script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "intune-passcode", &mut std::io::stdout());
    Exit::Ok
}
