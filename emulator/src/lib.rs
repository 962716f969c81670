//! # graph-emulator
//!
//! A real HTTP server that speaks Microsoft Graph's Intune `resetPasscode` action as Graph does: the three routes,
//! Entra ID's client-credentials token endpoint, 401/403/404/400 answers with Intune's envelope, sliding-window
//! throttling with `Retry-After`, seeded faults (429, 503, 500, 504, connections dropped before or after the reset
//! ran, latency) and a ledger of every executed reset, so tests can prove nothing was reset twice.
//!
//! Use it in-process ([`Emulator::start`]) or as the `graph-emulator` binary.

pub mod background;
pub mod cli;
pub mod config;
pub mod control;
pub mod graph;
pub mod identity;
pub mod read;
pub mod responses;
pub mod serve;
pub mod state;
pub mod tenant;
pub mod token;
pub mod vectors;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub use background::BackgroundEmulator;
pub use config::{ActionConfig, EmulatorConfig, FAULT_NAMES, FaultConfig, ThrottleConfig};
pub use state::{LoggedRequest, ScriptedResponse};
pub use tenant::Tenant;

use state::{State, lock};

/// A running emulator; stops when dropped.
pub struct EmulatorHandle {
    /// `http://127.0.0.1:PORT` (or `https://`).
    pub base_url: String,
    /// `{base_url}/v1.0`: give this to a client as its Graph URL.
    pub graph_url: String,
    /// `{base_url}`: tokens are at `{authority_url}/{tenant_id}/oauth2/v2.0/token`.
    pub authority_url: String,
    /// The CA to trust, with `tls`.
    pub ca_cert_pem: Option<String>,
    /// The same CA as a file (removed when the emulator stops), with `tls`.
    pub ca_cert_path: Option<String>,
    /// Directory ID.
    pub tenant_id: String,
    /// An app holding the permission.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// An app without the permission (its resets get 403).
    pub unprivileged_client_id: String,
    /// Its secret.
    pub unprivileged_client_secret: String,
    /// An app with `DeviceManagementManagedDevices.Read.All` only (it may read devices, not reset them).
    pub reader_client_id: String,
    /// Its secret.
    pub reader_client_secret: String,
    /// A long-lived token of the privileged app, for demos.
    pub token: String,
    /// Certificate files, the federated token file and the managed identity endpoints.
    pub certificates: Certificates,
    /// Sample IDs: `device_id`, `user_id`, `detected_app_id`, `detected_app_device_id`, `ios_device_id`,
    /// `windows_device_id`.
    pub samples: std::collections::HashMap<&'static str, String>,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Where the emulator's other credentials are: each a field of the ready line.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Certificates {
    /// The privileged app's certificate and key, one PEM file.
    pub client_certificate_pem: String,
    /// The same as PKCS#12.
    pub client_certificate_pfx: String,
    /// The PFX's password.
    pub client_certificate_password: String,
    /// The unprivileged app's certificate and key (PEM).
    pub unprivileged_client_certificate_pem: String,
    /// The reader app's certificate and key (PEM).
    pub reader_client_certificate_pem: String,
    /// An expired certificate registered on the privileged app, with its key (PEM).
    pub expired_client_certificate_pem: String,
    /// A service-account token the privileged app accepts as a federated credential (`AZURE_FEDERATED_TOKEN_FILE`).
    pub federated_token_file: String,
    /// The IMDS token endpoint (stands for `http://169.254.169.254/metadata/identity/oauth2/token`).
    pub imds_url: String,
    /// App Service's `IDENTITY_ENDPOINT`.
    pub identity_endpoint: String,
    /// App Service's `IDENTITY_HEADER`.
    pub identity_header: String,
}

/// Starts emulators.
pub struct Emulator;

impl Emulator {
    /// Bind 127.0.0.1, generate or load the tenant, and serve in the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle, String> {
        config.check()?;
        let tenant = config
            .tenant
            .clone()
            .unwrap_or_else(|| Tenant::generate(config.seed, config.devices));
        let samples = tenant.samples();
        let privileged = tenant.apps.iter().find(|a| a.privileged).cloned();
        let unprivileged = tenant
            .apps
            .iter()
            .find(|a| !a.privileged && !a.can_read())
            .cloned();
        let reader = tenant
            .apps
            .iter()
            .find(|a| !a.privileged && a.can_read())
            .cloned();
        let (Some(privileged), tenant_id) = (privileged, tenant.tenant_id.clone()) else {
            return Err("the tenant has no privileged app".into());
        };
        let unprivileged = unprivileged.unwrap_or_else(|| privileged.clone());
        let reader = reader.unwrap_or_else(|| privileged.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|e| format!("could not listen on 127.0.0.1:{}: {e}", config.port))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let (scheme, ca_cert_pem, acceptor) = if config.tls {
            let (pem, server_config) = serve::make_tls()?;
            (
                "https",
                Some(pem),
                Some(tokio_rustls::TlsAcceptor::from(server_config)),
            )
        } else {
            ("http", None, None)
        };
        let base_url = format!("{scheme}://127.0.0.1:{port}");
        let identity = identity::Identity::new(&base_url, &tenant.apps)?;
        let ca_cert_path = match &ca_cert_pem {
            Some(pem) => {
                let path = identity.dir.join("ca.pem");
                std::fs::write(&path, pem)
                    .map_err(|e| format!("could not write {}: {e}", path.display()))?;
                Some(path.display().to_string())
            }
            None => None,
        };
        let app_index = |id: &str| {
            tenant
                .apps
                .iter()
                .position(|a| a.client_id == id)
                .unwrap_or(0)
        };
        let files = |i: usize| identity.files[i].clone();
        let (p, u, r) = (
            files(app_index(&privileged.client_id)),
            files(app_index(&unprivileged.client_id)),
            files(app_index(&reader.client_id)),
        );
        let certificates = Certificates {
            client_certificate_pem: p.pem.display().to_string(),
            client_certificate_pfx: p.pfx.display().to_string(),
            client_certificate_password: identity::certs::PFX_PASSWORD.to_string(),
            unprivileged_client_certificate_pem: u.pem.display().to_string(),
            reader_client_certificate_pem: r.pem.display().to_string(),
            expired_client_certificate_pem: identity.expired_pem.display().to_string(),
            federated_token_file: identity.federated.file.display().to_string(),
            imds_url: format!("{base_url}/metadata/identity/oauth2/token"),
            identity_endpoint: format!("{base_url}/msi/token"),
            identity_header: identity.identity_header.clone(),
        };
        let state = Arc::new(State::new(tenant, &config, identity));
        let task = tokio::spawn(serve::accept_loop(listener, state.clone(), acceptor));
        Ok(EmulatorHandle {
            graph_url: format!("{base_url}/v1.0"),
            authority_url: base_url.clone(),
            base_url,
            ca_cert_pem,
            ca_cert_path,
            tenant_id,
            client_id: privileged.client_id,
            client_secret: privileged.client_secret,
            unprivileged_client_id: unprivileged.client_id,
            unprivileged_client_secret: unprivileged.client_secret,
            reader_client_id: reader.client_id,
            reader_client_secret: reader.client_secret,
            token: state.demo_token.clone(),
            certificates,
            samples,
            state,
            task,
        })
    }
}

impl EmulatorHandle {
    /// The ready line's fields, as the `graph-emulator` binary prints them.
    pub fn ready_json(&self) -> serde_json::Value {
        let ca_cert_path = self.ca_cert_path.as_deref();
        let mut v = serde_json::json!({
            "graph_url": self.graph_url,
            "authority_url": self.authority_url,
            "control_url": format!("{}/_emulator", self.base_url),
            "ca_cert": ca_cert_path,
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "unprivileged_client_id": self.unprivileged_client_id,
            "unprivileged_client_secret": self.unprivileged_client_secret,
            "reader_client_id": self.reader_client_id,
            "reader_client_secret": self.reader_client_secret,
            "token": self.token,
            "samples": self.samples,
        });
        if let (Some(obj), Ok(serde_json::Value::Object(extra))) =
            (v.as_object_mut(), serde_json::to_value(&self.certificates))
        {
            obj.extend(extra);
        }
        v
    }

    /// Write a new federated token to `federated_token_file`; the previous one stops working.
    pub fn rotate_federated_token(&self) -> Result<(), String> {
        self.state.identity.federated.rotate()
    }

    /// Answer the next managed identity requests with `next` (in order), then every one with `forever` if set.
    pub fn managed_identity_faults(&self, next: Vec<u16>, forever: Option<u16>) {
        let mut f = lock(&self.state.identity.mi_faults);
        f.next = next.into();
        f.forever = forever;
    }

    /// When each managed identity request came, in ms since the emulator started.
    pub fn managed_identity_requests(&self) -> Vec<u64> {
        lock(&self.state.identity.mi_log).clone()
    }

    /// What `GET /_emulator/devices` answers.
    pub fn devices(&self) -> serde_json::Value {
        control::devices_json(&self.state)
    }

    /// What `GET /_emulator/stats` answers.
    pub fn stats(&self) -> serde_json::Value {
        control::stats_json(&self.state)
    }

    /// The devices of one platform (a whole name of [`tenant::PLATFORMS`], any case), or all: the objects of
    /// [`EmulatorHandle::devices`].
    pub fn devices_of(&self, platform: Option<&str>) -> Vec<serde_json::Value> {
        let serde_json::Value::Array(all) = self.devices() else {
            return Vec::new();
        };
        all.into_iter()
            .filter(|d| {
                platform.is_none_or(|p| {
                    d["platform"]
                        .as_str()
                        .is_some_and(|q| q.eq_ignore_ascii_case(p))
                })
            })
            .collect()
    }

    /// Every executed reset, oldest first: `{"device_id", "at" (RFC 3339), "at_ms" (since the emulator started),
    /// "route" ("device", "user" or "detected_app"), "path" (as sent)}`.
    pub fn resets(&self) -> Vec<serde_json::Value> {
        let devices = lock(&self.state.devices);
        let mut all: Vec<_> = devices
            .iter()
            .flat_map(|(id, d)| d.resets.iter().map(move |r| (id, r)))
            .collect();
        all.sort_by_key(|(_, r)| r.at_instant);
        all.into_iter()
            .map(|(id, r)| {
                serde_json::json!({
                    "device_id": id,
                    "at": r.at,
                    "at_ms": r.at_instant.saturating_duration_since(self.state.started).as_millis() as u64,
                    "route": route_of(&r.path),
                    "path": r.path,
                })
            })
            .collect()
    }

    /// Devices reset more than once, with their count, sorted by ID (empty when the promise held). Resets Graph
    /// answered as not executed (the `503_after` fault) are not counted: a client was told to send again.
    pub fn devices_reset_twice(&self) -> Vec<(String, usize)> {
        let devices = lock(&self.state.devices);
        let mut twice: Vec<_> = devices
            .iter()
            .filter(|(_, d)| d.resets.len() > 1 + d.answered_not_executed as usize)
            .map(|(id, d)| (id.clone(), d.resets.len()))
            .collect();
        twice.sort();
        twice
    }

    /// Queue a JSON list of answers for `device_id` (what the Python and Node fixtures' `script` sends); refused
    /// whole when one is not a scripted response with an HTTP status.
    pub fn script_json(&self, device_id: &str, json: &str) -> Result<(), String> {
        let value = serde_json::from_str(json).map_err(|e| format!("bad script: {e}"))?;
        self.script(device_id, ScriptedResponse::list(value)?);
        Ok(())
    }

    /// What `assert_no_device_reset_twice` says when the promise broke (the first ten devices and their counts), or
    /// `None` when it held.
    pub fn reset_twice_report(&self) -> Option<String> {
        let twice = self.devices_reset_twice();
        if twice.is_empty() {
            return None;
        }
        let shown: Vec<String> = twice
            .iter()
            .take(10)
            .map(|(d, n)| format!("{d} ({n} times)"))
            .collect();
        let more = match twice.len() {
            n if n > 10 => format!(" and {} more", n - 10),
            _ => String::new(),
        };
        Some(format!(
            "{} devices were reset more than once: {}{more}",
            twice.len(),
            shown.join(", ")
        ))
    }

    /// Make a device never check in (its resets stay `pending`), or check in again; false when there is no such
    /// device.
    pub fn set_offline(&self, device_id: &str, offline: bool) -> bool {
        lock(&self.state.devices)
            .get_mut(device_id)
            .map(|d| d.offline = offline)
            .is_some()
    }

    /// The environment a program that reads `AZURE_*` needs to use this emulator with the privileged app's secret
    /// (`DefaultAzureCredential`, `Client.from_environment`, the command line with `--base-url`).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("AZURE_TENANT_ID", self.tenant_id.clone()),
            ("AZURE_CLIENT_ID", self.client_id.clone()),
            ("AZURE_CLIENT_SECRET", self.client_secret.clone()),
            ("AZURE_AUTHORITY_HOST", self.authority_url.clone()),
        ];
        if let Some(pem) = &self.ca_cert_path {
            env.push(("SSL_CERT_FILE", pem.clone()));
        }
        env
    }

    /// Executed resets of one device (0 when unknown).
    pub fn reset_count(&self, device_id: &str) -> usize {
        lock(&self.state.devices)
            .get(device_id)
            .map_or(0, |d| d.resets.len())
    }

    /// Serve these answers to the next requests for `device_id`, in order, before normal behaviour resumes.
    pub fn script(&self, device_id: &str, responses: Vec<ScriptedResponse>) {
        lock(&self.state.scripts)
            .entry(device_id.to_string())
            .or_default()
            .extend(responses);
    }

    /// Logged requests for `device_id` (decoded ID), oldest first.
    pub fn requests(&self, device_id: &str) -> Vec<LoggedRequest> {
        lock(&self.state.log)
            .iter()
            .filter(|r| r.device_id.as_deref() == Some(device_id))
            .cloned()
            .collect()
    }

    /// Issue a token for the privileged app that expires after `lifetime` (tests of expiry).
    pub fn issue_token(&self, lifetime: Duration) -> String {
        let token = format!("emu.{}", uuid::Uuid::new_v4().simple());
        let app = self
            .state
            .apps
            .iter()
            .position(|a| a.privileged)
            .unwrap_or(0);
        lock(&self.state.tokens).insert(
            token.clone(),
            state::IssuedToken {
                app,
                expires: std::time::Instant::now() + lifetime,
            },
        );
        token
    }
}

/// Which of the three routes a reset's path named.
fn route_of(path: &str) -> &'static str {
    let p = path.to_ascii_lowercase();
    if p.contains("/detectedapps/") {
        "detected_app"
    } else if p.contains("/users/") {
        "user"
    } else if p.is_empty() {
        "portal"
    } else {
        "device"
    }
}

/// A `Retry-After` value in seconds (integer, fraction or HTTP-date), for the early-retry detector.
pub fn retry_after_seconds(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}
