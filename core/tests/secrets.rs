//! Tokens and secrets never appear in Debug/Display output, errors or trace-level logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use intune_passcode::{AccessToken, Client, Error, ErrorKind, Target, TokenCredential};

/// A credential that hands out a recognisable token that is not valid, then fails.
struct Garbage(std::sync::atomic::AtomicBool);
impl TokenCredential for Garbage {
    fn get_token<'a>(&'a self, _scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        let first = !self.0.swap(true, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            if first {
                Ok(AccessToken::new(SECRET, None))
            } else {
                Err(Error::new(ErrorKind::Credential, "the vault is sealed"))
            }
        })
    }
}

const SECRET: &str = "SeCrEt-ClIeNt-VaLuE-42";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// Current-thread: every task (client, hyper, emulator) logs into the subscriber set for this thread.
#[tokio::test]
async fn nothing_prints_a_token_or_a_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = common::emulator().await;
    let token = emu.token.clone();
    let mut printed = String::new();

    // Static token: success, 404, 403-by-script, 429 exhausted, 401.
    let client = common::builder(&emu).max_retries(1).build().unwrap();
    printed += &format!("{client:?}");
    let ok = client
        .reset_passcode(&Target::device(&emu.samples["device_id"]).unwrap())
        .await;
    printed += &format!("{ok:?}");
    emu.script("s403", vec![common::answer(403, &[], None)]);
    emu.script(
        "s429",
        vec![common::answer(429, &[("Retry-After", "0.01")], None); 2],
    );
    emu.script("s401", vec![common::answer(401, &[], None)]);
    for d in ["missing", "s403", "s429", "s401"] {
        let e = client
            .reset_passcode(&Target::device(d).unwrap())
            .await
            .unwrap_err();
        printed += &format!("{e} {e:?}");
    }
    // Client secret: a wrong one, and the right one.
    for secret in [SECRET, emu.client_secret.as_str()] {
        let b = Client::builder()
            .base_url(&emu.graph_url)
            .authority_url(&emu.authority_url)
            .client_secret(&emu.tenant_id, &emu.client_id, secret)
            .timeout(Duration::from_secs(5));
        printed += &format!("{b:?}");
        let c = b.build().unwrap();
        printed += &format!("{c:?}");
        let r = c
            .reset_passcode(&Target::device(&emu.samples["device_id"]).unwrap())
            .await;
        printed += &format!("{r:?}");
        if let Err(e) = r {
            printed += &e.to_string();
        }
    }
    // A credential: first a token Graph refuses (401, then refreshed: the credential fails), then invalid input.
    let c = common::builder(&emu)
        .credential(Garbage(Default::default()))
        .build()
        .unwrap();
    printed += &format!("{c:?}");
    for d in [emu.samples["device_id"].as_str(), "x"] {
        let e = c
            .reset_passcode(&Target::device(d).unwrap())
            .await
            .unwrap_err();
        printed += &format!("{e} {e:?}");
    }
    let e = Target::device("a\0b").unwrap_err();
    printed += &format!("{e} {e:?}");
    let e = Client::builder()
        .token(token.as_str())
        .base_url("http://example.com/v1.0")
        .build()
        .unwrap_err();
    printed += &format!("{e} {e:?}");

    // Certificates, workload and managed identity: the PFX password, the key, the federated token, the client
    // assertions and the App Service header are secrets too. Each credential resets once, then fails once.
    let certs = emu.certificates.clone();
    let federated = std::fs::read_to_string(&certs.federated_token_file).unwrap();
    let env = |pairs: Vec<(&str, String)>| intune_passcode::EnvSnapshot::from_pairs(pairs);
    let at = || {
        Client::builder()
            .base_url(&emu.graph_url)
            .authority_url(&emu.authority_url)
            .timeout(Duration::from_secs(5))
    };
    let builders = vec![
        at().client_certificate(
            &emu.tenant_id,
            &emu.client_id,
            &certs.client_certificate_pfx,
            Some(certs.client_certificate_password.as_str().into()),
        ),
        at().client_certificate(
            &emu.tenant_id,
            &emu.client_id,
            &certs.expired_client_certificate_pem,
            None,
        ),
        at().credential_env(env(vec![
            ("AZURE_TENANT_ID", emu.tenant_id.clone()),
            ("AZURE_CLIENT_ID", emu.client_id.clone()),
            (
                "AZURE_FEDERATED_TOKEN_FILE",
                certs.federated_token_file.clone(),
            ),
        ]))
        .workload_identity(),
        at().credential_env(env(vec![
            ("IDENTITY_ENDPOINT", certs.identity_endpoint.clone()),
            ("IDENTITY_HEADER", certs.identity_header.clone()),
        ]))
        .managed_identity(intune_passcode::ManagedIdentityId::SystemAssigned),
        at().credential_env(env(vec![
            ("IDENTITY_ENDPOINT", certs.identity_endpoint.clone()),
            (
                "IDENTITY_HEADER",
                format!("{}-wrong", certs.identity_header),
            ),
        ]))
        .managed_identity(intune_passcode::ManagedIdentityId::SystemAssigned),
    ];
    for b in builders {
        printed += &format!("{b:?}");
        let c = b.build().unwrap();
        printed += &format!("{c:?}");
        let r = c
            .reset_passcode(&Target::device(&emu.samples["device_id"]).unwrap())
            .await;
        printed += &format!("{r:?}");
        if let Err(e) = r {
            printed += &e.to_string();
        }
    }
    let e = at()
        .client_certificate(
            &emu.tenant_id,
            &emu.client_id,
            &certs.client_certificate_pfx,
            Some(SECRET.into()),
        )
        .build()
        .unwrap_err();
    printed += &format!("{e} {e:?}");
    assert!(
        printed.contains("AADSTS700027") && printed.contains("password is wrong"),
        "{printed}"
    );

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let key_pem = std::fs::read_to_string(&certs.client_certificate_pem).unwrap();
    let key_line = key_pem
        .lines()
        .skip_while(|l| !l.contains("PRIVATE KEY"))
        .nth(1)
        .unwrap()
        .to_string();
    for (name, text) in [("output", &printed), ("logs", &logs)] {
        for (what, secret) in [
            (
                "the PFX password",
                certs.client_certificate_password.as_str(),
            ),
            ("the identity header", certs.identity_header.as_str()),
            ("the federated token", federated.trim()),
            ("a line of the private key", key_line.as_str()),
            ("a client assertion", "eyJ0eXAiOiJKV1Qi"),
            ("a client assertion", "eyJhbGciOi"),
        ] {
            assert!(!text.contains(secret), "{what} appears in {name}");
        }
    }
    assert!(
        logs.contains("reset_passcode"),
        "trace output was captured: {}",
        logs.len()
    );
    for (name, text) in [("output", &printed), ("logs", &logs)] {
        assert!(!text.contains(&token), "the token appears in {name}");
        assert!(!text.contains(SECRET), "the wrong secret appears in {name}");
        assert!(
            !text.contains(&emu.client_secret),
            "the secret appears in {name}"
        );
    }
}
