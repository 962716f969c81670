//! The throttle pauses of a bulk run, as a caller sees them while it goes: every worker waits out Graph's
//! `Retry-After` together, and the watch tells how long and how often.

use std::sync::Arc;
use std::time::Duration;

/// Watches a bulk run's throttle pauses: clone it into [`BulkOptions::throttle_watch`](crate::BulkOptions::throttle_watch) and ask it while the run goes.
#[derive(Clone, Debug, Default)]
pub struct ThrottleWatch(Arc<std::sync::Mutex<WatchState>>);

#[derive(Debug, Default)]
struct WatchState {
    until: Option<std::time::Instant>,
    pauses: u64,
}

impl PartialEq for ThrottleWatch {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for ThrottleWatch {}

impl ThrottleWatch {
    fn state(&self) -> std::sync::MutexGuard<'_, WatchState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    /// How much longer every worker waits for Graph's `Retry-After`, if a pause is on now.
    pub fn paused_for(&self) -> Option<Duration> {
        let until = self.state().until?;
        until.checked_duration_since(std::time::Instant::now())
    }
    /// How many pauses Graph's 429s have caused so far.
    pub fn pauses(&self) -> u64 {
        self.state().pauses
    }
    pub(crate) fn paused(&self, until: std::time::Instant) {
        let mut s = self.state();
        s.pauses += 1;
        if s.until.is_none_or(|u| u < until) {
            s.until = Some(until);
        }
    }
}
