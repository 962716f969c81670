//! Exit codes: what a script that runs us can branch on.

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Every device reset (or already done by an earlier run of the job).
    Ok = 0,
    /// Some devices failed (Graph refused them; nothing to re-check). Some may also be unknown: the `--json`
    /// summary's `unknown` field and `jobs show` tell, and the run names the `jobs resume` line that settles them.
    SomeFailed = 1,
    /// The command line or the input is wrong, or the confirmation was refused.
    Usage = 2,
    /// Some outcomes are unknown (none failed): the reset may or may not have run; `jobs resume` settles them.
    SomeUnknown = 3,
    /// Nothing was sent: credentials or configuration.
    NothingSent = 4,
    /// Interrupted; the journal is consistent and `jobs resume` continues.
    Interrupted = 130,
}

impl Exit {
    /// The code of a run with these counts: failures outrank unknown outcomes (a failure needs a person; unknowns
    /// settle on resume).
    pub fn from_counts(failed: usize, unknown: usize) -> Exit {
        match (failed, unknown) {
            (0, 0) => Exit::Ok,
            (0, _) => Exit::SomeUnknown,
            _ => Exit::SomeFailed,
        }
    }
}

/// A usage problem or a configuration problem, with the message to print.
#[derive(Debug)]
pub struct Fail {
    /// The exit code.
    pub exit: Exit,
    /// What went wrong, for stderr.
    pub message: String,
}

impl Fail {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Fail {
        Fail {
            exit: Exit::Usage,
            message: message.into(),
        }
    }
    /// Nothing could be sent (exit 4).
    pub fn nothing_sent(message: impl Into<String>) -> Fail {
        Fail {
            exit: Exit::NothingSent,
            message: message.into(),
        }
    }
}

impl From<intune_passcode::Error> for Fail {
    /// A library error before anything was sent: bad input is usage, the rest (credentials, TLS, journal locks) is
    /// "nothing sent".
    fn from(e: intune_passcode::Error) -> Fail {
        let exit = match e.kind() {
            intune_passcode::ErrorKind::InvalidArgument => Exit::Usage,
            _ => Exit::NothingSent,
        };
        Fail {
            exit,
            message: crate::output::describe_error(&e),
        }
    }
}
