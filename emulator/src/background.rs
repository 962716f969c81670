//! An emulator on threads of its own, for hosts without a tokio runtime: the Python and Node test fixtures, and
//! Rust tests that are not async. Stopping it releases its port, its threads and its files.

use std::time::Duration;

use crate::{Emulator, EmulatorConfig, EmulatorHandle};

/// Worker threads of each background emulator: enough for a client's 16–64 connections, few enough that a test
/// suite may run dozens of emulators at once.
const WORKERS: usize = 2;

/// How long [`BackgroundEmulator::stop`] waits for answers still running (a latency fault's sleep) before it lets
/// them go.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// A running emulator with its own runtime; stopped by [`BackgroundEmulator::stop`] or when dropped. Derefs to the
/// [`EmulatorHandle`] for its URLs, credentials and ledger.
pub struct BackgroundEmulator {
    handle: Option<EmulatorHandle>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl BackgroundEmulator {
    /// Start an emulator on new threads and return once it accepts connections.
    pub fn start(config: EmulatorConfig) -> Result<BackgroundEmulator, String> {
        // Checked here too so that bad settings start no thread at all.
        config.check()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .thread_name("graph-emulator")
            .enable_all()
            .build()
            .map_err(|e| format!("could not start the emulator's threads: {e}"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let _ = tx.send(Emulator::start(config).await);
        });
        let started = rx
            .recv()
            .unwrap_or_else(|_| Err("the emulator's runtime stopped before it started".into()));
        let mut emulator = BackgroundEmulator {
            handle: None,
            runtime: Some(runtime),
        };
        match started {
            Ok(handle) => {
                emulator.handle = Some(handle);
                Ok(emulator)
            }
            Err(e) => Err(e),
        }
    }

    /// Stop serving, close every connection, join the threads and remove the files it wrote.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        // Aborting the accept loop closes the listening socket; shutting the runtime down drops every connection
        // task, and with them the last reference to the state (whose drop removes the certificate files).
        drop(self.handle.take());
        if let Some(runtime) = self.runtime.take() {
            // Shut down from a thread of our own: a runtime may not block inside another runtime's task (the
            // Node addon's, a Rust test's), and this way `stop` still waits for the threads to end everywhere.
            // (Should no thread be spared, the runtime is dropped with the failed spawn's closure.)
            let _ = std::thread::Builder::new()
                .name("graph-emulator-stop".into())
                .spawn(move || runtime.shutdown_timeout(STOP_GRACE))
                .map(|t| t.join());
        }
    }
}

impl std::ops::Deref for BackgroundEmulator {
    type Target = EmulatorHandle;

    fn deref(&self) -> &EmulatorHandle {
        // Set by `start` and taken only by `stop`, which consumes `self`, or by `drop`.
        self.handle
            .as_ref()
            .expect("a BackgroundEmulator has a handle until it is stopped")
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        self.shut_down();
    }
}
