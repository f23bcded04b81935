//! The delivery queue from outside: replies reach a custom channel's webhook signed, are
//! retried with backoff through failures and server restarts, fail with the integration's
//! words, and move along with the integration's status reports.

mod common;
mod webhook_receiver;

use common::{Api, Desk, customer};
use frontdesk::server::signature::sign;
use reqwest::StatusCode;
use serde_json::{Value, json};
use webhook_receiver::Receiver;

/// A desk retrying fast (first retry after 50 ms unless `extra` says otherwise), a receiver,
/// and a custom channel whose webhook is the receiver.
async fn setup(extra: &[&str]) -> (Desk, Receiver, i64, String) {
    let mut args = extra.to_vec();
    args.push("--allow-private-targets");
    if !args.contains(&"--delivery-retry-ms") {
        args.extend(["--delivery-retry-ms", "50"]);
    }
    let desk = Desk::start_with(&args);
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

/// A customer writes in on `channel`; returns the conversation id.
async fn conversation(desk: &Desk, channel: i64, secret: &str, thread: &str) -> i64 {
    let (status, body) = desk
        .inbound(
            channel,
            secret,
            &customer(thread, "cust-7", "my parcel is late"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body["conversation_id"].as_i64().unwrap()
}

/// The agent replies; returns the reply's id.
async fn reply(api: &Api, conversation: i64, body: &str) -> i64 {
    let (status, message) = api
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({"body": body, "client_id": format!("c-{body}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(message["delivery"]["status"], "queued", "{message}");
    message["id"].as_i64().unwrap()
}

fn status_is(status: &'static str) -> impl Fn(&Value) -> bool {
    move |m: &Value| m["delivery"]["status"] == status
}

#[tokio::test]
async fn a_reply_reaches_the_webhook_signed_and_fresh_and_is_marked_sent() {
    let (desk, receiver, channel, secret) = setup(&[]).await;
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "thread-9").await;
    let seq = api.seq().await;
    let mut events = desk.events(&desk.agent, Some(seq)).await;
    let id = reply(&api, conv, "It ships tomorrow").await;
    let sent = api.message_until(conv, id, status_is("sent")).await;
    assert_eq!(sent["delivery"]["attempts"], 1);
    assert_eq!(sent["delivery"]["error"], Value::Null);

    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let hook = &got[0];
    assert!(hook.signature_ok && hook.fresh, "{hook:?}");
    assert_eq!(
        hook.idempotency_key.as_deref(),
        Some(id.to_string().as_str())
    );
    let b = &hook.body;
    assert_eq!(b["type"], "message.created");
    assert_eq!(b["channel_id"], channel);
    assert_eq!(b["conversation_id"], conv);
    assert_eq!(b["thread_id"], "thread-9");
    assert_eq!(b["recipient"]["id"], "cust-7");
    assert_eq!(b["recipient"]["name"], "Customer cust-7");
    assert_eq!(b["account"], Value::Null);
    assert_eq!(b["message"]["id"], id);
    assert_eq!(b["message"]["body"], "It ships tomorrow");
    assert_eq!(b["message"]["sender"]["name"], "Bo Agent");
    assert!(b["message"]["sender"]["agent_id"].is_i64());
    assert_eq!(b["message"]["attachments"], json!([]));
    assert!(b["message"]["created_at"].is_string());
    assert_eq!(b["attempt"], 1);

    let created = events.until("message.created").await;
    assert_eq!(created["message"]["delivery"]["status"], "queued");
    let updated = events.until("message.updated").await;
    assert_eq!(updated["message"]["id"], id);
    assert_eq!(updated["message"]["delivery"]["status"], "sent");
    // Notes never leave the desk.
    let (status, _) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "internal", "internal": true, "client_id": "note-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // A reply posted after the note goes out, and the note has not gone before it.
    let later = reply(&api, conv, "after the note").await;
    let updated = events.until("message.updated").await;
    assert_eq!(updated["message"]["id"], later);
    let bodies: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.body["message"]["body"].to_string())
        .collect();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(bodies.iter().all(|b| !b.contains("internal")), "{bodies:?}");
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_until_the_webhook_takes_the_reply() {
    let (desk, receiver, channel, secret) = setup(&[]).await;
    receiver.script(&[(500, "oops"), (503, "busy"), (429, "slow down"), (408, "")]);
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "t").await;
    let id = reply(&api, conv, "retry me").await;
    let sent = api.message_until(conv, id, status_is("sent")).await;
    assert_eq!(sent["delivery"]["attempts"], 5, "{sent}");
    let got = receiver.received();
    assert_eq!(got.len(), 5);
    for (i, hook) in got.iter().enumerate() {
        assert!(hook.signature_ok && hook.fresh);
        assert_eq!(hook.body["attempt"], i + 1);
        assert_eq!(hook.body["message"]["id"], id, "the same reply every time");
        assert_eq!(
            hook.idempotency_key.as_deref(),
            Some(id.to_string().as_str())
        );
    }
}

#[tokio::test]
async fn a_retrying_reply_shows_the_last_error_to_the_agent_while_it_waits() {
    // One attempt every ~10 s after the first: the reply stays queued with its error.
    let (desk, receiver, channel, secret) = setup(&["--delivery-retry-ms", "10000"]).await;
    receiver.script(&[(502, "upstream down")]);
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "t").await;
    let id = reply(&api, conv, "soon").await;
    let waiting = api
        .message_until(conv, id, |m| m["delivery"]["attempts"] == 1)
        .await;
    assert_eq!(waiting["delivery"]["status"], "queued");
    let error = waiting["delivery"]["error"].as_str().unwrap();
    assert_eq!(error, "webhook answered 502 Bad Gateway", "no body text");
}

#[tokio::test]
async fn a_refusal_fails_the_reply_with_the_status_line_only_and_tells_the_agent_live() {
    let (desk, receiver, channel, secret) = setup(&[]).await;
    receiver.script(&[(400, r#"{"error": "unknown recipient"}"#)]);
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "t").await;
    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;
    let id = reply(&api, conv, "hello?").await;
    let updated = events.until("message.updated").await;
    assert_eq!(updated["message"]["id"], id);
    assert_eq!(updated["message"]["delivery"]["status"], "failed");
    let failed = api.message(conv, id).await;
    assert_eq!(failed["delivery"]["status"], "failed");
    assert_eq!(failed["delivery"]["attempts"], 1);
    let error = failed["delivery"]["error"].as_str().unwrap();
    assert_eq!(error, "webhook answered 400 Bad Request");
    assert!(
        !error.contains("unknown recipient"),
        "no body text: {error}"
    );
    // A later reply goes out, and the refused one was not tried again before it.
    let later = reply(&api, conv, "second try").await;
    let updated = events.until("message.updated").await;
    assert_eq!(updated["message"]["id"], later);
    assert_eq!(updated["message"]["delivery"]["status"], "sent");
    assert_eq!(receiver.received().len(), 2, "a refusal is not retried");
}

#[tokio::test]
async fn the_queue_gives_up_after_the_last_attempt() {
    let (desk, receiver, channel, secret) = setup(&["--delivery-attempts", "3"]).await;
    receiver.script(&[(500, "a"), (500, "b"), (500, "c"), (500, "d")]);
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "t").await;
    let id = reply(&api, conv, "doomed").await;
    let failed = api.message_until(conv, id, status_is("failed")).await;
    assert_eq!(failed["delivery"]["attempts"], 3);
    let error = failed["delivery"]["error"].as_str().unwrap();
    assert!(
        error.contains("gave up after 3 attempts") && error.contains("500"),
        "{error}"
    );
    assert_eq!(receiver.received().len(), 3);
}

#[tokio::test]
async fn a_reply_queued_while_the_webhook_is_down_survives_server_restarts_and_goes_out_once() {
    let (mut desk, mut receiver, channel, secret) = setup(&["--delivery-retry-ms", "300"]).await;
    let addr = receiver.addr.unwrap();
    receiver.stop().await;
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "t").await;
    let id = reply(&api, conv, "are you there").await;
    let waiting = api
        .message_until(conv, id, |m| m["delivery"]["attempts"].as_i64() >= Some(1))
        .await;
    assert_eq!(waiting["delivery"]["status"], "queued");
    assert!(
        waiting["delivery"]["error"]
            .as_str()
            .unwrap()
            .contains("unreachable"),
        "{waiting}"
    );
    // Killed without warning, then started again: the reply is still queued.
    desk.kill9();
    desk.spawn();
    let api = desk.api(&desk.agent);
    let before = api
        .message_until(conv, id, |m| m["delivery"]["attempts"].as_i64() >= Some(2))
        .await;
    assert_eq!(
        before["delivery"]["status"], "queued",
        "still failing after the restart"
    );
    // Stopped cleanly and started once more, then the integration comes back.
    assert!(desk.terminate());
    desk.spawn();
    receiver.listen(addr).await;
    let api = desk.api(&desk.agent);
    let sent = api.message_until(conv, id, status_is("sent")).await;
    assert_eq!(receiver.received().len(), 1, "delivered exactly once");
    assert_eq!(receiver.received()[0].body["message"]["id"], id);
    assert!(sent["delivery"]["attempts"].as_i64().unwrap() >= 3);
}

/// Posts a signed status report; returns the answer.
async fn report(
    desk: &Desk,
    channel: i64,
    secret: &str,
    id: i64,
    body: Value,
) -> (StatusCode, Value) {
    let raw = serde_json::to_vec(&body).unwrap();
    signed_post(
        desk,
        &format!("/channels/{channel}/messages/{id}/status"),
        Some(&sign(secret, &raw)),
        raw,
    )
    .await
}

async fn signed_post(
    desk: &Desk,
    path: &str,
    signature: Option<&str>,
    raw: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1{path}", desk.url))
        .header("content-type", "application/json")
        .body(raw);
    if let Some(sig) = signature {
        req = req.header("x-frontdesk-signature", sig);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_integration_reports_delivered_and_read_and_the_agent_sees_it_live() {
    let (desk, _receiver, channel, secret) = setup(&[]).await;
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "t").await;
    let id = reply(&api, conv, "tracking: 1Z999").await;
    api.message_until(conv, id, status_is("sent")).await;
    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;

    let (status, body) = report(&desk, channel, &secret, id, json!({"status": "delivered"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message_id"], id);
    assert_eq!(body["delivery"]["status"], "delivered");
    let e = events.until("message.updated").await;
    assert_eq!(e["message"]["delivery"]["status"], "delivered");

    let (status, _) = report(&desk, channel, &secret, id, json!({"status": "read"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        events.until("message.updated").await["message"]["delivery"]["status"],
        "read"
    );
    // A late, older report does not move it back.
    let (status, body) = report(&desk, channel, &secret, id, json!({"status": "sent"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["delivery"]["status"], "read");
    assert_eq!(api.message(conv, id).await["delivery"]["status"], "read");
}

#[tokio::test]
async fn status_reports_need_a_valid_signature_a_known_reply_of_the_channel_and_a_real_status() {
    let (desk, _receiver, channel, secret) = setup(&[]).await;
    let (other, other_secret) = desk.custom_channel("Other").await;
    let api = desk.api(&desk.agent);
    let conv = conversation(&desk, channel, &secret, "t").await;
    let id = reply(&api, conv, "hi").await;
    api.message_until(conv, id, status_is("sent")).await;
    let seq = api.seq().await;
    let path = format!("/channels/{channel}/messages/{id}/status");
    let raw = br#"{"status": "failed", "error": "forged"}"#.to_vec();

    let (status, body) = signed_post(&desk, &path, None, raw.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "bad_signature");
    let (status, _) = signed_post(&desk, &path, Some(&sign("wrong", &raw)), raw.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Signed by another channel for a reply of this one: that channel knows no such reply.
    let other_path = format!("/channels/{other}/messages/{id}/status");
    let (status, body) = signed_post(
        &desk,
        &other_path,
        Some(&sign(&other_secret, &raw)),
        raw.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = report(
        &desk,
        channel,
        &secret,
        id + 1000,
        json!({"status": "read"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = report(&desk, channel, &secret, id, json!({"status": "queued"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = report(&desk, channel, &secret, id, json!({"status": "lost"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = report(
        &desk,
        channel,
        &secret,
        id,
        json!({"status": "read", "extra": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let garbage = b"{not json".to_vec();
    let (status, _) = signed_post(&desk, &path, Some(&sign(&secret, &garbage)), garbage).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    assert_eq!(api.seq().await, seq, "no report changed anything");
    assert_eq!(api.message(conv, id).await["delivery"]["status"], "sent");
    // A signed failure report after sending is shown with its reason.
    let (status, body) = signed_post(&desk, &path, Some(&sign(&secret, &raw)), raw).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["delivery"]["status"], "failed");
    assert_eq!(body["delivery"]["error"], "forged");
}
