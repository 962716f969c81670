//! One file per command.

pub mod completions;
pub mod jobs;
pub mod reset;
pub mod run;
pub mod status;
