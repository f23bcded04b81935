//! Signed inbound messages on custom channels hold against replays and smuggled content: an
//! integration message id stores a message once, a signed timestamp must be fresh, unknown
//! fields are refused, and attachments link only to files on other hosts.

mod common;

use common::Desk;
use frontdesk::server::channels::custom::webhook::signature;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Posts `body` signed over `"<timestamp>.<body>"` with `timestamp` in its header.
async fn post_timestamped(
    desk: &Desk,
    channel: i64,
    secret: &str,
    timestamp: i64,
    body: &Value,
) -> (StatusCode, Value) {
    let raw = serde_json::to_vec(body).unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/channels/{channel}/inbound", desk.url))
        .header("content-type", "application/json")
        .header("x-frontdesk-timestamp", timestamp.to_string())
        .header("x-frontdesk-signature", signature(secret, timestamp, &raw))
        .body(raw)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn message(id: Option<&str>) -> Value {
    let mut body = json!({"thread_id": "t1", "sender": {"id": "u1", "name": "Una"}, "text": "Where is my parcel?"});
    if let Some(id) = id {
        body["message_id"] = json!(id);
    }
    body
}

#[tokio::test]
async fn a_replayed_message_id_stores_nothing_and_answers_the_first_message() {
    let desk = Desk::start();
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let body = message(Some("tg-msg-1"));
    let (status, first) = desk.inbound(channel, &secret, &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    assert_eq!(first["duplicate"], false);
    let seq = api.seq().await;
    for _ in 0..2 {
        let (status, again) = desk.inbound(channel, &secret, &body).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["conversation_id"], first["conversation_id"]);
        assert_eq!(again["message_id"], first["message_id"]);
        assert_eq!(again["duplicate"], true);
    }
    assert_eq!(api.seq().await, seq, "a replay writes nothing");
    let conv = first["conversation_id"].as_i64().unwrap();
    let thread = api
        .ok(&format!("/conversations/{conv}/messages?limit=50"))
        .await;
    assert_eq!(thread["items"].as_array().unwrap().len(), 1, "{thread}");

    // A new id is a new message; the same id on another channel is that channel's own.
    let (status, _) = desk
        .inbound(channel, &secret, &message(Some("tg-msg-2")))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (other, other_secret) = desk.custom_channel("Other bridge").await;
    let (status, _) = desk.inbound(other, &other_secret, &body).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, bad) = desk.inbound(channel, &secret, &message(Some(""))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
}

#[tokio::test]
async fn a_signed_timestamp_must_be_fresh_and_the_older_form_still_works() {
    let desk = Desk::start();
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let (status, ok) = post_timestamped(&desk, channel, &secret, now(), &message(None)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{ok}");
    let seq = api.seq().await;
    for stale in [now() - 600, now() + 600] {
        let (status, body) = post_timestamped(&desk, channel, &secret, stale, &message(None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["code"], "stale_timestamp", "{body}");
    }
    // A timestamp header with a signature of the body alone: the timestamp is not signed.
    let raw = serde_json::to_vec(&message(None)).unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/channels/{channel}/inbound", desk.url))
        .header("x-frontdesk-timestamp", now().to_string())
        .header(
            "x-frontdesk-signature",
            frontdesk::server::signature::sign(&secret, &raw),
        )
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.seq().await, seq, "nothing stored");
    // Without a timestamp, the signature of the raw body alone is still accepted.
    let (status, _) = desk.inbound(channel, &secret, &message(None)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn unknown_fields_are_refused_and_nothing_is_stored() {
    let desk = Desk::start();
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let seq = api.seq().await;
    let mut top = message(None);
    top["priority"] = json!("urgent");
    let mut sender = message(None);
    sender["sender"]["role"] = json!("admin");
    let mut attachment = message(None);
    attachment["attachments"] = json!([{"kind": "image", "name": "a.jpg",
        "url": "https://cdn.example/a.jpg", "size": 10, "owner": 3}]);
    for (body, field) in [(top, "priority"), (sender, "role"), (attachment, "owner")] {
        let (status, r) = desk.inbound(channel, &secret, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        assert_eq!(r["error"]["code"], "invalid");
        assert!(
            r["error"]["message"].as_str().unwrap().contains(field),
            "{r}"
        );
    }
    assert_eq!(api.seq().await, seq);
}

#[tokio::test]
async fn attachments_must_link_to_files_on_another_host() {
    let desk = Desk::start();
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let seq = api.seq().await;
    let own = format!("{}/api/v1/files/{}", desk.url, "ab".repeat(32));
    for url in [
        format!("/api/v1/files/{}", "ab".repeat(32)),
        own,
        "file:///etc/passwd".into(),
        "javascript:alert(1)".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
    ] {
        let mut body = message(None);
        body["attachments"] = json!([{"kind": "file", "name": "x.pdf", "url": url, "size": 10}]);
        let (status, r) = desk.inbound(channel, &secret, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {r}");
        assert_eq!(r["error"]["code"], "attachment_refused", "{r}");
    }
    assert_eq!(api.seq().await, seq, "nothing stored");
    let mut body = message(None);
    body["attachments"] = json!([{"kind": "file", "name": "x.pdf",
        "url": "https://cdn.example/x.pdf", "size": 10}]);
    let (status, r) = desk.inbound(channel, &secret, &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{r}");
}
