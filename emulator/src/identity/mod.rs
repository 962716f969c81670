//! Identity beyond client secrets: app certificates and the client assertions signed with them, a federated
//! (workload identity) issuer, managed identity endpoints, and the discovery documents MSAL reads first.

pub mod assertion;
pub mod certs;
pub mod discovery;
pub mod federated;
pub mod jwt;
pub mod managed;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

pub use crate::state::lock;

/// Everything identity-related the emulator holds, and the files it wrote (removed when the emulator stops).
pub struct Identity {
    /// `http(s)://127.0.0.1:PORT`.
    pub base_url: String,
    /// The folder of the files below.
    pub dir: PathBuf,
    /// Registered certificates of every app.
    pub certs: Vec<certs::RegisteredCert>,
    /// Each app's PEM and PFX, by app index.
    pub files: Vec<certs::AppFiles>,
    /// The privileged app's expired certificate (PEM: certificate + key).
    pub expired_pem: PathBuf,
    /// The workload identity issuer and its token file.
    pub federated: federated::Federated,
    /// The secret App Service puts in `IDENTITY_HEADER`.
    pub identity_header: String,
    /// Injected managed identity answers.
    pub mi_faults: Mutex<managed::Faults>,
    /// Managed identity requests received.
    pub mi_requests: AtomicU64,
    /// When each managed identity request came (ms since start), to check a client's back-off.
    pub mi_log: Mutex<Vec<u64>>,
}

impl Identity {
    /// Make certificates and the federated token for `apps` under a new folder for this emulator.
    pub fn new(base_url: &str, apps: &[crate::tenant::App]) -> Result<Identity, String> {
        let port = base_url.rsplit(':').next().unwrap_or("0");
        let dir = std::env::temp_dir().join(format!(
            "graph-emulator-{}-{port}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        let privileged = apps.iter().position(|a| a.privileged).unwrap_or(0);
        let (certs, files, expired_pem) = certs::make_all(apps, privileged, &dir)?;
        let federated = federated::Federated::new(dir.join("federated-token"))?;
        Ok(Identity {
            base_url: base_url.to_string(),
            dir,
            certs,
            files,
            expired_pem,
            federated,
            identity_header: uuid::Uuid::new_v4().simple().to_string(),
            mi_faults: Mutex::new(managed::Faults::default()),
            mi_requests: AtomicU64::new(0),
            mi_log: Mutex::new(Vec::new()),
        })
    }
}

impl Drop for Identity {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
