//! Appending to a journal: one thread owns the locked file and writes what the workers send it; each intent waits
//! until it is on disk, and the intents that arrive together share one `fsync` (group commit).

use std::fs::File;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::error::{Error, ErrorKind};

use super::event::Event;

type Ack = oneshot::Sender<Result<(), String>>;

/// `fdatasync`s made by every journal of this process (for `make bench`'s W6: syncs per device).
static SYNCS: AtomicU64 = AtomicU64::new(0);

/// How many times this process's journals have synced to disk so far.
pub fn journal_syncs() -> u64 {
    SYNCS.load(Ordering::Relaxed)
}

/// The writer of one job's journal. Dropping it writes what is queued, syncs, and releases the file (and its lock).
pub(crate) struct JournalWriter {
    /// The sidecar whose lock says this run holds the journal; released when the writer is dropped (after the last
    /// line is written and synced, since the writer thread is joined first).
    _lock: File,
    tx: Option<mpsc::Sender<(Vec<u8>, Option<Ack>)>>,
    thread: Option<JoinHandle<()>>,
    syncs: Arc<AtomicU64>,
    path: String,
}

impl JournalWriter {
    /// Take over `file` (positioned at its end) and `lock`, the locked sidecar.
    pub(crate) fn start(file: File, lock: File, path: String) -> JournalWriter {
        let (tx, rx) = mpsc::channel::<(Vec<u8>, Option<Ack>)>();
        let syncs = Arc::new(AtomicU64::new(0));
        let counter = syncs.clone();
        let thread = std::thread::Builder::new()
            .name("intune-passcode-journal".into())
            .spawn(move || write_loop(file, rx, counter))
            .ok();
        JournalWriter {
            _lock: lock,
            tx: Some(tx),
            thread,
            syncs,
            path,
        }
    }

    /// Queue a line (planned, result, verify): written soon, synced with the next intent or at the end.
    pub(crate) fn append(&self, e: &Event) {
        if let (Some(tx), Ok(line)) = (&self.tx, line(e)) {
            let _ = tx.send((line, None));
        }
    }

    /// Write a line and wait until it is on disk (an intent: nothing may leave before it is).
    pub(crate) async fn append_synced(&self, e: &Event) -> Result<(), Error> {
        let failed = |why: String| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "could not write the journal {}: {why}; nothing was sent for this device",
                    self.path
                ),
            )
        };
        let line = line(e).map_err(|e| failed(e.to_string()))?;
        let (ack, done) = oneshot::channel();
        let tx = self
            .tx
            .as_ref()
            .ok_or_else(|| failed("it is closed".into()))?;
        tx.send((line, Some(ack)))
            .map_err(|_| failed("its writer stopped".into()))?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(failed(why)),
            Err(_) => Err(failed("its writer stopped".into())),
        }
    }

    /// `fsync`s made so far.
    pub(crate) fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        tracing::debug!(journal = %self.path, fsyncs = self.syncs(), "closing the journal");
        self.tx.take();
        if let Some(t) = self.thread.take() {
            // Short: the queue's last lines and one sync. Joining makes the lock's release certain on return.
            let _ = t.join();
        }
    }
}

fn line(e: &Event) -> Result<Vec<u8>, serde_json::Error> {
    let mut v = serde_json::to_vec(e)?;
    v.push(b'\n');
    Ok(v)
}

fn write_loop(mut file: File, rx: mpsc::Receiver<(Vec<u8>, Option<Ack>)>, syncs: Arc<AtomicU64>) {
    let mut broken: Option<String> = None;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut buf = Vec::new();
        let mut acks = Vec::new();
        for (line, ack) in batch {
            buf.extend_from_slice(&line);
            acks.extend(ack);
        }
        if broken.is_none() {
            let mut outcome = file.write_all(&buf);
            if outcome.is_ok() && !acks.is_empty() {
                outcome = file.sync_data();
                syncs.fetch_add(1, Ordering::Relaxed);
                SYNCS.fetch_add(1, Ordering::Relaxed);
            }
            if let Err(e) = outcome {
                broken = Some(e.to_string());
            }
        }
        for ack in acks {
            let _ = ack.send(broken.clone().map_or(Ok(()), Err));
        }
    }
    if broken.is_none() {
        let _ = file.sync_data();
    }
}
