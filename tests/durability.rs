//! What was acknowledged survives restarts, SIGKILL included; SIGTERM stops cleanly.

mod common;

use common::{Desk, customer};
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn a_restart_keeps_data_and_sequence_numbers_keep_growing() {
    let mut desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, r) = desk
        .inbound(ch, &secret, &customer("t", "u", "remember me"))
        .await;
    let id = r["conversation_id"].as_i64().unwrap();
    let api = desk.api(&desk.agent);
    api.post(
        &format!("/conversations/{id}/messages"),
        json!({"body": "noted", "client_id": "k"}),
    )
    .await;
    let before = api.ok(&format!("/conversations/{id}")).await;
    let seq = api.seq().await;
    assert!(desk.terminate(), "SIGTERM exits with success");
    desk.spawn();
    let api = desk.api(&desk.agent);
    assert_eq!(api.ok(&format!("/conversations/{id}")).await, before);
    assert_eq!(api.seq().await, seq);
    let (s, again) = api
        .post(
            &format!("/conversations/{id}/messages"),
            json!({"body": "noted", "client_id": "k"}),
        )
        .await;
    assert_eq!(
        (s, again["body"].as_str()),
        (StatusCode::OK, Some("noted")),
        "idempotency survives a restart"
    );
    desk.inbound(ch, &secret, &customer("t", "u", "after restart"))
        .await;
    assert!(api.seq().await > seq);
}

#[tokio::test]
async fn kill_9_loses_nothing_that_was_acknowledged() {
    let mut desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let url = desk.url.clone();
    let counted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let secret = secret.clone();
            let url = url.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut acked = Vec::new();
                for i in 0.. {
                    let body = serde_json::to_vec(&customer(
                        &format!("w{w}-{}", i % 5),
                        &format!("u{w}"),
                        &format!("msg {w}/{i}"),
                    ))
                    .unwrap();
                    let sig = frontdesk::server::signature::sign(&secret, &body);
                    let sent = http
                        .post(format!("{url}/api/v1/channels/{ch}/inbound"))
                        .header("x-frontdesk-signature", sig)
                        .body(body)
                        .send()
                        .await;
                    match sent {
                        Ok(resp) if resp.status() == StatusCode::ACCEPTED => {
                            let v: serde_json::Value = resp.json().await.unwrap();
                            acked.push((
                                v["conversation_id"].as_i64().unwrap(),
                                v["message_id"].as_i64().unwrap(),
                            ));
                            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        _ => break,
                    }
                }
                acked
            })
        })
        .collect();
    // Killed in the middle of the writing, once well over 50 writes were acknowledged.
    let mut waited = 0;
    while counted.load(std::sync::atomic::Ordering::Relaxed) <= 100 {
        waited += 1;
        assert!(waited < 2400, "the writers never got going");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    desk.kill9();
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    assert!(
        acked.len() > 50,
        "only {} writes were acknowledged before the kill",
        acked.len()
    );
    desk.spawn();
    let api = desk.api(&desk.agent);
    let conversations: HashSet<i64> = acked.iter().map(|(c, _)| *c).collect();
    let mut stored = HashSet::new();
    for c in conversations {
        let mut before = String::new();
        loop {
            let page = api
                .ok(&format!("/conversations/{c}/messages?limit=500{before}"))
                .await;
            let items = page["items"].as_array().unwrap();
            stored.extend(items.iter().map(|m| m["id"].as_i64().unwrap()));
            if page["has_older"] != true {
                break;
            }
            before = format!("&before={}", items[0]["id"]);
        }
    }
    let lost: Vec<_> = acked.iter().filter(|(_, m)| !stored.contains(m)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged messages lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    // The event log holds every acknowledged message too.
    let mut events = desk.events(&desk.agent, Some(0)).await;
    let head = api.seq().await;
    let logged: HashSet<i64> = events
        .take(head as usize)
        .await
        .iter()
        .filter(|e| e["type"] == "message.created")
        .map(|e| e["message"]["id"].as_i64().unwrap())
        .collect();
    assert!(acked.iter().all(|(_, m)| logged.contains(m)));
}

#[tokio::test]
async fn sigterm_closes_live_streams_with_going_away_and_the_resume_point() {
    let mut desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    desk.inbound(ch, &secret, &customer("t", "u", "hi")).await;
    let head = desk.api(&desk.agent).seq().await;
    let mut events = desk.events(&desk.agent, Some(0)).await;
    events.take(head as usize).await;
    assert!(desk.terminate());
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), events.ws.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Close(f))) => break f.expect("a close frame with a reason"),
            Some(Ok(_)) => continue,
            other => panic!("stream ended without a close frame: {other:?}"),
        }
    };
    assert_eq!(u16::from(close.code), 1001);
    assert!(
        close.reason.ends_with(&format!("since={head}")),
        "{}",
        close.reason
    );
}
