//! Numbers and times as callers and Graph write them, checked once: seconds and milliseconds from bindings (a float
//! each), epoch milliseconds, and RFC 3339 text.

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::Error;

/// Seconds as bindings pass them (a float) into a `Duration`: finite, above 0, at most a year.
pub fn duration_from_secs(name: &str, secs: f64) -> Result<Duration, Error> {
    if secs.is_finite() && secs > 0.0 && secs <= 31_536_000.0 {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(Error::invalid(format!(
            "{name} must be a number of seconds above 0 (and at most a year), not {secs}"
        )))
    }
}

/// Milliseconds as bindings pass them (Node's `…Ms`, C's `…_ms`) into a `Duration`: finite, above 0, at most a
/// year; the error names the unit the caller used.
pub fn duration_from_millis(name: &str, ms: f64) -> Result<Duration, Error> {
    if ms.is_finite() && ms > 0.0 && ms <= 31_536_000_000.0 {
        Ok(Duration::from_secs_f64(ms / 1000.0))
    } else {
        Err(Error::invalid(format!(
            "{name} must be a number of milliseconds above 0 (and at most a year), not {ms}"
        )))
    }
}

/// A wait that can be turned off (`verify_unknown`), in seconds: none or exactly 0 is off (`None`), anything else
/// as [`duration_from_secs`]. One rule for every front door, so that `0` means the same in Python, Node, C and the
/// command line.
pub fn optional_duration_from_secs(
    name: &str,
    secs: Option<f64>,
) -> Result<Option<Duration>, Error> {
    match secs {
        None | Some(0.0) => Ok(None),
        Some(s) => duration_from_secs(name, s).map(Some),
    }
}

/// The same in milliseconds (Node's `verifyUnknownMs`, C's `verify_unknown_ms`): none or 0 is off.
pub fn optional_duration_from_millis(
    name: &str,
    ms: Option<f64>,
) -> Result<Option<Duration>, Error> {
    match ms {
        None | Some(0.0) => Ok(None),
        Some(m) => duration_from_millis(name, m).map(Some),
    }
}

/// A time as milliseconds since 1970 (a `sent_at` handed back by a binding) into a `SystemTime`: finite, not
/// before 1970, and not absurdly far ahead.
pub fn time_from_epoch_millis(name: &str, ms: f64) -> Result<SystemTime, Error> {
    if (0.0..1e15).contains(&ms) {
        // Whole milliseconds exactly (ms / 1000 in floating point is not): a time read back must compare equal.
        let whole = ms.trunc();
        let nanos = ((ms - whole) * 1e6).round() as u64;
        Ok(std::time::UNIX_EPOCH
            + Duration::from_millis(whole as u64)
            + Duration::from_nanos(nanos))
    } else {
        Err(Error::invalid(format!(
            "{name} must be a time in milliseconds since 1970, not {ms}"
        )))
    }
}

/// Parse a Graph time (RFC 3339, any offset, Graph's 7 fractional digits).
pub fn parse_time(s: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .ok()
        .map(SystemTime::from)
}

/// Format a time as RFC 3339 UTC with milliseconds, always three digits (as the library prints and journals times:
/// `time`'s `Rfc3339` drops trailing zeros, which misaligns columns of times).
pub fn format_time(t: SystemTime) -> String {
    const MILLIS_UTC: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    OffsetDateTime::from(t)
        .to_offset(time::UtcOffset::UTC)
        .format(MILLIS_UTC)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_written_with_three_digits_of_milliseconds_in_utc() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_796_513_964_350);
        assert_eq!(format_time(t), "2026-12-05T23:39:24.350Z");
        let whole = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_513_964);
        assert_eq!(format_time(whole), "2026-12-05T23:39:24.000Z");
        assert_eq!(parse_time(&format_time(t)), Some(t));
    }

    #[test]
    fn none_or_zero_turns_a_wait_off_and_anything_else_is_checked() {
        assert_eq!(optional_duration_from_secs("w", None).unwrap(), None);
        assert_eq!(optional_duration_from_secs("w", Some(0.0)).unwrap(), None);
        assert_eq!(
            optional_duration_from_secs("w", Some(1.5)).unwrap(),
            Some(Duration::from_millis(1500))
        );
        assert!(optional_duration_from_secs("w", Some(-1.0)).is_err());
        assert!(optional_duration_from_secs("w", Some(f64::NAN)).is_err());
        assert_eq!(optional_duration_from_millis("w", None).unwrap(), None);
        assert_eq!(optional_duration_from_millis("w", Some(0.0)).unwrap(), None);
        assert_eq!(
            optional_duration_from_millis("w", Some(250.0)).unwrap(),
            Some(Duration::from_millis(250))
        );
        let e = optional_duration_from_millis("verifyUnknownMs", Some(-5.0)).unwrap_err();
        assert!(e.message().contains("verifyUnknownMs"), "{e}");
    }
}
