//! Pacing for bulk runs: stay under Intune's write limit, and pause every worker when Graph says 429.
//!
//! The limiter is a token bucket of `writes` tokens in which a spent token comes back `per` after the answer to
//! its request arrived. That is a sliding window, the shape Graph enforces: a bucket refilled continuously would let
//! `writes + 1` requests into some window and earn a 429. Holding the token until the answer (not the send) keeps
//! us under the limit whatever the latency.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::Error;

/// How a bulk run paces its writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// No limiter (429s still pause every worker).
    Off,
    /// At most `writes` requests in any `per`.
    Limit {
        /// Requests allowed in any window.
        writes: u32,
        /// The window.
        per: Duration,
    },
}

impl Pace {
    /// Intune's documented write limit: 200 writes per 20 s per app per tenant.
    pub const INTUNE: Pace = Pace::Limit {
        writes: 200,
        per: Duration::from_secs(20),
    };

    /// `writes` per `seconds` (fractions allowed), checked.
    pub fn limit(writes: u32, seconds: f64) -> Result<Pace, Error> {
        let per = crate::convert::duration_from_secs("pace seconds", seconds)?;
        let pace = Pace::Limit { writes, per };
        pace.validate()?;
        Ok(pace)
    }

    /// `intune` (Intune's write limit) or `off`.
    pub fn from_name(name: &str) -> Result<Pace, Error> {
        match name {
            "intune" => Ok(Pace::INTUNE),
            "off" | "none" => Ok(Pace::Off),
            other => Err(Error::invalid(format!(
                "pace '{other}' is not 'intune', 'off' or a number of writes per seconds"
            ))),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        match *self {
            Pace::Off => Ok(()),
            Pace::Limit { writes, per } => {
                if writes == 0 || per.is_zero() {
                    Err(Error::invalid(
                        "pace needs at least 1 write in a window longer than 0 s",
                    ))
                } else if writes > 1_000_000 || per > Duration::from_secs(86_400) {
                    Err(Error::invalid(
                        "pace is limited to 1,000,000 writes in a window of at most a day",
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }
}

impl Default for Pace {
    fn default() -> Self {
        Pace::INTUNE
    }
}

struct State {
    /// Tokens not spent and not cooling down.
    available: u32,
    /// Spent tokens coming back, at these instants (in order).
    returning: VecDeque<Instant>,
    /// Every worker waits until then (a 429's Retry-After).
    paused_until: Option<Instant>,
}

/// One pacer shared by every worker of a bulk run.
pub(crate) struct Pacer {
    per: Duration,
    limited: bool,
    state: Mutex<State>,
    changed: Notify,
    watch: Option<super::ThrottleWatch>,
}

/// A spent token; drop it when the answer came (or it was never sent) to start its cool-down.
pub(crate) struct Permit {
    pacer: Arc<Pacer>,
    sent: bool,
}

impl Permit {
    /// The request was never sent: the token comes back at once.
    pub(crate) fn unsent(mut self) {
        self.sent = false;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.pacer.give_back(self.sent);
    }
}

impl Pacer {
    #[cfg(test)]
    fn new_for_test(pace: Pace) -> Arc<Pacer> {
        Pacer::new(pace, None)
    }

    pub(crate) fn new(pace: Pace, watch: Option<super::ThrottleWatch>) -> Arc<Pacer> {
        let (writes, per, limited) = match pace {
            Pace::Off => (u32::MAX, Duration::ZERO, false),
            Pace::Limit { writes, per } => (writes, per, true),
        };
        Arc::new(Pacer {
            per,
            limited,
            state: Mutex::new(State {
                available: writes,
                returning: VecDeque::new(),
                paused_until: None,
            }),
            changed: Notify::new(),
            watch,
        })
    }

    /// Wait for a global pause to end and for a token.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let notified = self.changed.notified();
            let wake_at = {
                let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                while s.returning.front().is_some_and(|t| *t <= now) {
                    s.returning.pop_front();
                    s.available += 1;
                }
                match s.paused_until {
                    Some(until) if until > now => Some(until),
                    _ if !self.limited || s.available > 0 => {
                        if self.limited {
                            s.available -= 1;
                        }
                        return Permit {
                            pacer: self.clone(),
                            sent: true,
                        };
                    }
                    // Every token is in flight or cooling down: wait for the first to come back.
                    _ => s.returning.front().copied(),
                }
            };
            match wake_at {
                Some(t) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(t) => {}
                        _ = notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// Graph said 429 with this wait: every worker holds off until then.
    pub(crate) fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.paused_until.is_none_or(|p| p < until) {
            s.paused_until = Some(until);
        }
        drop(s);
        if let Some(w) = &self.watch {
            w.paused(until.into_std());
        }
        self.changed.notify_waiters();
    }

    fn give_back(&self, sent: bool) {
        if !self.limited {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if sent {
            s.returning.push_back(Instant::now() + self.per);
        } else {
            s.available += 1;
        }
        drop(s);
        self.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sliding_window_never_exceeds_the_limit() {
        let pacer = Pacer::new_for_test(Pace::Limit {
            writes: 3,
            per: Duration::from_secs(10),
        });
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..7 {
            let p = pacer.acquire().await;
            sent.push(Instant::now() - start);
            drop(p);
        }
        assert_eq!(sent[..3], [Duration::ZERO; 3]);
        assert_eq!(sent[3..6], [Duration::from_secs(10); 3]);
        assert_eq!(sent[6], Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_everyone_and_unsent_returns_at_once() {
        let pacer = Pacer::new_for_test(Pace::Limit {
            writes: 1,
            per: Duration::from_secs(10),
        });
        let start = Instant::now();
        pacer.acquire().await.unsent();
        pacer.pause_for(Duration::from_secs(4));
        let p = pacer.acquire().await;
        assert_eq!(Instant::now() - start, Duration::from_secs(4));
        drop(p);
        let off = Pacer::new_for_test(Pace::Off);
        off.pause_for(Duration::from_secs(2));
        let t = Instant::now();
        let _a = off.acquire().await;
        let _b = off.acquire().await;
        assert_eq!(Instant::now() - t, Duration::from_secs(2));
    }
}
