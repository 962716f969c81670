//! `CancelToken`: what an `AbortSignal` trips (through the wrapper) to stop a call or a bulk run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use napi_derive::napi;
use tokio::sync::Notify;

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    notify: Notify,
}

/// A one-way switch: once cancelled, every waiter wakes.
#[napi]
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[napi]
impl CancelToken {
    /// A new token, not cancelled.
    #[napi(constructor)]
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Cancel: calls not yet sent are never sent; in-flight ones are abandoned.
    #[napi]
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether `cancel` was called.
    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }
}

impl CancelToken {
    /// Resolves once cancelled.
    pub async fn wait(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.inner.cancelled.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}
