//! Websocket fan-out: how long until every connected agent has a newly posted message.
//!
//! Two clocks per delivery: from the moment the message is posted (what a person feels, the
//! durable commit included), and from the moment its batch committed (the fan-out proper),
//! as the writer stamps it on the event the websocket tasks receive.

use super::{Samples, Target};
use crate::server::signature::sign;
use crate::server::store::Store;
use futures_util::StreamExt;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// What the fan-out measured.
pub struct Fanout {
    /// Frames received by all clients together.
    pub delivered: usize,
    /// From posting a message to one client receiving it.
    pub from_post: Samples,
    /// From the message's commit being published to one client receiving it.
    pub from_commit: Samples,
}

/// Marker put in each timed message's text, followed by its index.
const MARK: &str = "fanout-probe-";

/// Instants, in nanoseconds since `base`, one slot per probe message.
pub(super) struct Clock {
    base: Instant,
    slots: Vec<AtomicU64>,
}

impl Clock {
    pub(super) fn new(base: Instant, n: usize) -> Arc<Clock> {
        Arc::new(Clock {
            base,
            slots: (0..n).map(|_| AtomicU64::new(0)).collect(),
        })
    }

    fn stamp(&self, i: usize) {
        self.stamp_at(i, Instant::now());
    }

    pub(super) fn stamp_at(&self, i: usize, at: Instant) {
        if let Some(slot) = self.slots.get(i) {
            let nanos = at.saturating_duration_since(self.base).as_nanos() as u64;
            slot.store(nanos, Ordering::Release);
        }
    }

    pub(super) fn get(&self, i: usize) -> Duration {
        Duration::from_nanos(self.slots[i].load(Ordering::Acquire))
    }
}

/// The probe index after `mark` in a `message.created` frame, if it is one.
pub(super) fn probe_index(frame: &str, mark: &str) -> Option<usize> {
    if !frame.contains("\"type\":\"message.created\"") {
        return None;
    }
    let at = frame.find(mark)? + mark.len();
    let digits: String = frame[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Connects `clients` agents, posts `messages` spaced 50 ms apart, times every delivery.
pub async fn run(
    target: &Target,
    store: &Store,
    clients: usize,
    messages: usize,
) -> anyhow::Result<Fanout> {
    let base = Instant::now();
    let (posted, published) = (Clock::new(base, messages), Clock::new(base, messages));
    let mut live = store.subscribe();
    let watcher = {
        let published = published.clone();
        tokio::spawn(async move {
            while let Ok(e) = live.recv().await {
                if let (Some(i), Some(at)) = (probe_index(&e.frame, MARK), e.committed) {
                    published.stamp_at(i, at);
                }
            }
        })
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, Duration)>();
    let ws_url = format!(
        "{}/api/v1/events?token={}",
        target.base.replace("http://", "ws://"),
        target.token
    );
    let mut readers = Vec::with_capacity(clients);
    for chunk in 0..clients.div_ceil(100) {
        let connecting = ((chunk * 100)..((chunk + 1) * 100).min(clients)).map(|_| {
            let config = WebSocketConfig::default().read_buffer_size(4096);
            tokio_tungstenite::connect_async_with_config(ws_url.clone(), Some(config), false)
        });
        for c in futures_util::future::join_all(connecting).await {
            let (mut ws, _) = c?;
            let tx = tx.clone();
            readers.push(tokio::spawn(async move {
                while let Some(Ok(msg)) = ws.next().await {
                    if let Message::Text(text) = msg
                        && let Some(i) = probe_index(&text, MARK)
                    {
                        let _ = tx.send((i, base.elapsed()));
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
        posted.stamp(i);
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
    let (mut from_post, mut from_commit) = (Samples::default(), Samples::default());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while from_post.len() < expected {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some((i, at))) => {
                from_post.push(at.saturating_sub(posted.get(i)));
                from_commit.push(at.saturating_sub(published.get(i)));
            }
            _ => break,
        }
    }
    watcher.abort();
    for r in readers {
        r.abort();
    }
    Ok(Fanout {
        delivered: from_post.len(),
        from_post,
        from_commit,
    })
}
