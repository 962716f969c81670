//! When to try again: the retry policy, `Retry-After` in its three forms, and backoff with jitter.

use std::time::{Duration, SystemTime};

use crate::error::Error;

/// Most retries a policy may ask for (the same cap as Microsoft's SDKs).
pub const MAX_RETRIES_CAP: u32 = 10;

/// Longest wait we represent; anything longer is as good as "not within any deadline".
const LONGEST: Duration = Duration::from_secs(u32::MAX as u64);

/// How a call retries. Only answers that say the action was *not* executed (429, 503) and failures before
/// anything was sent are retried: `resetPasscode` makes a new passcode each time it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3, at most 10).
    pub max_retries: u32,
    /// The most time one call may spend waiting between attempts, all waits added (default 180 s).
    pub max_total_wait: Duration,
    /// The first backoff when Graph gives no `Retry-After` (default 3 s), doubled each retry, plus jitter.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_total_wait: Duration::from_secs(180),
            base_delay: Duration::from_secs(3),
        }
    }
}

impl RetryPolicy {
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.max_retries > MAX_RETRIES_CAP {
            return Err(Error::invalid(format!(
                "max_retries is {}; at most {MAX_RETRIES_CAP} are allowed",
                self.max_retries
            )));
        }
        Ok(())
    }

    /// Backoff before retry number `retry` (1-based) when Graph said nothing: `base × 2^(retry-1)`, plus up to 25%
    /// jitter so that many workers do not come back at once. Never less than the base.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let jitter = exp.mul_f64(fastrand::f64() * 0.25);
        exp.saturating_add(jitter).min(LONGEST)
    }
}

/// Parse a `Retry-After` value: integer seconds (`120`), fractional seconds (`0.249`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, measured from `now`). Anything else, negative or not finite, is `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let secs: f64 = v.parse().ok()?;
        if secs.is_nan() || secs < 0.0 {
            return None;
        }
        return Some(
            Duration::try_from_secs_f64(secs)
                .unwrap_or(LONGEST)
                .min(LONGEST),
        );
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(LONGEST),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("12", now), Some(Duration::from_secs(12)));
        assert_eq!(
            parse_retry_after(" 0.249 ", now),
            Some(Duration::from_millis(249))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(120))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_is_none_and_huge_is_capped() {
        let now = SystemTime::now();
        for v in ["", "-1", "abc", "1e3", "1.2.3", "NaN", "inf", "."] {
            assert_eq!(parse_retry_after(v, now), None, "{v}");
        }
        assert_eq!(parse_retry_after(&"9".repeat(400), now), Some(LONGEST));
    }

    #[test]
    fn backoff_grows_and_never_undercuts() {
        let p = RetryPolicy::default();
        for r in 1..=10 {
            let d = p.backoff(r);
            let floor = Duration::from_secs(3) * (1 << (r - 1));
            assert!(d >= floor && d <= floor.mul_f64(1.25), "retry {r}: {d:?}");
        }
        assert!(p.backoff(u32::MAX) <= LONGEST);
    }
}
