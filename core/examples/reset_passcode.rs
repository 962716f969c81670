//! Reset one device's passcode and print the receipt as JSON.
//!
//! ```text
//! cargo run -p intune-passcode --example reset_passcode -- --base-url URL --token T --device ID
//!     [--user ID | --detected-app ID] [--ca-cert FILE]
//! cargo run -p intune-passcode --example reset_passcode -- --base-url URL --authority-url URL \
//!     --tenant-id T --client-id C --client-secret S --device ID
//! ```
//! On failure it prints the error to stderr, its code on the last line, and exits 1 (2 for bad arguments).

use std::collections::HashMap;
use std::process::ExitCode;

use intune_passcode::{Client, Target};

const FLAGS: [&str; 10] = [
    "--base-url",
    "--authority-url",
    "--token",
    "--tenant-id",
    "--client-id",
    "--client-secret",
    "--device",
    "--user",
    "--detected-app",
    "--ca-cert",
];

fn parse(args: &[String]) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if !FLAGS.contains(&flag.as_str()) {
            return Err(format!(
                "unknown argument '{flag}'; known: {}",
                FLAGS.join(" ")
            ));
        }
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        out.insert(flag.trim_start_matches("--").to_string(), v.clone());
    }
    Ok(out)
}

fn build(a: &HashMap<String, String>) -> Result<(Client, Target), intune_passcode::Error> {
    let mut b = Client::builder();
    if let Some(u) = a.get("base-url") {
        b = b.base_url(u);
    }
    if let Some(u) = a.get("authority-url") {
        b = b.authority_url(u);
    }
    if let Some(path) = a.get("ca-cert") {
        let pem = std::fs::read(path)
            .map_err(|e| intune_passcode::Error::invalid(format!("--ca-cert {path}: {e}")))?;
        b = b.ca_cert_pem(pem);
    }
    b = match (
        a.get("token"),
        a.get("tenant-id"),
        a.get("client-id"),
        a.get("client-secret"),
    ) {
        (Some(t), _, _, _) => b.token(t.as_str()),
        (None, Some(t), Some(c), Some(s)) => b.client_secret(t, c, s.as_str()),
        _ => b,
    };
    let device = a.get("device").cloned().unwrap_or_default();
    let target = Target::new(
        device,
        a.get("user").cloned(),
        a.get("detected-app").cloned(),
    )?;
    Ok((b.build()?, target))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match parse(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("reset_passcode: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = match build(&parsed) {
        Ok((client, target)) => client.reset_passcode(&target).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(receipt) => {
            println!("{}", receipt.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("reset_passcode: {e}");
            eprintln!("{}", e.code());
            ExitCode::FAILURE
        }
    }
}
