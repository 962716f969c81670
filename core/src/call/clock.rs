//! Graph's clock as seen from ours: the offset measured from the `Date` header every Graph response carries, so that
//! a device's action record (stamped by Graph) is compared with our `sent_at` (stamped by us) in one clock.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

/// How far a record may start before our request's time in Graph's clock and still be ours: `Date` has whole seconds
/// and reaches us a network trip late, so the measured offset can be off by about a second each way; a few seconds
/// cover that without letting an older reset (a colleague's, our own earlier call) pass for ours.
pub const CLOCK_MARGIN: Duration = Duration::from_secs(5);

/// The offset of Graph's clock from ours, once a response has shown it.
#[derive(Debug, Default)]
pub(crate) struct GraphClock {
    /// Graph's time minus ours, in milliseconds (the latest measure).
    offset_ms: AtomicI64,
    known: AtomicBool,
}

impl GraphClock {
    /// Take a measure from a response's `Date` header, received at `now` by our clock. A header that does not parse
    /// is ignored.
    pub(crate) fn observe(&self, date: Option<&str>, now: SystemTime) {
        let Some(graph) = date.and_then(|d| httpdate::parse_http_date(d.trim()).ok()) else {
            return;
        };
        let ms = match graph.duration_since(now) {
            Ok(ahead) => ahead.as_millis() as i64,
            Err(behind) => -(behind.duration().as_millis() as i64),
        };
        self.offset_ms.store(ms, Ordering::Relaxed);
        self.known.store(true, Ordering::Relaxed);
    }

    /// Our time `local` in Graph's clock, once measured.
    pub(crate) fn to_graph(&self, local: SystemTime) -> Option<SystemTime> {
        if !self.known.load(Ordering::Relaxed) {
            return None;
        }
        let ms = self.offset_ms.load(Ordering::Relaxed);
        let d = Duration::from_millis(ms.unsigned_abs());
        Some(if ms >= 0 {
            local + d
        } else {
            local.checked_sub(d).unwrap_or(local)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_read_from_date_both_ways_and_garbage_is_ignored() {
        let c = GraphClock::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(c.to_graph(now), None);
        c.observe(Some("nonsense"), now);
        assert_eq!(c.to_graph(now), None);
        let behind = httpdate::fmt_http_date(now - Duration::from_secs(60));
        c.observe(Some(&behind), now);
        assert_eq!(c.to_graph(now), Some(now - Duration::from_secs(60)));
        let ahead = httpdate::fmt_http_date(now + Duration::from_secs(7));
        c.observe(Some(&ahead), now);
        assert_eq!(c.to_graph(now), Some(now + Duration::from_secs(7)));
    }
}
