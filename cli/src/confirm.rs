//! The guard on a destructive bulk action: more than one device needs `--yes` when stdin is not a terminal, and on a
//! terminal the count typed back.

use std::io::{BufRead, IsTerminal, Write};

use crate::exit::Fail;

/// What `--again` (or `--new-job`) does, said wherever it is in force.
pub fn again_notice(recent_days: f64) -> String {
    format!(
        "--again: devices that other jobs reset in the last {recent_days} days are sent anyway, and each gets another \
         new passcode"
    )
}

/// Ask before resetting `count` devices at `graph_base`; `Ok` to go on. `again`: the override of the other jobs'
/// check is in force (said in the prompt, and on stderr when nothing is asked).
pub fn confirm(
    count: usize,
    graph_base: &str,
    yes: bool,
    stdin_is_input: bool,
    again: Option<f64>,
) -> Result<(), Fail> {
    if count <= 1 || yes {
        if let Some(days) = again {
            crate::tell!("{}", again_notice(days));
        }
        return Ok(());
    }
    let interactive =
        !stdin_is_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !interactive {
        return Err(Fail::usage(format!(
            "this resets the passcode of {count} devices (a new passcode each, not undoable): add --yes to go \
             ahead without a terminal to confirm on"
        )));
    }
    let again = again
        .map(|days| format!("\n{}.", again_notice(days)))
        .unwrap_or_default();
    crate::tell_partial!(
        "This resets the passcode of {count} devices through {graph_base}; each gets a new passcode and the old one \
         stops working.{again}\nType {count} to go ahead: "
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Fail::usage(format!("no confirmation: {e}")))?;
    if answer.trim() == count.to_string() {
        Ok(())
    } else {
        Err(Fail::usage(format!(
            "not confirmed (typed '{}', not {count}); nothing was sent",
            answer.trim()
        )))
    }
}
