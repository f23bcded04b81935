//! Custom channels as an integration uses them: registration with capabilities, inbound
//! messages held to them, threading by sender, channel accounts that reach the webhook.

mod common;
mod webhook_receiver;

use common::{Desk, customer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use webhook_receiver::Receiver;

/// Registers a channel as admin; answers status and body.
async fn register(desk: &Desk, body: Value) -> (StatusCode, Value) {
    desk.api(&desk.admin).post("/channels", body).await
}

fn attachment(kind: &str, size: i64) -> Value {
    json!({"kind": kind, "name": format!("{kind}.bin"), "url": format!("https://cdn.example/{kind}"), "size": size})
}

fn with_attachments(thread: &str, attachments: Vec<Value>) -> Value {
    json!({"thread_id": thread, "sender": {"id": "u1", "name": "Una"}, "text": "", "attachments": attachments})
}

#[tokio::test]
async fn registration_keeps_description_and_capabilities_and_refuses_bad_ones() {
    let desk = Desk::start();
    let (status, ch) = register(
        &desk,
        json!({
            "kind": "custom", "name": "Signal bridge", "description": "Signal messages via our relay",
            "capabilities": {"threading": "sender", "attachments": [
                {"kind": "image", "max_size": 5000000}, {"kind": "voice_note", "max_size": 1000000}
            ]}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ch}");
    assert_eq!(ch["description"], "Signal messages via our relay");
    assert_eq!(ch["capabilities"]["threading"], "sender");
    assert_eq!(ch["capabilities"]["attachments"][1]["kind"], "voice_note");
    // Agents see what a channel carries too.
    let seen = desk
        .api(&desk.agent)
        .ok(&format!("/channels/{}", ch["id"]))
        .await;
    assert_eq!(seen["capabilities"], ch["capabilities"]);
    // The contract's minimal body still works and gets the defaults.
    let (status, plain) = register(&desk, json!({"kind": "custom", "name": "Plain"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        plain["capabilities"],
        json!({"threading": "thread_id", "attachments": null})
    );

    let before = desk.api(&desk.admin).ok("/channels").await;
    for bad in [
        json!({"kind": "custom", "name": "x", "capabilities": {"threading": "by-mood"}}),
        json!({"kind": "custom", "name": "x", "capabilities": {"attachments": [{"kind": "image", "max_size": 0}]}}),
        json!({"kind": "custom", "name": "x", "capabilities": {"attachments": [{"kind": "gif", "max_size": 10}]}}),
        json!({"kind": "custom", "name": "x", "capabilities": {"attachments": [
            {"kind": "audio", "max_size": 1}, {"kind": "audio", "max_size": 2}]}}),
        json!({"kind": "custom", "name": "x", "capabilities": {"colour": "red"}}),
        json!({"kind": "custom", "name": "x", "description": "d".repeat(5000)}),
        json!({"kind": "custom", "name": "x", "webhook_url": "ftp://files.example/in"}),
        json!({"kind": "custom", "name": "x", "webhook_url": "http://"}),
        json!({"kind": "custom", "name": "  "}),
    ] {
        let (status, body) = register(&desk, bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} -> {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        desk.api(&desk.admin).ok("/channels").await,
        before,
        "nothing stored"
    );
}

#[tokio::test]
async fn attachments_the_channel_did_not_declare_or_over_its_limit_are_refused_and_nothing_is_stored()
 {
    let desk = Desk::start();
    let (_, ch) = register(
        &desk,
        json!({"kind": "custom", "name": "Bridge", "capabilities": {"attachments": [
            {"kind": "image", "max_size": 1000}, {"kind": "voice_note", "max_size": 500}
        ]}}),
    )
    .await;
    let (id, secret) = (
        ch["id"].as_i64().unwrap(),
        ch["secret"].as_str().unwrap().to_string(),
    );
    let api = desk.api(&desk.agent);
    let seq = api.seq().await;

    let (status, body) = desk
        .inbound(
            id,
            &secret,
            &with_attachments("t", vec![attachment("video", 10)]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "attachment_refused");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("does not accept video") && message.contains("image, voice_note"),
        "{message}"
    );

    let (status, body) = desk
        .inbound(
            id,
            &secret,
            &with_attachments(
                "t",
                vec![attachment("image", 1000), attachment("voice_note", 501)],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("attachments[1]") && message.contains("limit of 500 bytes"),
        "{message}"
    );

    assert_eq!(api.seq().await, seq, "no event: nothing was stored");
    assert!(api.ids("").await.is_empty());

    let (status, ok) = desk
        .inbound(
            id,
            &secret,
            &with_attachments(
                "t",
                vec![attachment("image", 1000), attachment("voice_note", 500)],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{ok}");
    let detail = api
        .ok(&format!("/conversations/{}", ok["conversation_id"]))
        .await;
    let kinds: Vec<&str> = detail["messages"][0]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["image", "voice_note"]);
}

#[tokio::test]
async fn audio_voice_notes_stickers_images_and_video_come_in_on_a_channel_that_takes_them() {
    let desk = Desk::start();
    let (id, secret) = desk.custom_channel("Everything").await;
    let all = ["audio", "voice_note", "sticker", "image", "video"];
    let (status, ok) = desk
        .inbound(
            id,
            &secret,
            &with_attachments("t", all.iter().map(|k| attachment(k, 123_456)).collect()),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{ok}");
    let detail = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{}", ok["conversation_id"]))
        .await;
    let got: Vec<(String, i64)> = detail["messages"][0]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["size"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        all.iter()
            .map(|k| (k.to_string(), 123_456))
            .collect::<Vec<_>>()
    );
    assert_eq!(detail["subject"], "[audio] audio.bin");
}

#[tokio::test]
async fn threading_by_sender_continues_one_open_conversation_whatever_the_thread_id() {
    let desk = Desk::start();
    let (_, ch) = register(
        &desk,
        json!({"kind": "custom", "name": "SMS", "capabilities": {"threading": "sender"}}),
    )
    .await;
    let (id, secret) = (
        ch["id"].as_i64().unwrap(),
        ch["secret"].as_str().unwrap().to_string(),
    );
    let conv = |b: &Value| b["conversation_id"].as_i64().unwrap();
    let (_, a) = desk
        .inbound(id, &secret, &customer("sms-1", "+3461", "hello"))
        .await;
    let (_, b) = desk
        .inbound(id, &secret, &customer("sms-2", "+3461", "again"))
        .await;
    let (_, other) = desk
        .inbound(id, &secret, &customer("sms-1", "+3462", "me too"))
        .await;
    assert_eq!(
        conv(&a),
        conv(&b),
        "same sender, other thread id: same conversation"
    );
    assert_ne!(
        conv(&a),
        conv(&other),
        "another sender: another conversation"
    );
    // Once closed, the sender's next message opens a new conversation.
    let api = desk.api(&desk.agent);
    let (status, _) = api
        .patch(
            &format!("/conversations/{}", conv(&a)),
            json!({"status": "closed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, c) = desk
        .inbound(id, &secret, &customer("sms-1", "+3461", "new issue"))
        .await;
    assert_ne!(conv(&c), conv(&a));
    let (_, d) = desk
        .inbound(id, &secret, &customer("sms-9", "+3461", "more"))
        .await;
    assert_eq!(conv(&d), conv(&c));
    assert_eq!(
        api.ok(&format!("/conversations/{}", conv(&a))).await["message_count"],
        2
    );
}

#[tokio::test]
async fn channel_accounts_are_managed_by_admins_and_travel_with_the_conversation_to_the_webhook() {
    let desk = Desk::start_with(&["--delivery-retry-ms", "50", "--allow-private-targets"]);
    let receiver = Receiver::start().await;
    let (_, ch) = register(
        &desk,
        json!({"kind": "custom", "name": "Bots", "webhook_url": receiver.url()}),
    )
    .await;
    let (id, secret) = (
        ch["id"].as_i64().unwrap(),
        ch["secret"].as_str().unwrap().to_string(),
    );
    receiver.set_secret(&secret);
    let admin = desk.api(&desk.admin);
    let path = format!("/channels/{id}/accounts");
    let (status, acct) = admin
        .post(
            &path,
            json!({"external_id": "bot-42", "name": "Support bot"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{acct}");
    assert_eq!(acct["channel_id"], id);
    let (status, body) = admin
        .post(&path, json!({"external_id": "bot-42", "name": "Twin"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = admin
        .post(&path, json!({"external_id": "", "name": "x"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = admin.post(&path, json!({"name": "no id"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = desk
        .api(&desk.agent)
        .post(&path, json!({"external_id": "b", "name": "b"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin
        .post(
            "/channels/999/accounts",
            json!({"external_id": "b", "name": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let listed = admin.ok(&path).await;
    assert_eq!(listed, json!([acct.clone()]));

    // An account of another channel is refused, and nothing is stored.
    let (other, _) = desk.custom_channel("Other").await;
    let (_, foreign) = admin
        .post(
            &format!("/channels/{other}/accounts"),
            json!({"external_id": "x", "name": "x"}),
        )
        .await;
    let mut msg = customer("t1", "u1", "hi");
    msg["account_id"] = foreign["id"].clone();
    let seq = admin.seq().await;
    let (status, body) = desk.inbound(id, &secret, &msg).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not an account of channel")
    );
    assert_eq!(admin.seq().await, seq);

    msg["account_id"] = acct["id"].clone();
    let (status, inbound) = desk.inbound(id, &secret, &msg).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{inbound}");
    // A later message that names no account keeps the conversation's account.
    desk.inbound(id, &secret, &customer("t1", "u1", "still there?"))
        .await;
    let conv = inbound["conversation_id"].as_i64().unwrap();
    let api = desk.api(&desk.agent);
    api.post(
        &format!("/conversations/{conv}/messages"),
        json!({"body": "Yes!", "client_id": "r1"}),
    )
    .await;
    for _ in 0..200 {
        if !receiver.received().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hook = &receiver.received()[0];
    assert!(hook.signature_ok);
    assert_eq!(hook.body["account"], acct);
    assert_eq!(hook.body["thread_id"], "t1");
    assert_eq!(hook.body["recipient"]["id"], "u1");
}
