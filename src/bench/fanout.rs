//! Websocket fan-out: how long after a message is posted every connected agent has it.

use super::{Samples, Target};
use crate::server::signature::sign;
use futures_util::StreamExt;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// What the fan-out measured.
pub struct Fanout {
    /// Frames received by all clients together.
    pub delivered: usize,
    /// From posting a message to one client receiving it.
    pub latency: Samples,
}

/// Marker put in each timed message's text, followed by its index.
const MARK: &str = "fanout-probe-";

/// Connects `clients` agents, posts `messages` spaced 50 ms apart, times every delivery.
pub async fn run(target: &Target, clients: usize, messages: usize) -> anyhow::Result<Fanout> {
    let base = Instant::now();
    let sent_at: Arc<Vec<std::sync::atomic::AtomicU64>> =
        Arc::new((0..messages).map(|_| Default::default()).collect());
    let (tx, mut rx) = mpsc::unbounded_channel::<Duration>();
    let ws_url = format!(
        "{}/api/v1/events?token={}",
        target.base.replace("http://", "ws://"),
        target.token
    );
    let mut readers = Vec::with_capacity(clients);
    for chunk in 0..clients.div_ceil(100) {
        let mut connecting = Vec::new();
        for _ in (chunk * 100)..((chunk + 1) * 100).min(clients) {
            let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
            connecting.push(tokio_tungstenite::connect_async_with_config(
                ws_url.clone(),
                Some(config),
                false,
            ));
        }
        for c in futures_util::future::join_all(connecting).await {
            let (mut ws, _) = c?;
            let (tx, sent_at) = (tx.clone(), sent_at.clone());
            readers.push(tokio::spawn(async move {
                while let Some(Ok(msg)) = ws.next().await {
                    let Message::Text(text) = msg else { continue };
                    let Some(at) = text.find(MARK) else { continue };
                    if !text.contains("\"type\":\"message.created\"") {
                        continue;
                    }
                    let digits: String = text[at + MARK.len()..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    if let Ok(i) = digits.parse::<usize>() {
                        let t0 = sent_at[i].load(std::sync::atomic::Ordering::Acquire);
                        let _ = tx.send(base.elapsed().saturating_sub(Duration::from_nanos(t0)));
                    }
                }
            }));
        }
    }
    drop(tx);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let http = reqwest::Client::new();
    let url = format!(
        "{}/api/v1/channels/{}/inbound",
        target.base, target.channel_id
    );
    for i in 0..messages {
        let body = serde_json::to_vec(&json!({
            "thread_id": format!("fanout-{}", i % 10),
            "sender": {"id": "fanout-user", "name": "Fan Out"},
            "text": format!("{MARK}{i} is anyone there?"),
        }))?;
        sent_at[i].store(
            base.elapsed().as_nanos() as u64,
            std::sync::atomic::Ordering::Release,
        );
        let resp = http
            .post(&url)
            .header("x-frontdesk-signature", sign(&target.secret, &body))
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(
            resp.status().as_u16() == 202,
            "post answered {}",
            resp.status()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let expected = clients * messages;
    let mut latency = Samples::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while latency.len() < expected {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(d)) => latency.push(d),
            _ => break,
        }
    }
    for r in readers {
        r.abort();
    }
    Ok(Fanout {
        delivered: latency.len(),
        latency,
    })
}
