//! Credentials: client credentials against the emulator's token endpoint, caching, refresh, 401 handling, failures.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use graph_emulator::EmulatorConfig;
use intune_passcode::{AccessToken, Client, Error, ErrorKind, Target, TokenCredential};

fn secret_client(emu: &graph_emulator::EmulatorHandle, client_id: &str, secret: &str) -> Client {
    Client::builder()
        .base_url(&emu.graph_url)
        .authority_url(&emu.authority_url)
        .client_secret(&emu.tenant_id, client_id, secret)
        .build()
        .unwrap()
}

fn token_requests(emu: &graph_emulator::EmulatorHandle) -> u64 {
    emu.stats()["token_requests"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_fetch_one_token_for_a_hundred_calls() {
    let emu = common::emulator().await;
    let client = secret_client(&emu, &emu.client_id, &emu.client_secret);
    let devices = common::resettable_devices(&emu);
    let calls = devices.iter().take(100).map(|d| {
        let client = client.clone();
        let t = Target::device(d).unwrap();
        async move { client.reset_passcode(&t).await }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(
        results.iter().all(|r| r.is_ok()),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(
        token_requests(&emu),
        1,
        "one token for 100 concurrent calls"
    );
}

#[tokio::test]
async fn short_lived_tokens_are_refreshed_before_they_expire() {
    let emu = common::emulator_with(EmulatorConfig {
        token_lifetime: Duration::from_secs(2),
        ..EmulatorConfig::default()
    })
    .await;
    let client = secret_client(&emu, &emu.client_id, &emu.client_secret);
    let device = Target::device(&emu.samples["device_id"]).unwrap();
    client.reset_passcode(&device).await.unwrap();
    client.reset_passcode(&device).await.unwrap();
    assert_eq!(token_requests(&emu), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await; // past half-life
    let r = client.reset_passcode(&device).await.unwrap();
    assert_eq!(r.attempts, 1, "refreshed before Graph could say 401");
    assert_eq!(token_requests(&emu), 2);
}

#[tokio::test]
async fn a_bad_secret_is_a_credential_error_with_the_aadsts_text_and_no_secret() {
    let emu = common::emulator().await;
    let client = secret_client(&emu, &emu.client_id, "wrong-secret-value-123");
    let device = &emu.samples["device_id"];
    let e = client
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(e.message().contains("AADSTS7000215"), "{e}");
    assert_eq!(e.graph_code(), Some("invalid_client"));
    assert_eq!(e.attempts(), 0, "nothing was sent to Graph");
    let printed = format!("{e} {e:?}");
    assert!(!printed.contains("wrong-secret-value-123"));
    assert!(emu.requests(device).is_empty());

    let unknown_tenant = Client::builder()
        .base_url(&emu.graph_url)
        .authority_url(&emu.authority_url)
        .client_secret("not-our-tenant", &emu.client_id, emu.client_secret.as_str())
        .build()
        .unwrap();
    let e = unknown_tenant
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(e.message().contains("AADSTS90002"), "{e}");
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_a_credential_error() {
    let emu = common::emulator().await;
    let closed = closed_port_url().await;
    let client = Client::builder()
        .base_url(&emu.graph_url)
        .authority_url(&closed)
        .client_secret(&emu.tenant_id, &emu.client_id, emu.client_secret.as_str())
        .build()
        .unwrap();
    let e = client
        .reset_passcode(&Target::device("d").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential, "{e}");
}

/// A loopback URL on which nothing listens.
async fn closed_port_url() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn the_unprivileged_app_is_refused_with_the_permission_named() {
    let emu = common::emulator().await;
    let client = secret_client(
        &emu,
        &emu.unprivileged_client_id,
        &emu.unprivileged_client_secret,
    );
    let device = &emu.samples["device_id"];
    let e = client
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert_eq!(e.status(), Some(403));
    assert!(
        e.message()
            .contains("DeviceManagementManagedDevices.PrivilegedOperations.All"),
        "{e}"
    );
    assert_eq!(emu.reset_count(device), 0);
}

/// Hands out the tokens it was given, in order, each claiming to be valid for an hour.
struct Sequence {
    tokens: Vec<String>,
    calls: AtomicUsize,
}

impl TokenCredential for Sequence {
    fn get_token<'a>(&'a self, _scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        let i = self.calls.fetch_add(1, Ordering::SeqCst);
        let t = self.tokens[i.min(self.tokens.len() - 1)].clone();
        Box::pin(async move {
            Ok(AccessToken::new(
                t,
                Some(SystemTime::now() + Duration::from_secs(3600)),
            ))
        })
    }
}

#[tokio::test]
async fn a_401_drops_the_cached_token_and_retries_once() {
    let emu = common::emulator().await;
    let expired = emu.issue_token(Duration::ZERO);
    let cred = Arc::new(Sequence {
        tokens: vec![expired, emu.token.clone()],
        calls: AtomicUsize::new(0),
    });
    let client = Client::builder()
        .base_url(&emu.graph_url)
        .credential_arc(cred.clone())
        .max_retries(0)
        .build()
        .unwrap();
    let device = &emu.samples["device_id"];
    let r = client
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap();
    assert_eq!(
        r.attempts, 2,
        "one 401, one success, although max_retries is 0"
    );
    assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
    let seen = emu.requests(device);
    assert_eq!(seen[1].headers["retry-attempt"], "1");
    assert_eq!(
        seen[0].headers["client-request-id"],
        seen[1].headers["client-request-id"]
    );

    // Two rejected tokens in a row: only one retry, then AUTHENTICATION.
    let bad = Arc::new(Sequence {
        tokens: vec![
            emu.issue_token(Duration::ZERO),
            emu.issue_token(Duration::ZERO),
        ],
        calls: AtomicUsize::new(0),
    });
    let client = Client::builder()
        .base_url(&emu.graph_url)
        .credential_arc(bad)
        .build()
        .unwrap();
    let e = client
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.attempts(), 2);
    assert_eq!(e.graph_code(), Some("InvalidAuthenticationToken"));
}

struct Failing;
impl TokenCredential for Failing {
    fn get_token<'a>(&'a self, _scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async { Err(Error::new(ErrorKind::Credential, "the vault is sealed")) })
    }
}

struct Hanging;
impl TokenCredential for Hanging {
    fn get_token<'a>(&'a self, _scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test]
async fn a_failing_or_hanging_credential_sends_nothing() {
    let emu = common::emulator().await;
    let device = &emu.samples["device_id"];
    let failing = Client::builder()
        .base_url(&emu.graph_url)
        .credential(Failing)
        .build()
        .unwrap();
    let e = failing
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(e.client_request_id().is_some());

    let hanging = Client::builder()
        .base_url(&emu.graph_url)
        .credential(Hanging)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = hanging
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(emu.requests(device).is_empty());
}

#[tokio::test]
async fn the_scope_follows_the_cloud_not_the_base_url() {
    let emu = common::emulator().await;
    // The emulator accepts any */.default scope; check what the credential asks for.
    struct Recorder(std::sync::Mutex<Vec<String>>, String);
    impl TokenCredential for Recorder {
        fn get_token<'a>(
            &'a self,
            scopes: &'a [String],
        ) -> BoxFuture<'a, Result<AccessToken, Error>> {
            self.0.lock().unwrap().extend(scopes.iter().cloned());
            let t = self.1.clone();
            Box::pin(async move { Ok(AccessToken::new(t, None)) })
        }
    }
    let rec = Arc::new(Recorder(Default::default(), emu.token.clone()));
    let client = Client::builder()
        .cloud(intune_passcode::Cloud::UsGovL4)
        .base_url(&emu.graph_url)
        .credential_arc(rec.clone())
        .build()
        .unwrap();
    client
        .reset_passcode(&Target::device(&emu.samples["device_id"]).unwrap())
        .await
        .unwrap();
    assert_eq!(
        *rec.0.lock().unwrap(),
        vec!["https://graph.microsoft.us/.default".to_string()]
    );
}

#[tokio::test]
async fn a_stand_alone_client_secret_credential_works_as_any_credential() {
    let emu = common::emulator().await;
    let cred = intune_passcode::ClientSecretCredential::with_authority(
        &emu.authority_url,
        &emu.tenant_id,
        &emu.client_id,
        emu.client_secret.as_str(),
    )
    .unwrap();
    assert!(!format!("{cred:?}").contains(&emu.client_secret));
    let client = Client::builder()
        .base_url(&emu.graph_url)
        .credential(cred)
        .build()
        .unwrap();
    client
        .reset_passcode(&Target::device(&emu.samples["device_id"]).unwrap())
        .await
        .unwrap();
    assert_eq!(token_requests(&emu), 1);
}
