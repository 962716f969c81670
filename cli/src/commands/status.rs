//! `status DEVICE_ID`: the device's latest resetPasscode record; `--wait` until it is final.

use intune_passcode::{ResetAction, Target};

use crate::args::StatusArgs;
use crate::exit::{Exit, Fail};

fn print(a: &ResetAction, device: &str, show: bool, json: bool) {
    let passcode = a.passcode.as_ref().map(|p| {
        if show {
            p.expose().to_string()
        } else {
            "***".to_string()
        }
    });
    let started = intune_passcode::format_time(a.started_at);
    let updated = a.updated_at.map(intune_passcode::format_time);
    if json {
        crate::say!(
            "{}",
            serde_json::json!({
                "device_id": device, "state": a.state.as_str(), "started_at": started, "updated_at": updated,
                "error_code": a.error_code, "passcode": passcode,
            })
        );
        return;
    }
    crate::say!("device      {device}");
    crate::say!("state       {}", a.state.as_str());
    crate::say!("started     {started}");
    if let Some(u) = updated {
        crate::say!("updated     {u}");
    }
    if let Some(c) = a.error_code {
        crate::say!("error code  {c}");
    }
    match passcode {
        Some(p) => crate::say!(
            "passcode    {p}{}",
            if show {
                ""
            } else {
                "  (--show-passcode prints it)"
            }
        ),
        None => crate::say!("passcode    (none: this platform has none, or it is not ready)"),
    }
}

/// Run `status`.
pub async fn status(a: StatusArgs) -> Result<Exit, Fail> {
    let target = Target::new(a.device_id.clone(), a.user.clone(), a.detected_app.clone())?;
    let client = crate::connect::client(&a.connection)?;
    let action = match client.reset_status(&target).await {
        Ok(a) => a,
        Err(e) => {
            crate::tell!("{}", crate::output::describe_error(&e));
            return Ok(Exit::SomeFailed);
        }
    };
    let Some(action) = action else {
        crate::tell!("{}: no resetPasscode record", a.device_id);
        return Ok(Exit::SomeFailed);
    };
    let action = match a.wait {
        Some(secs) if !action.state.is_final() => {
            let wait = intune_passcode::duration_from_secs("--wait", secs)?;
            match client
                .wait_for_reset(&target, action.started_at, wait)
                .await
            {
                Ok(done) => done,
                Err(e) => {
                    crate::tell!("{}", crate::output::describe_error(&e));
                    print(&action, &a.device_id, a.show_passcode, a.json);
                    // 3 says "not final yet, ask again later"; a read that failed is a failure, as without --wait.
                    return Ok(if e.kind() == intune_passcode::ErrorKind::Timeout {
                        Exit::SomeUnknown
                    } else {
                        Exit::SomeFailed
                    });
                }
            }
        }
        _ => action,
    };
    print(&action, &a.device_id, a.show_passcode, a.json);
    Ok(Exit::Ok)
}
