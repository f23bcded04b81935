//! Server commit to screen: customers write in at a steady rate while the client's pipeline
//! (event stream → `App::update` → draw) runs as in `tui::run`, one draw per burst.

use super::desk::{Client, Desk};
use crate::api::EventKind;
use crate::bench::Samples;
use crate::bench::fanout::{Clock, probe_index};
use crate::client::events::Live;
use crate::server::signature::sign;
use crate::tui::app::Msg;
use serde_json::json;
use std::time::{Duration, Instant};

/// Marker in each posted message's text, followed by its index.
const MARK: &str = "tui-probe-";
/// Most events handled before a draw, as in the client's loop.
const BURST: usize = 256;

/// The probe index of a live event, if it carries one of our messages.
fn probe(live: &Live) -> Option<usize> {
    let Live::Event(e) = live else { return None };
    let EventKind::MessageCreated { message, .. } = &e.kind else {
        return None;
    };
    let rest = message.body.strip_prefix(MARK)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Posts `rate` messages a second for `secs` seconds to 40 threads of the custom channel;
/// per message, the time from its commit to the end of the first draw after the client
/// applied it.
pub async fn commit_to_screen(
    desk: &Desk,
    client: &mut Client,
    rate: u32,
    secs: u32,
) -> anyhow::Result<Samples> {
    let n = (rate * secs) as usize;
    let base = Instant::now();
    let committed = Clock::new(base, n);
    let mut events = desk.server.store().subscribe();
    let watcher = {
        let committed = committed.clone();
        tokio::spawn(async move {
            while let Ok(e) = events.recv().await {
                if let (Some(i), Some(at)) = (probe_index(&e.frame, MARK), e.committed) {
                    committed.stamp_at(i, at);
                }
            }
        })
    };
    let poster = tokio::spawn(post(
        desk.inbound_url.clone(),
        desk.secret.clone(),
        n,
        Duration::from_secs(1) / rate,
    ));

    let mut drawn: Vec<(usize, Instant)> = Vec::with_capacity(n);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(u64::from(secs) + 20);
    while drawn.len() < n {
        let Ok(Some(first)) = tokio::time::timeout_at(deadline, client.live.recv()).await else {
            break;
        };
        let mut batch = vec![first];
        while batch.len() < BURST {
            match client.live.try_recv() {
                Ok(l) => batch.push(l),
                Err(_) => break,
            }
        }
        let mut probes = Vec::new();
        for l in batch {
            probes.extend(probe(&l));
            client.app.update(match l {
                Live::Event(e) => Msg::Live(e),
                Live::Status(c) => Msg::Connection(c),
                Live::Reset => Msg::Reset,
            });
        }
        client.screen.draw(&client.app)?;
        let at = Instant::now();
        drawn.extend(probes.into_iter().map(|i| (i, at)));
    }
    poster.await??;
    watcher.abort();
    let mut samples = Samples::default();
    // A probe whose commit the watcher missed has no start: it is left out (n shows it).
    for (i, at) in drawn {
        let commit = committed.get(i);
        if !commit.is_zero() {
            samples.push(at.saturating_duration_since(base + commit));
        }
    }
    Ok(samples)
}

/// Posts `n` signed inbound messages, one every `every`, each on its own task.
async fn post(url: String, secret: String, n: usize, every: Duration) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let mut tick = tokio::time::interval(every);
    let mut sent = Vec::with_capacity(n);
    for i in 0..n {
        tick.tick().await;
        let body = json!({
            "thread_id": format!("tui-live-{}", i % 40),
            "sender": {"id": format!("tui-customer-{}", i % 40), "name": "Beatriz Magalhães"},
            "text": format!("{MARK}{i} any news on my order? The tracking page still shows nothing."),
        })
        .to_string();
        let request = http
            .post(&url)
            .header("x-frontdesk-signature", sign(&secret, body.as_bytes()))
            .header("content-type", "application/json")
            .body(body);
        sent.push(tokio::spawn(request.send()));
    }
    for s in sent {
        let resp = s.await??;
        anyhow::ensure!(
            resp.status().as_u16() == 202,
            "post answered {}",
            resp.status()
        );
    }
    Ok(())
}
