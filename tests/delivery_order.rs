//! Replies leave in order per conversation and per recipient, and in parallel across
//! conversations: a later reply waits while an earlier one is queued or in flight.

mod common;
mod webhook_receiver;

use common::{Api, Desk};
use reqwest::StatusCode;
use serde_json::{Value, json};
use webhook_receiver::{Received, Receiver};

async fn setup() -> (Desk, Receiver, i64, String) {
    let desk = Desk::start_with(&["--allow-private-targets", "--delivery-retry-ms", "50"]);
    let receiver = Receiver::start().await;
    let (status, channel) = desk
        .api(&desk.admin)
        .post(
            "/channels",
            json!({"kind": "custom", "name": "Bridge", "webhook_url": receiver.url()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let secret = channel["secret"].as_str().unwrap().to_string();
    receiver.set_secret(&secret);
    (desk, receiver, channel["id"].as_i64().unwrap(), secret)
}

async fn conversation(desk: &Desk, channel: i64, secret: &str, customer: &str) -> i64 {
    let body = json!({"thread_id": format!("t-{customer}"),
        "sender": {"id": customer, "name": customer}, "text": "hello"});
    let (status, body) = desk.inbound(channel, secret, &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body["conversation_id"].as_i64().unwrap()
}

async fn reply(api: &Api, conversation: i64, n: usize) -> i64 {
    let (status, m) = api
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({"body": format!("reply {n}"), "internal": false, "client_id": format!("{conversation}-{n}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    m["id"].as_i64().unwrap()
}

/// The message ids of `conversation` in the order they first arrived.
fn arrivals(got: &[Received], conversation: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for r in got {
        let id = r.body["message"]["id"].as_i64().unwrap();
        if r.body["conversation_id"] == conversation && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[tokio::test]
async fn quick_replies_arrive_in_send_order_while_other_conversations_proceed() {
    let (desk, receiver, channel, secret) = setup().await;
    let api = desk.api(&desk.agent);
    let first = conversation(&desk, channel, &secret, "ana").await;
    let other = conversation(&desk, channel, &secret, "bea").await;

    // The integration is slow with the first reply: it answers only when released.
    let release = receiver.hold_next();
    let mut sent = vec![reply(&api, first, 1).await];
    receiver.until(|got| !got.is_empty()).await;
    for n in 2..=5 {
        sent.push(reply(&api, first, n).await);
    }
    for &id in &sent[1..] {
        let m = api.message(first, id).await;
        assert_eq!(m["delivery"]["status"], "queued", "{m}");
    }
    // Another customer's reply, written after those, goes out while the first is held...
    let theirs = reply(&api, other, 1).await;
    let got = receiver.until(|got| !arrivals(got, other).is_empty()).await;
    assert_eq!(arrivals(&got, other), vec![theirs]);
    // ...and by then none of the later replies of the held conversation has left.
    assert_eq!(arrivals(&got, first), vec![sent[0]], "{got:?}");

    release.send(()).unwrap();
    for &id in &sent {
        api.message_until(first, id, |m| m["delivery"]["status"] == "sent")
            .await;
    }
    assert_eq!(arrivals(&receiver.received(), first), sent);
}

#[tokio::test]
async fn a_failed_reply_releases_the_next_one() {
    let (desk, receiver, channel, secret) = setup().await;
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "cy").await;
    receiver.script(&[(400, "no such user")]);
    let release = receiver.hold_next();
    let refused = reply(&api, conv, 1).await;
    receiver.until(|got| !got.is_empty()).await;
    let next = reply(&api, conv, 2).await;
    release.send(()).unwrap();
    let failed = api
        .message_until(conv, refused, |m| m["delivery"]["status"] == "failed")
        .await;
    assert_eq!(
        failed["delivery"]["error"],
        "webhook answered 400 Bad Request"
    );
    let sent: Value = api
        .message_until(conv, next, |m| m["delivery"]["status"] == "sent")
        .await;
    assert_eq!(sent["delivery"]["attempts"], 1);
    assert_eq!(arrivals(&receiver.received(), conv), vec![refused, next]);
}
