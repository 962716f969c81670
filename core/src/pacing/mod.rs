//! Pacing: how bulk runs stay under Intune's write limit and share Graph's 429 pauses.
//!
//! * [`Pace`] is the limit a run keeps to (Intune's 200 writes per 20 s by default, or none).
//! * [`Pacer`] hands each attempt a permit; the single call's attempt loop takes one, so pacing sits below both the
//!   call and the bulk run.
//! * [`ThrottleWatch`] shows the pauses Graph's 429s cause while a run goes.

mod pacer;
mod throttle_watch;

pub use pacer::Pace;
pub(crate) use pacer::{Pacer, Permit};
pub use throttle_watch::ThrottleWatch;
