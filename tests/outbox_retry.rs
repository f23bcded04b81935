//! Failed replies from outside: retried by hand after the far side is fixed (same
//! idempotency key, delivered once), discarded (kept in the thread, never tried again), and
//! listed in the outbox while they wait, retry or fail.

mod common;
mod webhook_receiver;

use common::{Api, Desk, customer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use webhook_receiver::Receiver;

/// A desk whose custom channel's webhook is the receiver; retries wait `retry_ms`.
async fn setup(retry_ms: &str) -> (Desk, Receiver, i64) {
    let desk = Desk::start_with(&["--allow-private-targets", "--delivery-retry-ms", retry_ms]);
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
    let (status, body) = desk
        .inbound(
            channel["id"].as_i64().unwrap(),
            &secret,
            &customer("t-1", "cust-1", "where is my order?"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    (desk, receiver, body["conversation_id"].as_i64().unwrap())
}

async fn reply(api: &Api, conversation: i64, body: &str) -> i64 {
    let (status, message) = api
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({"body": body, "client_id": format!("c-{body}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    message["id"].as_i64().unwrap()
}

fn status_is(s: &'static str) -> impl Fn(&Value) -> bool {
    move |m| m["delivery"]["status"] == s
}

async fn outbox(api: &Api, query: &str) -> Value {
    api.ok(&format!("/outbox{query}")).await
}

#[tokio::test]
async fn a_refused_reply_is_retried_after_the_far_side_is_fixed_and_arrives_once() {
    let (desk, receiver, conv) = setup("50").await;
    receiver.script(&[(400, "no such recipient")]);
    let api = desk.api(&desk.agent);
    let id = reply(&api, conv, "your order ships today").await;
    let failed = api.message_until(conv, id, status_is("failed")).await;
    assert_eq!(failed["delivery"]["discarded_at"], Value::Null);
    assert_eq!(failed["delivery"]["next_attempt_at"], Value::Null);

    let listed = outbox(&api, "").await;
    assert_eq!(listed["has_more"], false);
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["state"], "failed");
    assert_eq!(items[0]["message"]["id"], id);
    assert_eq!(items[0]["contact_name"], "Customer cust-1");
    assert!(items[0]["conversation_subject"].is_string());

    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;
    let (status, retried) = api
        .post(
            &format!("/conversations/{conv}/messages/{id}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!(retried["delivery"]["status"], "queued");
    let updated = events.until("message.updated").await;
    assert_eq!(updated["message"]["id"], id);
    assert_eq!(updated["message"]["delivery"]["status"], "queued");

    let sent = api.message_until(conv, id, status_is("sent")).await;
    assert_eq!(sent["delivery"]["attempts"], 2);
    let got = receiver.received();
    assert_eq!(got.len(), 2, "one refused, one taken: {got:?}");
    assert!(
        got.iter()
            .all(|r| r.idempotency_key.as_deref() == Some(id.to_string().as_str())),
        "{got:?}"
    );
    assert_eq!(got[1].body["attempt"], 1, "a new round of attempts");
    assert_eq!(outbox(&api, "").await["items"], json!([]));

    // Only a failed reply is retried.
    let (status, body) = api
        .post(
            &format!("/conversations/{conv}/messages/{id}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(receiver.received().len(), 2, "nothing sent again");
}

#[tokio::test]
async fn a_discarded_reply_stays_in_the_thread_and_is_never_tried_again() {
    let (desk, receiver, conv) = setup("50").await;
    receiver.script(&[(400, "refused")]);
    let api = desk.api(&desk.agent);
    let id = reply(&api, conv, "first").await;
    api.message_until(conv, id, status_is("failed")).await;

    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;
    let (status, discarded) = api
        .post(
            &format!("/conversations/{conv}/messages/{id}/discard"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{discarded}");
    assert!(
        discarded["delivery"]["discarded_at"].is_string(),
        "{discarded}"
    );
    let updated = events.until("message.updated").await;
    assert!(updated["message"]["delivery"]["discarded_at"].is_string());

    let (status, body) = api
        .post(
            &format!("/conversations/{conv}/messages/{id}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(outbox(&api, "").await["items"], json!([]));
    let kept = api.message(conv, id).await;
    assert_eq!(kept["body"], "first");

    // The next reply goes out, and the discarded one never goes with it.
    let later = reply(&api, conv, "second").await;
    api.message_until(conv, later, status_is("sent")).await;
    let got = receiver.received();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].body["message"]["id"], later);
}

#[tokio::test]
async fn the_outbox_shows_a_retrying_reply_pages_and_refuses_what_has_no_delivery() {
    let (desk, receiver, conv) = setup("600000").await;
    receiver.script(&[(503, "down"), (400, "refused")]);
    let api = desk.api(&desk.agent);
    let first = reply(&api, conv, "one").await;
    let waiting = api
        .message_until(conv, first, |m| m["delivery"]["attempts"] == 1)
        .await;
    assert!(
        waiting["delivery"]["next_attempt_at"].is_string(),
        "{waiting}"
    );

    let page = outbox(&api, "?limit=1").await;
    assert_eq!(page["has_more"], false, "{page}");
    assert_eq!(page["items"][0]["state"], "retrying");

    // Discarding a reply that waits for its next attempt takes it out of the queue.
    let (status, body) = api
        .post(
            &format!("/conversations/{conv}/messages/{first}/discard"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["delivery"]["next_attempt_at"], Value::Null);
    let second = reply(&api, conv, "two").await;
    api.message_until(conv, second, status_is("failed")).await;
    let third = reply(&api, conv, "three").await;
    api.message_until(conv, third, status_is("sent")).await;
    assert_eq!(receiver.received().len(), 3);

    let (status, body) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "another failure", "client_id": "c-4"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let page = outbox(&api, "?limit=1").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    let newest = page["items"][0]["message"]["id"].as_i64().unwrap();
    let rest = outbox(&api, &format!("?limit=1&before={newest}")).await;
    let ids: Vec<i64> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message"]["id"].as_i64().unwrap())
        .collect();
    assert!(ids.iter().all(|i| *i < newest), "{rest}");

    let (status, note) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "a note", "internal": true, "client_id": "n-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let note = note["id"].as_i64().unwrap();
    let (status, body) = api
        .post(
            &format!("/conversations/{conv}/messages/{note}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = api
        .post(
            &format!("/conversations/{}/messages/{first}/discard", conv + 1000),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = api.get("/outbox?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_terminal_client_lists_the_outbox_and_retries_a_failed_reply_with_r() {
    let (desk, receiver, conv) = setup("50").await;
    receiver.script(&[(400, "no such recipient")]);
    let api = desk.api(&desk.agent);
    let id = reply(&api, conv, "your order ships today").await;
    api.message_until(conv, id, status_is("failed")).await;

    let home = tempfile::tempdir().unwrap();
    let mut screen = common::pty::Pty::agent(&desk.url, &desk.agent, home.path()).await;
    screen.wait_for("where is my order?");
    // O lists the desk's outbox; Enter opens the failed reply's conversation.
    screen.keys("O");
    screen.wait_for("failed #");
    screen.wait_for("Customer cust-1");
    screen.keys("\r");
    screen.wait_for("your order ships today");
    screen.wait_for("R retries");
    // The far side is fixed; R sends the reply again and it arrives.
    screen.keys("R");
    api.message_until(conv, id, status_is("sent")).await;
    let got = receiver.received();
    assert_eq!(got.len(), 2, "one refused attempt, one that arrived");
    assert_eq!(got[0].idempotency_key, got[1].idempotency_key);
    screen.wait_for("queued again");
    screen.wait_for("sent ✓");
}
