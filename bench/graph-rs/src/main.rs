//! graph-rs-sdk through the bench worker protocol: `graph-rs-bench MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY`.
//! Prints one JSON line: calls, seconds, median milliseconds and outcomes by HTTP status.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use graph_rs_sdk::{GraphClient, GraphClientConfiguration};

async fn reset(client: &GraphClient, id: &str) -> String {
    match client
        .device_management()
        .managed_device(id)
        .reset_passcode()
        .send()
        .await
    {
        Ok(r) => r.status().as_u16().to_string(),
        Err(e) => format!("error: {e}").chars().take(60).collect(),
    }
}

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (mode, url, token, ids_file) = (&a[1], &a[2], &a[3], &a[4]);
    let n: usize = a[5].parse().expect("N");
    let concurrency: usize = a[6].parse().expect("CONCURRENCY");
    let ids: Vec<String> = std::fs::read_to_string(ids_file)
        .expect("ids file")
        .lines()
        .take(n)
        .map(str::to_string)
        .collect();
    let config = GraphClientConfiguration::new()
        .access_token(token.as_str())
        .https_only(false);
    let mut client = GraphClient::from(config);
    client.use_test_endpoint(&url::Url::parse(url).expect("graph url"));
    let client = Arc::new(client);

    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut times = Vec::new();
    let start = Instant::now();
    if mode == "seq" {
        for id in &ids {
            let t = Instant::now();
            *outcomes.entry(reset(&client, id).await).or_default() += 1;
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    } else {
        let mut s = futures_util::stream::iter(ids.iter().cloned())
            .map(|id| {
                let c = client.clone();
                async move { reset(&c, &id).await }
            })
            .buffer_unordered(concurrency);
        while let Some(o) = s.next().await {
            *outcomes.entry(o).or_default() += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let calls: u64 = outcomes.values().sum();
    let outs: Vec<String> = outcomes
        .iter()
        .map(|(k, v)| format!("\"{}\":{v}", k.replace('"', "'")))
        .collect();
    println!(
        "{{\"calls\":{calls},\"secs\":{secs:.4},\"median_ms\":{median:.4},\"outcomes\":{{{}}}}}",
        outs.join(",")
    );
}
