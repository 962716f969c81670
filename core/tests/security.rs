//! Security defaults (issue 7), tested where they are not already: redirects of every kind are answered as
//! `UNEXPECTED_RESPONSE` and nothing, token or not, reaches the redirect's target. The other defaults are tested
//! beside the code they guard:
//! - `http://` refused for non-loopback hosts, and a token for one cloud never sent to another cloud's Graph:
//!   `options.rs` (`builder_refuses_unsafe_or_nonsense_options`), and the secrets audits of each binding;
//! - TLS through rustls with the platform's roots plus an optional extra CA: `routes.rs`
//!   (`beta_and_https_with_an_extra_ca`: trusted with the CA, a handshake failure and nothing sent without it).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use intune_passcode::{ErrorKind, Target};

#[tokio::test]
async fn no_redirect_is_followed_and_the_token_never_reaches_its_target() {
    // A listener of ours where the redirects point: it counts every connection it is offered.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trap_url = format!("http://{}/v1.0/steal", trap.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = trap.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });

    let emu = common::emulator().await;
    let client = common::builder(&emu).build().unwrap();
    for status in [301u16, 302, 303, 307, 308] {
        let device = format!("redirect-{status}");
        emu.script(
            &device,
            vec![common::answer(
                status,
                &[("Location", trap_url.as_str())],
                None,
            )],
        );
        let e = client
            .reset_passcode(&Target::device(&device).unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnexpectedResponse, "{status}: {e}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(emu.requests(&device).len(), 1, "{status}: sent once only");
        assert!(!e.to_string().contains(&emu.token), "{status}: {e}");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "a redirect was followed"
    );
}
