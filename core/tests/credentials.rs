//! Credentials that production tenants allow (certificate, client assertion, workload identity, managed identity,
//! the environment and the default chain), each resetting a device through the emulator, and every bad input a
//! clear `CREDENTIAL` error with nothing sent to Graph.

mod common;

use common::{graph_requests, resets_sample as resets};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::BoxFuture;
use graph_emulator::{EmulatorConfig, EmulatorHandle};
use intune_passcode::{
    AccessToken, AssertionAlgorithm, CertificateOptions, Client, ClientBuilder, EnvSnapshot, Error,
    ErrorKind, ManagedIdentityId, Secret, Target, TokenCredential,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/credentials")
        .join(name)
}

/// A builder at the emulator with no credential yet.
fn at(emu: &EmulatorHandle) -> ClientBuilder {
    Client::builder()
        .base_url(&emu.graph_url)
        .timeout(Duration::from_secs(20))
}

/// The call fails with a `Credential` error and Graph saw nothing.
async fn refused(emu: &EmulatorHandle, client: &Client) -> Error {
    let e = client
        .reset_passcode(&Target::device(&emu.samples["device_id"]).unwrap())
        .await
        .expect_err("the call must fail");
    assert_eq!(e.kind(), ErrorKind::Credential, "{e}");
    assert_eq!(graph_requests(emu), 0, "nothing may reach Graph: {e}");
    e
}

fn cert_builder(emu: &EmulatorHandle, path: &str, password: Option<&str>) -> ClientBuilder {
    at(emu)
        .authority_url(&emu.authority_url)
        .client_certificate(
            &emu.tenant_id,
            &emu.client_id,
            path,
            password.map(Secret::from),
        )
}

#[tokio::test]
async fn a_pem_certificate_resets_a_device_with_ps256_and_with_rs256() {
    let emu = common::emulator().await;
    let c = &emu.certificates;
    resets(
        &emu,
        &cert_builder(&emu, &c.client_certificate_pem, None)
            .build()
            .unwrap(),
    )
    .await;
    let rs256 = at(&emu)
        .authority_url(&emu.authority_url)
        .client_certificate_with(
            &emu.tenant_id,
            &emu.client_id,
            &c.client_certificate_pem,
            None,
            CertificateOptions {
                algorithm: AssertionAlgorithm::Rs256,
                send_certificate_chain: true,
                key_path: None,
            },
        )
        .build()
        .unwrap();
    resets(&emu, &rs256).await;
    assert_eq!(emu.stats()["token_requests"].as_u64(), Some(2));
}

#[tokio::test]
async fn a_pfx_with_its_password_and_a_pem_split_in_two_files_reset_a_device() {
    let emu = common::emulator().await;
    let c = &emu.certificates;
    let pfx = cert_builder(
        &emu,
        &c.client_certificate_pfx,
        Some(&c.client_certificate_password),
    );
    resets(&emu, &pfx.build().unwrap()).await;

    let dir = common::temp_dir("cred");
    let pem = std::fs::read_to_string(&c.client_certificate_pem).unwrap();
    let split = pem.find("-----BEGIN PRIVATE KEY").unwrap();
    std::fs::write(dir.join("cert.pem"), &pem[..split]).unwrap();
    std::fs::write(dir.join("key.pem"), &pem[split..]).unwrap();
    let two = at(&emu)
        .authority_url(&emu.authority_url)
        .client_certificate_with(
            &emu.tenant_id,
            &emu.client_id,
            dir.join("cert.pem"),
            None,
            CertificateOptions {
                key_path: Some(dir.join("key.pem")),
                ..CertificateOptions::default()
            },
        )
        .build()
        .unwrap();
    resets(&emu, &two).await;
}

/// Build-time refusals: a clear `CREDENTIAL` error naming the file, never its contents or the password.
#[tokio::test]
async fn bad_certificate_files_are_refused_when_the_client_is_built() {
    let emu = common::emulator().await;
    let c = &emu.certificates;
    let dir = common::temp_dir("cred");
    let pem = std::fs::read_to_string(&c.client_certificate_pem).unwrap();
    let split = pem.find("-----BEGIN PRIVATE KEY").unwrap();
    let other = std::fs::read_to_string(&c.reader_client_certificate_pem).unwrap();
    let other_key = &other[other.find("-----BEGIN PRIVATE KEY").unwrap()..];
    std::fs::write(dir.join("no-key.pem"), &pem[..split]).unwrap();
    std::fs::write(
        dir.join("other-key.pem"),
        format!("{}{other_key}", &pem[..split]),
    )
    .unwrap();
    std::fs::write(dir.join("garbage.pfx"), b"not a pfx at all").unwrap();
    let cases: Vec<(String, Option<&str>, &str)> = vec![
        (
            c.client_certificate_pfx.clone(),
            Some("wrong-password"),
            "password is wrong",
        ),
        (
            c.client_certificate_pfx.clone(),
            None,
            "password is wrong (none was given)",
        ),
        (
            dir.join("no-key.pem").display().to_string(),
            None,
            "holds no private key",
        ),
        (
            fixture("encrypted.pem").display().to_string(),
            None,
            "is encrypted",
        ),
        (
            fixture("ec.pem").display().to_string(),
            None,
            "not an RSA key",
        ),
        (
            fixture("ec-pkcs8.pem").display().to_string(),
            None,
            "not an RSA key",
        ),
        (
            dir.join("other-key.pem").display().to_string(),
            None,
            "belongs to the private key",
        ),
        (
            dir.join("garbage.pfx").display().to_string(),
            None,
            "neither PEM nor",
        ),
        (
            dir.join("missing.pem").display().to_string(),
            None,
            "cannot be read",
        ),
    ];
    for (path, password, want) in cases {
        let e = cert_builder(&emu, &path, password)
            .build()
            .expect_err(&path);
        assert_eq!(e.kind(), ErrorKind::Credential, "{path}: {e}");
        let text = format!("{e} {e:?}");
        assert!(text.contains(want), "{path}: want '{want}' in: {text}");
        assert!(text.contains(&path), "the error names the file: {text}");
        assert!(
            !text.contains("wrong-password") && !text.contains("BEGIN"),
            "{text}"
        );
        assert!(!text.contains(&c.client_certificate_password), "{text}");
    }
    assert_eq!(emu.stats()["token_requests"].as_u64(), Some(0));
}

#[tokio::test]
async fn an_expired_certificate_gets_entra_ids_answer_and_nothing_is_sent_to_graph() {
    let emu = common::emulator().await;
    let client = cert_builder(&emu, &emu.certificates.expired_client_certificate_pem, None)
        .build()
        .unwrap();
    let e = refused(&emu, &client).await;
    assert!(e.to_string().contains("AADSTS700027"), "{e}");
    assert!(e.to_string().contains("expired"), "{e}");
    // Another app's certificate is not registered on this app.
    let client = cert_builder(&emu, &emu.certificates.reader_client_certificate_pem, None)
        .build()
        .unwrap();
    let e = refused(&emu, &client).await;
    assert!(e.to_string().contains("AADSTS700027"), "{e}");
    assert!(e.to_string().contains("not registered"), "{e}");
}

#[tokio::test]
async fn a_client_assertion_callback_is_asked_at_every_token_fetch() {
    let emu = common::emulator().await;
    let file = emu.certificates.federated_token_file.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let callback: intune_passcode::AssertionCallback = Arc::new(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        let file = file.clone();
        Box::pin(async move { Ok(Secret::new(std::fs::read_to_string(file).unwrap())) })
    });
    let client = at(&emu)
        .authority_url(&emu.authority_url)
        .client_assertion(&emu.tenant_id, &emu.client_id, callback)
        .build()
        .unwrap();
    resets(&emu, &client).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let empty: intune_passcode::AssertionCallback =
        Arc::new(|| Box::pin(async { Ok(Secret::new("  ")) }));
    let emu = common::emulator().await;
    let client = at(&emu)
        .authority_url(&emu.authority_url)
        .client_assertion(&emu.tenant_id, &emu.client_id, empty)
        .build()
        .unwrap();
    refused(&emu, &client).await;
}

fn workload_env(emu: &EmulatorHandle, file: &str) -> EnvSnapshot {
    EnvSnapshot::from_pairs([
        ("AZURE_TENANT_ID", emu.tenant_id.as_str()),
        ("AZURE_CLIENT_ID", emu.client_id.as_str()),
        ("AZURE_FEDERATED_TOKEN_FILE", file),
        ("AZURE_AUTHORITY_HOST", emu.authority_url.as_str()),
    ])
}

#[tokio::test]
async fn workload_identity_rereads_its_token_file_after_rotation() {
    let emu = common::emulator_with(EmulatorConfig {
        token_lifetime: Duration::from_secs(2),
        ..EmulatorConfig::default()
    })
    .await;
    let client = at(&emu)
        .credential_env(workload_env(&emu, &emu.certificates.federated_token_file))
        .workload_identity()
        .build()
        .unwrap();
    resets(&emu, &client).await;
    // The old token stops working when the file is rewritten: a client that kept it would now fail.
    emu.rotate_federated_token().unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    resets(&emu, &client).await;
    assert_eq!(emu.stats()["token_requests"].as_u64(), Some(2));
}

#[tokio::test]
async fn workload_identity_with_an_empty_missing_or_unconfigured_file_is_a_credential_error() {
    let emu = common::emulator().await;
    let dir = common::temp_dir("cred");
    std::fs::write(dir.join("empty"), "\n").unwrap();
    for (file, want) in [
        (dir.join("empty"), "is empty"),
        (dir.join("absent"), "cannot be read"),
    ] {
        let client = at(&emu)
            .credential_env(workload_env(&emu, &file.display().to_string()))
            .workload_identity()
            .build()
            .unwrap();
        let e = refused(&emu, &client).await;
        assert!(e.to_string().contains(want), "{e}");
    }
    let e = at(&emu)
        .credential_env(EnvSnapshot::from_pairs([("AZURE_TENANT_ID", "t")]))
        .workload_identity()
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(
        e.to_string()
            .contains("AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE not set"),
        "{e}"
    );
}

fn imds_env(emu: &EmulatorHandle) -> EnvSnapshot {
    EnvSnapshot::from_pairs([("AZURE_POD_IDENTITY_AUTHORITY_HOST", emu.base_url.as_str())])
}

fn app_service_env(emu: &EmulatorHandle, header: &str) -> EnvSnapshot {
    EnvSnapshot::from_pairs([
        (
            "IDENTITY_ENDPOINT",
            emu.certificates.identity_endpoint.as_str(),
        ),
        ("IDENTITY_HEADER", header),
    ])
}

#[tokio::test]
async fn managed_identity_on_imds_and_app_service_resets_a_device_for_each_kind_of_id() {
    let emu = common::emulator().await;
    let object_id = "00000000-0000-4000-8000-000000000000";
    let resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-0";
    let header = emu.certificates.identity_header.clone();
    for env in [imds_env(&emu), app_service_env(&emu, &header)] {
        for id in [
            ManagedIdentityId::SystemAssigned,
            ManagedIdentityId::ClientId(emu.client_id.clone()),
            ManagedIdentityId::ObjectId(object_id.into()),
            ManagedIdentityId::ResourceId(resource_id.into()),
        ] {
            let client = at(&emu)
                .credential_env(env.clone())
                .managed_identity(id.clone())
                .build()
                .unwrap();
            resets(&emu, &client).await;
        }
    }
    assert_eq!(emu.managed_identity_requests().len(), 8);
}

#[tokio::test]
async fn managed_identity_retries_transient_answers_with_backoff_and_never_400() {
    let emu = common::emulator().await;
    emu.managed_identity_faults(vec![503, 429], None);
    let client = at(&emu)
        .credential_env(imds_env(&emu))
        .managed_identity(ManagedIdentityId::SystemAssigned)
        .build()
        .unwrap();
    resets(&emu, &client).await;
    let at_ms = emu.managed_identity_requests();
    assert_eq!(at_ms.len(), 3, "{at_ms:?}");
    assert!(at_ms[1] - at_ms[0] >= 1000, "first back-off: {at_ms:?}");
    assert!(at_ms[2] - at_ms[1] >= 2000, "second back-off: {at_ms:?}");

    let emu = common::emulator().await;
    emu.managed_identity_faults(vec![], Some(400));
    let client = at(&emu)
        .credential_env(imds_env(&emu))
        .managed_identity(ManagedIdentityId::ClientId("nobody".into()))
        .build()
        .unwrap();
    let e = refused(&emu, &client).await;
    assert_eq!(
        emu.managed_identity_requests().len(),
        1,
        "400 is never retried"
    );
    assert_eq!(e.status(), Some(400));
    // A wrong App Service header is refused without retrying.
    let emu = common::emulator().await;
    let client = at(&emu)
        .credential_env(app_service_env(&emu, "not-the-header"))
        .managed_identity(ManagedIdentityId::SystemAssigned)
        .build()
        .unwrap();
    let e = refused(&emu, &client).await;
    assert_eq!(e.status(), Some(401), "{e}");
    assert!(!format!("{e} {client:?}").contains("not-the-header"));
}

#[tokio::test]
async fn managed_identity_answering_410_forever_gives_up_inside_the_deadline() {
    let emu = common::emulator().await;
    emu.managed_identity_faults(vec![], Some(410));
    let client = at(&emu)
        .credential_env(imds_env(&emu))
        .managed_identity(ManagedIdentityId::SystemAssigned)
        .timeout(Duration::from_secs(4))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = refused(&emu, &client).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(e.to_string().contains("410"), "{e}");
    assert!(e.to_string().contains("deadline"), "{e}");
    assert!(emu.managed_identity_requests().len() >= 2, "410 is retried");
}

#[tokio::test]
async fn managed_identity_ids_are_checked_and_an_unreachable_endpoint_is_retried_when_not_probing()
{
    let emu = common::emulator().await;
    for id in [
        ManagedIdentityId::ClientId("  ".into()),
        ManagedIdentityId::ObjectId("a\nb".into()),
        ManagedIdentityId::ResourceId("r".repeat(1025)),
    ] {
        let e = at(&emu)
            .credential_env(imds_env(&emu))
            .managed_identity(id.clone())
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}: {e}");
    }
    // Chosen on its own (not in the default chain), a refused connection is retried until the deadline.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = at(&emu)
        .credential_env(EnvSnapshot::from_pairs([(
            "AZURE_POD_IDENTITY_AUTHORITY_HOST",
            dead,
        )]))
        .managed_identity(ManagedIdentityId::SystemAssigned)
        .timeout(Duration::from_secs(4))
        .build()
        .unwrap();
    let e = refused(&emu, &client).await;
    let text = e.to_string();
    assert!(
        text.contains("could not be reached") && text.contains("gave up after 3 attempts"),
        "{text}"
    );
}

#[tokio::test]
async fn the_environment_configures_a_secret_or_a_certificate_and_says_what_is_missing() {
    let emu = common::emulator().await;
    let base = [
        ("AZURE_TENANT_ID", emu.tenant_id.clone()),
        ("AZURE_CLIENT_ID", emu.client_id.clone()),
        ("AZURE_AUTHORITY_HOST", emu.authority_url.clone()),
    ];
    let mut secret = base.to_vec();
    secret.push(("AZURE_CLIENT_SECRET", emu.client_secret.clone()));
    let mut cert = base.to_vec();
    cert.push((
        "AZURE_CLIENT_CERTIFICATE_PATH",
        emu.certificates.client_certificate_pfx.clone(),
    ));
    cert.push((
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        emu.certificates.client_certificate_password.clone(),
    ));
    cert.push(("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "true".into()));
    for vars in [secret, cert] {
        let client = at(&emu)
            .credential_env(EnvSnapshot::from_pairs(vars))
            .environment_credential()
            .build()
            .unwrap();
        resets(&emu, &client).await;
    }
    let e = at(&emu)
        .credential_env(EnvSnapshot::from_pairs(base.to_vec()))
        .environment_credential()
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(
        e.to_string()
            .contains("neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH"),
        "{e}"
    );
}

#[tokio::test]
async fn the_default_chain_falls_through_to_managed_identity_and_lists_every_reason_when_it_fails()
{
    let emu = common::emulator().await;
    let client = at(&emu)
        .credential_env(imds_env(&emu))
        .default_credential()
        .build()
        .unwrap();
    resets(&emu, &client).await;

    // Workload identity comes before managed identity.
    let emu = common::emulator().await;
    let client = at(&emu)
        .credential_env(workload_env(&emu, &emu.certificates.federated_token_file))
        .default_credential()
        .build()
        .unwrap();
    resets(&emu, &client).await;
    assert_eq!(emu.managed_identity_requests().len(), 0);

    // Nothing configured and no IMDS: a port nobody listens on.
    let emu = common::emulator().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = at(&emu)
        .credential_env(EnvSnapshot::from_pairs([(
            "AZURE_POD_IDENTITY_AUTHORITY_HOST",
            dead,
        )]))
        .default_credential()
        .build()
        .unwrap();
    let started = Instant::now();
    let e = refused(&emu, &client).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the IMDS probe is short"
    );
    let text = e.to_string();
    for part in [
        "environment: AZURE_TENANT_ID and AZURE_CLIENT_ID not set",
        "workload identity:",
        "managed identity (IMDS",
    ] {
        assert!(text.contains(part), "want '{part}' in: {text}");
    }
}

/// Hands out one real token that expires after `life`, then fails every refresh.
struct OnceThenDown {
    token: String,
    life: Duration,
    calls: AtomicUsize,
}

impl TokenCredential for OnceThenDown {
    fn get_token<'a>(&'a self, _scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            if n == 0 {
                Ok(AccessToken::new(
                    self.token.as_str(),
                    Some(SystemTime::now() + self.life),
                ))
            } else {
                Err(Error::new(
                    ErrorKind::Credential,
                    "the token endpoint is down",
                ))
            }
        })
    }
}

#[tokio::test]
async fn a_failed_refresh_keeps_serving_the_still_valid_token_and_retries_after_a_pause() {
    let emu = common::emulator().await;
    let cred = Arc::new(OnceThenDown {
        token: emu.issue_token(Duration::from_secs(60)),
        life: Duration::from_secs(8),
        calls: AtomicUsize::new(0),
    });
    let client = at(&emu).credential_arc(cred.clone()).build().unwrap();
    resets(&emu, &client).await;
    // An 8 s token is refreshed at half-life: after 4 s the refresh fails, the valid token is used anyway.
    tokio::time::sleep(Duration::from_millis(4200)).await;
    resets(&emu, &client).await;
    assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
    // Within the pause no other refresh is tried.
    resets(&emu, &client).await;
    assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_expired_token_is_never_served_when_its_refresh_fails() {
    let emu = common::emulator().await;
    let cred = Arc::new(OnceThenDown {
        // Graph would still take it: only its stated expiry may stop the cache from serving it.
        token: emu.issue_token(Duration::from_secs(60)),
        life: Duration::from_millis(1500),
        calls: AtomicUsize::new(0),
    });
    let client = at(&emu).credential_arc(cred.clone()).build().unwrap();
    resets(&emu, &client).await;
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let before = graph_requests(&emu);
    let e = client
        .reset_passcode(&Target::device(&emu.samples["device_id"]).unwrap())
        .await
        .expect_err("an expired token must not be used");
    assert!(e.to_string().contains("the token endpoint is down"), "{e}");
    assert_eq!(graph_requests(&emu), before);
}

#[test]
fn debug_output_of_credentials_shows_no_key_or_secret() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(common::emulator());
    let c = &emu.certificates;
    let cert = intune_passcode::CertificateCredential::with_authority(
        &emu.authority_url,
        &emu.tenant_id,
        &emu.client_id,
        &c.client_certificate_pfx,
        Some(Secret::from(c.client_certificate_password.as_str())),
        CertificateOptions::default(),
    )
    .unwrap();
    let env = EnvSnapshot::from_pairs([
        ("IDENTITY_HEADER", c.identity_header.as_str()),
        ("IDENTITY_ENDPOINT", c.identity_endpoint.as_str()),
    ]);
    let text = format!("{cert:?} {env:?}");
    assert!(text.contains("CertificateCredential"), "{text}");
    assert!(!text.contains(&c.client_certificate_password), "{text}");
    assert!(!text.contains(&c.identity_header), "{text}");
    assert!(!text.contains("PRIVATE"), "{text}");
}
