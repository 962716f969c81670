//! Bulk runs: many devices, bounded concurrency, shared pacing, exactly one outcome per input.

use futures_util::stream::{BoxStream, Stream, StreamExt};
use tokio::task::JoinHandle;

use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::pacer::{Pace, Pacer};
use crate::receipt::Receipt;
use crate::target::Target;

/// Most calls a bulk run keeps in flight.
pub const MAX_CONCURRENCY: usize = 1024;

/// One outcome of a bulk run: the target and what became of it.
pub type BulkItem = (Target, Result<Receipt, Error>);

/// The stream of a keyed bulk run: the caller's key and what became of its target.
pub type KeyedStream<K> = BoxStream<'static, (K, Result<Receipt, Error>)>;

/// How a bulk run behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BulkOptions {
    /// Calls in flight at once (1 to 1024; default 16).
    pub concurrency: usize,
    /// Client-side pacing (default: Intune's 200 writes per 20 s).
    pub pace: Pace,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            concurrency: 16,
            pace: Pace::INTUNE,
        }
    }
}

impl BulkOptions {
    fn validate(&self) -> Result<(), Error> {
        if self.concurrency == 0 || self.concurrency > MAX_CONCURRENCY {
            return Err(Error::invalid(format!(
                "concurrency is {}; it must be from 1 to {MAX_CONCURRENCY}",
                self.concurrency
            )));
        }
        self.pace.validate()
    }
}

/// Aborts the spawned call when its outcome is no longer wanted (the stream was dropped).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Client {
    /// Reset many devices. The stream yields exactly one `(Target, Result)` per input, in completion order; targets
    /// are read lazily, so memory stays flat however many there are. Must be polled inside a tokio runtime.
    /// Dropping the stream stops the run: targets not yet started are never sent.
    pub fn reset_passcodes<I>(
        &self,
        targets: I,
        options: BulkOptions,
    ) -> Result<BoxStream<'static, BulkItem>, Error>
    where
        I: IntoIterator<Item = Target>,
        I::IntoIter: Send + 'static,
    {
        let keyed = futures_util::stream::iter(targets).map(|t| (t.clone(), Ok(t)));
        self.reset_passcodes_keyed(keyed, options)
    }

    /// The general bulk run: each input carries a key of the caller's (an index, an ID as the caller spelt it) and a
    /// target, or the error that made one (that error is passed through as the outcome, so one bad ID does not stop
    /// the run). Yields exactly one `(key, Result)` per input.
    pub fn reset_passcodes_keyed<K, S>(
        &self,
        inputs: S,
        options: BulkOptions,
    ) -> Result<KeyedStream<K>, Error>
    where
        K: Send + 'static,
        S: Stream<Item = (K, Result<Target, Error>)> + Send + 'static,
    {
        options.validate()?;
        let client = self.clone();
        let pacer = Pacer::new(options.pace);
        let stream = inputs
            .map(move |(key, target)| {
                let client = client.clone();
                let pacer = pacer.clone();
                async move {
                    let target = match target {
                        Ok(t) => t,
                        Err(e) => return (key, Err(e)),
                    };
                    let mut call = AbortOnDrop(tokio::spawn(async move {
                        client.run(&target, Some(&pacer)).await
                    }));
                    let outcome = match (&mut call.0).await {
                        Ok(r) => r,
                        Err(e) => Err(Error::new(
                            ErrorKind::OutcomeUnknown,
                            format!("the call's task ended without an answer ({e}); the passcode may or may not have been reset"),
                        )),
                    };
                    (key, outcome)
                }
            })
            .buffer_unordered(options.concurrency);
        Ok(stream.boxed())
    }
}
