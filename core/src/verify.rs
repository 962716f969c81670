//! Reading a reset back from Graph: the device's latest `resetPasscode` record, confirming that a reset whose answer
//! was lost was accepted, and waiting for a reset to finish. Reads are safe to repeat, so unlike the reset they are
//! retried on any transient failure; nothing here ever sends a reset.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{ACCEPT, AUTHORIZATION};
use tokio::time::{Instant, timeout_at};

use crate::call::CLOCK_MARGIN;
use crate::call::Target;
use crate::call::classify;
use crate::call::parse_retry_after;
use crate::call::{Client, deadline_error, read_capped};
use crate::convert::format_time;
use crate::error::{Error, ErrorKind};
use crate::http::describe;
use crate::http::header;
use crate::outcome::{Confirmation, ResetAction, latest_reset};

/// The permission reading a device needs (a different one from the action's).
pub const READ_PERMISSION: &str = "DeviceManagementManagedDevices.Read.All";

/// How far Graph's clock may be behind ours when matching a record to a request: a record that started up to this
/// long before `sent_at` still counts as this request's.
pub const CLOCK_SKEW: Duration = Duration::from_secs(30);

/// The longest a device read is allowed to be; a managed device is a few KiB.
const MAX_DEVICE_BODY: usize = 1 << 20;

/// First pause between polls, growing by half each poll up to `MAX_POLL`.
const FIRST_POLL: Duration = Duration::from_millis(500);
const MAX_POLL: Duration = Duration::from_secs(10);

impl Client {
    /// The device's latest `resetPasscode` record (`deviceActionResults`), read by the target's route; `None` when it
    /// has none. Needs `DeviceManagementManagedDevices.Read.All`: a 403 is `PermissionDenied` naming it, and says
    /// nothing about any reset.
    pub async fn reset_status(&self, target: &Target) -> Result<Option<ResetAction>, Error> {
        self.read_latest(target, Instant::now() + self.timeout())
            .await
    }

    /// Settle a reset whose answer was lost: poll the device's record (backing off, honouring `Retry-After`) until it
    /// shows a reset started at or after `sent_at`, for at most `within`. `sent_at` is ours and the record's time is
    /// Graph's: they are compared in Graph's clock, measured from its `Date` header, less
    /// [`CLOCK_MARGIN`](crate::CLOCK_MARGIN). [`Confirmation::NotSeen`] proves nothing: Graph does not say how soon a
    /// record appears. Never sends a reset.
    pub async fn confirm_reset(
        &self,
        target: &Target,
        sent_at: SystemTime,
        within: Duration,
    ) -> Result<Confirmation, Error> {
        self.confirm_reset_newer_than(target, sent_at, within, None)
            .await
    }

    /// [`Client::confirm_reset`], where the device's latest `resetPasscode` record was read before the request was
    /// sent (`seen_before`, its `startDateTime`): only a record started after that one can be this request's, however
    /// close in time the two are. Pass what [`Client::reset_status`] or a [`Confirmation::NotSeen`] returned.
    pub async fn confirm_reset_newer_than(
        &self,
        target: &Target,
        sent_at: SystemTime,
        within: Duration,
        seen_before: Option<SystemTime>,
    ) -> Result<Confirmation, Error> {
        let deadline = Instant::now() + within;
        let mut poll = FIRST_POLL;
        let mut latest = None;
        let mut read_once = false;
        loop {
            match self.read_latest(target, deadline).await {
                Ok(Some(a)) if self.is_for(&a, sent_at, seen_before) => {
                    return Ok(Confirmation::Accepted(a));
                }
                Ok(found) => {
                    latest = found;
                    read_once = true;
                }
                Err(e) if transient(&e) => {
                    if !read_once && Instant::now() + poll >= deadline {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
            if Instant::now() + poll >= deadline {
                tracing::info!(target = %target, "no record of the reset yet");
                return Ok(Confirmation::NotSeen { latest });
            }
            tokio::time::sleep(poll).await;
            poll = (poll.mul_f64(1.5)).min(MAX_POLL);
        }
    }

    /// Wait until the reset sent at `sent_at` reaches a final state (`done`, `failed`, `notSupported`, `canceled`),
    /// for at most `timeout`, and return its record (on Android, with the new passcode). A device that is offline
    /// stays `pending`, possibly for days: the wait then ends with `Timeout`, naming the last state seen.
    pub async fn wait_for_reset(
        &self,
        target: &Target,
        sent_at: SystemTime,
        timeout: Duration,
    ) -> Result<ResetAction, Error> {
        let deadline = Instant::now() + timeout;
        let mut poll = FIRST_POLL;
        let mut last_state = None;
        loop {
            match self.read_latest(target, deadline).await {
                Ok(Some(a)) if self.is_for(&a, sent_at, None) => {
                    if a.state.is_final() {
                        return Ok(a);
                    }
                    last_state = Some(a.state.as_str().to_string());
                }
                Ok(_) => {}
                Err(e) if transient(&e) && Instant::now() + poll < deadline => {}
                Err(e) => return Err(e),
            }
            if Instant::now() + poll >= deadline {
                let seen = match last_state {
                    Some(s) => format!("its record was still '{s}'"),
                    None => format!(
                        "no record of a reset sent at {} was seen",
                        format_time(sent_at)
                    ),
                };
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the wait for the reset to finish ended after {:.1} s: {seen}",
                        timeout.as_secs_f64()
                    ),
                ));
            }
            tokio::time::sleep(poll).await;
            poll = (poll.mul_f64(1.5)).min(MAX_POLL);
        }
    }

    /// One logical read of the device, retried (within `deadline` and the retry policy) on 429/503 with their
    /// `Retry-After`, on other 5xx and on connection failures: a read changes nothing.
    async fn read_latest(
        &self,
        target: &Target,
        deadline: Instant,
    ) -> Result<Option<ResetAction>, Error> {
        let inner = self.inner();
        let url = format!(
            "{}{}?$select=id,deviceActionResults",
            inner.graph_base,
            target.device_path()
        );
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut retries = 0;
        let mut rejected_token = None;
        let mut last_error: Option<Error> = None;
        loop {
            let token = match timeout_at(deadline, inner.tokens.get(deadline)).await {
                Ok(Ok(t)) => t,
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(deadline_error(last_error, "fetching a token")),
            };
            if rejected_token.as_ref() == Some(&token)
                && let Some(e) = last_error
            {
                return Err(e);
            }
            let req = inner
                .http
                .get(&url)
                .header(AUTHORIZATION, format!("Bearer {}", token.expose()))
                .header(ACCEPT, "application/json")
                .header("client-request-id", &client_request_id);
            let outcome = match timeout_at(deadline, req.send()).await {
                Err(_) => return Err(deadline_error(last_error, "reading the device")),
                Ok(Err(e)) => Err(Error::new(
                    ErrorKind::Network,
                    format!("could not read the device from Graph: {}", describe(&e)),
                )),
                Ok(Ok(resp)) => Ok(resp),
            };
            let (err, retry_after) = match outcome {
                Err(e) => (e, None),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    inner
                        .clock
                        .observe(header(&headers, "date").as_deref(), SystemTime::now());
                    let body = read_capped(resp, deadline, MAX_DEVICE_BODY).await;
                    if (200..300).contains(&status) {
                        return latest_reset(&body).map_err(|why| {
                            Error::new(ErrorKind::UnexpectedResponse, why)
                                .with_status(status)
                                .with_ids(header(&headers, "request-id"), None, None)
                        });
                    }
                    let retry_after = header(&headers, "retry-after")
                        .and_then(|v| parse_retry_after(&v, SystemTime::now()));
                    let err = read_error(classify(status, &headers, &body), status)
                        .with_retry_after(retry_after);
                    if status == 401 && rejected_token.is_none() {
                        inner.tokens.invalidate(&token).await;
                        rejected_token = Some(token);
                        last_error = Some(err);
                        continue;
                    }
                    (err, retry_after)
                }
            };
            if !transient(&err) {
                return Err(err);
            }
            let wait = retry_after.unwrap_or_else(|| inner.retry.backoff(retries + 1));
            if retries >= inner.retry.max_retries || Instant::now() + wait >= deadline {
                return Err(err);
            }
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "device read failed; retrying"
            );
            tokio::time::sleep(wait).await;
            retries += 1;
            last_error = Some(err);
        }
    }
}

impl Client {
    /// Whether a reset record belongs to a request sent at `sent_at` (our clock): it started no earlier than that
    /// moment in Graph's clock less the margin (less `CLOCK_SKEW` while Graph's clock is unmeasured), and after
    /// `seen_before`, a record read before the request left.
    fn is_for(
        &self,
        a: &ResetAction,
        sent_at: SystemTime,
        seen_before: Option<SystemTime>,
    ) -> bool {
        is_for(
            a,
            sent_at,
            self.inner().clock.to_graph(sent_at),
            seen_before,
        )
    }
}

/// [`Client::is_for`] with the clock's reading given: `sent_graph` is `sent_at` in Graph's clock, when measured.
fn is_for(
    a: &ResetAction,
    sent_at: SystemTime,
    sent_graph: Option<SystemTime>,
    seen_before: Option<SystemTime>,
) -> bool {
    let earliest = match sent_graph {
        Some(t) => t.checked_sub(CLOCK_MARGIN).unwrap_or(t),
        None => sent_at.checked_sub(CLOCK_SKEW).unwrap_or(sent_at),
    };
    // Newer by at least a millisecond: the record read before was handed back through Graph's text, a JavaScript Date
    // or a Python datetime, none of which keeps more, so the same record must not pass for a newer one.
    a.started_at >= earliest && seen_before.is_none_or(|s| millis(a.started_at) > millis(s))
}

/// A time in whole milliseconds since 1970, rounded to the nearest.
fn millis(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| (d.as_nanos() + 500_000) / 1_000_000)
}

/// Failures worth reading again: throttling, Graph's 5xx, the network, the deadline.
fn transient(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Throttled
            | ErrorKind::ServiceUnavailable
            | ErrorKind::Network
            | ErrorKind::Timeout
    )
}

/// A read's error: the kinds mean what they mean for a read (a 5xx is `ServiceUnavailable`, never
/// `OutcomeUnknown`; a 403 names the read permission).
fn read_error(e: Error, status: u16) -> Error {
    match status {
        403 => e.with_kind(
            ErrorKind::PermissionDenied,
            format!(
                "Graph refused to read the device: the app needs {READ_PERMISSION} (or ReadWrite.All); this says \
                 nothing about whether the reset ran"
            ),
        ),
        500..=599 => e.with_kind(
            ErrorKind::ServiceUnavailable,
            format!("Graph failed (HTTP {status}) reading the device"),
        ),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::ActionState;

    #[test]
    fn a_record_belongs_to_a_request_sent_before_it_less_the_skew() {
        let sent = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let at = |secs: i64| ResetAction {
            state: ActionState::Pending,
            started_at: if secs >= 0 {
                sent + Duration::from_secs(secs as u64)
            } else {
                sent - Duration::from_secs((-secs) as u64)
            },
            updated_at: None,
            error_code: None,
            passcode: None,
        };
        // Graph's clock unmeasured: the old allowance.
        assert!(is_for(&at(0), sent, None, None));
        assert!(is_for(&at(5), sent, None, None));
        assert!(is_for(&at(-30), sent, None, None));
        assert!(!is_for(&at(-31), sent, None, None));
        // Measured, equal clocks: a record 25 s older is not ours; the margin is 5 s.
        assert!(!is_for(&at(-25), sent, Some(sent), None));
        assert!(is_for(&at(-5), sent, Some(sent), None));
        assert!(!is_for(&at(-6), sent, Some(sent), None));
        // Our clock 60 s ahead of Graph's: our own record, stamped 59 s "before" sent_at, is ours.
        let graph = sent - Duration::from_secs(60);
        assert!(is_for(&at(-59), sent, Some(graph), None));
        assert!(!is_for(&at(-70), sent, Some(graph), None));
        // A record read before sending: only a newer one counts.
        let before = sent + Duration::from_secs(1);
        assert!(!is_for(&at(1), sent, Some(sent), Some(before)));
        assert!(is_for(&at(2), sent, Some(sent), Some(before)));
        // The same record handed back with less precision (a float's rounding) is still not newer.
        let blurred = before - Duration::from_nanos(300);
        assert!(!is_for(&at(1), sent, Some(sent), Some(blurred)));
    }
}
