//! Inbound ingest over HTTP: signed custom-channel posts from many connections.

use super::{Samples, Target};
use crate::server::signature::sign;
use serde_json::json;
use std::time::{Duration, Instant};

/// Threads the ingest spreads over: the first message of each opens a conversation.
const THREADS: usize = 2_000;

/// What the ingest measured.
pub struct Ingest {
    /// Acknowledged messages per second.
    pub rate: f64,
    /// Per-request latency.
    pub latency: Samples,
}

/// Posts `total` messages from `connections` concurrent clients.
pub async fn run(target: &Target, total: usize, connections: usize) -> anyhow::Result<Ingest> {
    let url = format!(
        "{}/api/v1/channels/{}/inbound",
        target.base, target.channel_id
    );
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let (url, secret) = (url.clone(), target.secret.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut latency = Samples::default();
                for i in (c..total).step_by(connections) {
                    let body = serde_json::to_vec(&json!({
                        "thread_id": format!("bench-{}", i % THREADS),
                        "sender": {"id": format!("bench-user-{}", i % THREADS), "name": format!("Bench User {}", i % THREADS)},
                        "text": format!("Bench message {i}: my parcel has not arrived and the tracking page shows no update"),
                    }))?;
                    let t0 = Instant::now();
                    let resp = http
                        .post(&url)
                        .header("x-frontdesk-signature", sign(&secret, &body))
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await?;
                    anyhow::ensure!(resp.status().as_u16() == 202, "ingest answered {}", resp.status());
                    latency.push(t0.elapsed());
                }
                anyhow::Ok(latency)
            })
        })
        .collect();
    let mut latency = Samples::default();
    for t in tasks {
        latency.extend(t.await??);
    }
    let elapsed = started.elapsed().max(Duration::from_micros(1));
    Ok(Ingest {
        rate: latency.len() as f64 / elapsed.as_secs_f64(),
        latency,
    })
}
