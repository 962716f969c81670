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

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
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
