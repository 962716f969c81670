//! Reset devices and read each reset back from Graph: wait for the device's record to reach a final state and
//! print it, with the new passcode revealed (a demo: a real tool shows it only to the person who must type it).
//!
//! ```text
//! cargo run -p intune-passcode --example read_back -- GRAPH_URL TOKEN DEVICE_ID...
//! ```

use std::process::ExitCode;
use std::time::Duration;

use intune_passcode::{Client, Target, format_time};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, token, devices @ ..] = args.as_slice() else {
        eprintln!("usage: read_back GRAPH_URL TOKEN DEVICE_ID...");
        return ExitCode::from(2);
    };
    let client = match Client::builder()
        .base_url(url)
        .token(token.as_str())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("read_back: {e}");
            return ExitCode::from(2);
        }
    };
    let mut code = ExitCode::SUCCESS;
    for device in devices {
        if let Err(e) = one(&client, device).await {
            println!("{device}: {e}");
            code = ExitCode::FAILURE;
        }
    }
    code
}

async fn one(client: &Client, device: &str) -> Result<(), intune_passcode::Error> {
    let target = Target::device(device)?;
    let receipt = client.reset_passcode(&target).await?;
    println!(
        "{device}: reset accepted (HTTP {}) at {}; waiting for the device to finish it",
        receipt.status,
        format_time(receipt.sent_at)
    );
    let action = client
        .wait_for_reset(&target, receipt.sent_at, Duration::from_secs(30))
        .await?;
    let passcode = match &action.passcode {
        Some(p) => format!("new passcode {} (revealed for the demo)", p.expose()),
        None => "no passcode (iOS/iPadOS: the passcode was removed)".into(),
    };
    println!(
        "{device}: {} since {}; {passcode}",
        action.state.as_str(),
        action.updated_at.map_or_else(String::new, format_time)
    );
    Ok(())
}
