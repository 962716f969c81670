//! The Rust snippets of the README and docs/, each in a function that is compiled (not run: they are fragments of a program), so
//! that a snippet that stops compiling fails `cargo test`. Written by `scripts/snippets.py rust`; `make lint` fails
//! when it differs from them. Do not edit by hand.
#![allow(unused, clippy::all)]

use intune_passcode::*;

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

/// README.md, "Rust"
async fn snippet_1(
    tenant_id: &str,
    client_id: &str,
    client_secret: &str,
    device_id: &str,
    targets: Vec<Target>,
    tenant: &str,
    id: String,
) -> Result {
    use futures_util::StreamExt;
    use intune_passcode::{BulkOptions, Client, ErrorKind, Target};

    let client = Client::builder()
        .client_secret(tenant_id, client_id, client_secret) // or a certificate, managed identity, … (see Credentials)
        .build()?;
    let receipt = client.reset_passcode(&Target::device(device_id)?).await?;

    let mut outcomes = client.reset_passcodes(targets, BulkOptions::default())?;
    while let Some((target, outcome)) = outcomes.next().await {
        match outcome {
            Ok(r) => println!(
                "{} {}",
                target.device_id(),
                r.request_id.unwrap_or_default()
            ),
            // Bulk runs first look for the device's record (verify_unknown, 60 s): what is left is still unconfirmed.
            Err(e) if e.kind() == ErrorKind::OutcomeUnknown => {
                println!("{}: unconfirmed; never resend blindly", target.device_id())
            }
            Err(e) => println!("{}: {}", target.device_id(), e.code()),
        }
    }
    Ok(())
}

/// docs/credentials.md, "Credentials: every kind production tenants allow"
async fn snippet_2(
    tenant_id: &str,
    client_id: &str,
    client_secret: &str,
    device_id: &str,
    targets: Vec<Target>,
    tenant: &str,
    id: String,
) -> Result {
    Client::builder()
        .client_certificate(tenant, client_id, "/etc/intune/app.pem", None)
        .build()?;
    Client::builder()
        .managed_identity(ManagedIdentityId::ClientId(id))
        .build()?;
    Client::builder().default_credential().build()?;
    Ok(())
}

#[test]
fn the_readme_snippets_compile() {}
