//! Mentions from outside: only the mentioned agent's stream hears `mention.created` (the
//! others see a gap in `seq`, live and on resume), reading the conversation sends
//! `mention.seen`, `GET /mentions` lists where an agent was mentioned, and bad mentions are
//! refused with nothing stored.

mod common;

use common::{Desk, add_agent, customer};
use frontdesk::client::api::Api as Client;
use frontdesk::client::outbox::{self, EntryState, Outbox};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// A customer conversation on a new custom channel.
async fn conversation(desk: &Desk) -> i64 {
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let (status, body) = desk
        .inbound(channel, &secret, &customer("t-1", "c-1", "help me"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body["conversation_id"].as_i64().unwrap()
}

async fn id_of(desk: &Desk, token: &str) -> i64 {
    desk.api(token).ok("/me").await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn only_the_mentioned_agent_hears_of_it_and_reading_marks_it_seen() {
    let desk = Desk::start();
    let cy = add_agent(&desk.data(), "cy@desk.example", "Cy Agent", "agent");
    let conv = conversation(&desk).await;
    let bo_id = id_of(&desk, &desk.agent).await;
    let ada = desk.api(&desk.admin);
    let since = ada.seq().await;
    let mut bo_events = desk.events(&desk.agent, Some(since)).await;
    let mut cy_events = desk.events(&cy, Some(since)).await;

    let (status, note) = ada
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "@Bo can you look?", "internal": true, "client_id": "n-1", "mentions": [bo_id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let (status, plain) = ada
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "no one in particular", "internal": true, "client_id": "n-2"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plain}");

    let bo_seen = bo_events.take(3).await;
    let types: Vec<&str> = bo_seen
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["message.created", "mention.created", "message.created"]
    );
    let mention = &bo_seen[1];
    assert_eq!(mention["agent_id"], bo_id);
    assert_eq!(mention["conversation_id"], conv);
    assert_eq!(mention["message"]["id"], note["id"]);
    assert_eq!(mention["conversation"]["id"], conv);

    // Cy's stream skips the mention: a gap in seq, live and on resume.
    let cy_seen = cy_events.take(2).await;
    let seqs: Vec<i64> = cy_seen.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(
        cy_seen.iter().all(|e| e["type"] == "message.created"),
        "{cy_seen:?}"
    );
    assert_eq!(seqs[1], seqs[0] + 2, "{cy_seen:?}");
    let mut cy_resumed = desk.events(&cy, Some(since)).await;
    let again = cy_resumed.take(2).await;
    assert_eq!(again, cy_seen);
    let mut bo_resumed = desk.events(&desk.agent, Some(since)).await;
    assert_eq!(bo_resumed.take(3).await[1]["type"], "mention.created");

    let bo = desk.api(&desk.agent);
    let listed = bo.ok("/mentions").await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["conversation"]["id"], conv);
    assert_eq!(listed[0]["unseen"], 1);
    assert_eq!(listed[0]["latest"]["id"], note["id"]);
    assert_eq!(desk.api(&cy).ok("/mentions").await, json!([]));

    let (status, _) = bo
        .post(&format!("/conversations/{conv}/read"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let seen = bo_events.until("mention.seen").await;
    assert_eq!(seen["conversation_id"], conv);
    assert_eq!(seen["agent_id"], bo_id);
    assert_eq!(bo.ok("/mentions").await[0]["unseen"], 0);

    // Cy's stream goes on past the gap and never carries Bo's mention.seen.
    let (status, _) = ada
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "later", "internal": true, "client_id": "n-3"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    loop {
        let next = cy_events.next().await;
        let kind = next["type"].as_str().unwrap();
        assert!(!kind.starts_with("mention."), "{next}");
        if kind == "message.created" {
            assert_eq!(next["message"]["body"], "later");
            break;
        }
    }
}

#[tokio::test]
async fn bad_mentions_are_refused_and_nothing_is_stored() {
    let desk = Desk::start();
    let conv = conversation(&desk).await;
    let bo_id = id_of(&desk, &desk.agent).await;
    let ada = desk.api(&desk.admin);
    let before = ada.ok(&format!("/conversations/{conv}/messages")).await["items"]
        .as_array()
        .unwrap()
        .len();
    let many: Vec<i64> = (0..21).map(|_| bo_id).collect();
    for (body, why) in [
        (
            json!({"body": "hi", "client_id": "a", "mentions": [bo_id]}),
            "a reply",
        ),
        (
            json!({"body": "hi", "internal": true, "client_id": "b", "mentions": [999_999]}),
            "unknown agent",
        ),
        (
            json!({"body": "hi", "internal": true, "client_id": "c", "mentions": many}),
            "too many",
        ),
        (
            json!({"body": "hi", "internal": true, "client_id": "d", "mentions": "bo"}),
            "not a list",
        ),
    ] {
        let (status, answer) = ada
            .post(&format!("/conversations/{conv}/messages"), body)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {answer}");
    }
    let after = ada.ok(&format!("/conversations/{conv}/messages")).await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before);
    assert_eq!(desk.api(&desk.agent).ok("/mentions").await, json!([]));
}

#[tokio::test]
async fn a_note_queued_in_the_client_outbox_carries_its_mentions() {
    let desk = Desk::start();
    let conv = conversation(&desk).await;
    let bo_id = id_of(&desk, &desk.agent).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox.db")).unwrap();
    let entry = outbox
        .enqueue_note(conv, "@Bo please check", &[bo_id])
        .unwrap();
    assert_eq!(
        Outbox::open(&dir.path().join("outbox.db"))
            .unwrap()
            .get(&entry.client_id)
            .unwrap()
            .mentions,
        [bo_id]
    );
    let client = Client::new(&desk.url, &desk.admin).unwrap();
    let (_nudge, mut updates, _task) = outbox::spawn_sender(outbox, client);
    let sent = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let u = updates.recv().await.expect("sender running");
            if u.client_id == entry.client_id && u.state != EntryState::Sending {
                return u;
            }
        }
    })
    .await
    .expect("sent within 10 s");
    assert_eq!(sent.state, EntryState::Sent, "{:?}", sent.error);
    let bo = Client::new(&desk.url, &desk.agent).unwrap();
    let mentions = bo.mentions(10).await.unwrap();
    assert_eq!(mentions.len(), 1);
    assert_eq!(mentions[0].conversation.id, conv);
    assert_eq!(Some(mentions[0].latest.id), sent.message.map(|m| m.id));
}
