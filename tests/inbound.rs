//! The custom channel inbound endpoint and the ticket rules it drives.

mod common;

use common::{Desk, customer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn same_thread_id_continues_the_same_conversation() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (s, a) = desk
        .inbound(ch, &secret, &customer("thread-1", "u1", "hello"))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{a}");
    let (_, b) = desk
        .inbound(ch, &secret, &customer("thread-1", "u1", "anyone?"))
        .await;
    let (_, c) = desk
        .inbound(ch, &secret, &customer("thread-2", "u1", "other topic"))
        .await;
    assert_eq!(a["conversation_id"], b["conversation_id"]);
    assert_ne!(a["conversation_id"], c["conversation_id"]);
    assert_ne!(a["message_id"], b["message_id"]);
    let detail = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{}", a["conversation_id"]))
        .await;
    assert_eq!(detail["message_count"], 2);
    assert_eq!(detail["subject"], "hello");
    assert_eq!(detail["preview"], "anyone?");
}

#[tokio::test]
async fn sender_is_matched_by_channel_identity_then_email_else_created() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (ch2, secret2) = desk.custom_channel("Other bridge").await;
    let api = desk.api(&desk.agent);
    let with_email = json!({"thread_id": "t1", "sender": {"id": "tg-1", "name": "Maria Rossi", "email": "maria@rossi.example"}, "text": "ciao"});
    let (_, a) = desk.inbound(ch, &secret, &with_email).await;
    let contact_a = api
        .ok(&format!("/conversations/{}", a["conversation_id"]))
        .await["contact_id"]
        .clone();
    // Same identity on the same channel, no email this time: same contact.
    let (_, b) = desk
        .inbound(
            ch,
            &secret,
            &json!({"thread_id": "t2", "sender": {"id": "tg-1"}, "text": "again"}),
        )
        .await;
    let contact_b = api
        .ok(&format!("/conversations/{}", b["conversation_id"]))
        .await["contact_id"]
        .clone();
    assert_eq!(contact_a, contact_b);
    // Another channel, unknown identity, known email (other case): same contact, identity added.
    let (_, c) = desk.inbound(ch2, &secret2, &json!({"thread_id": "x", "sender": {"id": "wa-9", "email": "MARIA@rossi.example"}, "text": "hi"})).await;
    let contact_c = api
        .ok(&format!("/conversations/{}", c["conversation_id"]))
        .await["contact_id"]
        .clone();
    assert_eq!(contact_a, contact_c);
    let contact = api.ok(&format!("/contacts/{contact_a}")).await;
    assert_eq!(contact["name"], "Maria Rossi");
    assert_eq!(contact["identities"].as_array().unwrap().len(), 2);
    // Unknown identity and email: a new contact.
    let (_, d) = desk
        .inbound(ch, &secret, &customer("t9", "tg-2", "new person"))
        .await;
    let contact_d = api
        .ok(&format!("/conversations/{}", d["conversation_id"]))
        .await["contact_id"]
        .clone();
    assert_ne!(contact_a, contact_d);
}

#[tokio::test]
async fn every_message_is_on_the_contacts_record() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, a) = desk
        .inbound(ch, &secret, &customer("t1", "u", "first ticket"))
        .await;
    let (_, b) = desk
        .inbound(ch, &secret, &customer("t2", "u", "second ticket"))
        .await;
    let api = desk.api(&desk.agent);
    let conv_b = b["conversation_id"].as_i64().unwrap();
    api.post(
        &format!("/conversations/{conv_b}/messages"),
        json!({"body": "answer", "client_id": "r1"}),
    )
    .await;
    let contact_id = api
        .ok(&format!("/conversations/{}", a["conversation_id"]))
        .await["contact_id"]
        .clone();
    let contact = api.ok(&format!("/contacts/{contact_id}")).await;
    let convs: Vec<i64> = contact["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(convs, vec![conv_b, a["conversation_id"].as_i64().unwrap()]);
    let timeline: Vec<&str> = contact["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(timeline, vec!["answer", "second ticket", "first ticket"]);
}

#[tokio::test]
async fn customer_and_agent_messages_move_the_ticket_through_the_pipeline() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let me = api.ok("/me").await["id"].as_i64().unwrap();
    let (_, r) = desk.inbound(ch, &secret, &customer("t", "u", "help")).await;
    let id = r["conversation_id"].as_i64().unwrap();
    let status = |c: &serde_json::Value| c["status"].as_str().unwrap().to_string();
    let path = format!("/conversations/{id}");
    let c = api.ok(&path).await;
    assert_eq!(
        (status(&c), c["owner_id"].clone()),
        ("new".into(), json!(null))
    );

    // An internal note neither assigns nor changes the status.
    let (s, note) = api
        .post(
            &format!("{path}/messages"),
            json!({"body": "checking logs", "internal": true, "client_id": "n1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        (note["kind"].as_str(), note["internal"].as_bool()),
        (Some("note"), Some(true))
    );
    let c = api.ok(&path).await;
    assert_eq!(
        (status(&c), c["owner_id"].clone()),
        ("new".into(), json!(null))
    );

    // Replying to an unassigned ticket assigns it to the replier and waits on the contact.
    api.post(
        &format!("{path}/messages"),
        json!({"body": "fixed?", "client_id": "r1"}),
    )
    .await;
    let c = api.ok(&path).await;
    assert_eq!(
        (status(&c), c["owner_id"].as_i64()),
        ("waiting_on_contact".into(), Some(me))
    );

    // The customer answers: waiting on us.
    desk.inbound(ch, &secret, &customer("t", "u", "not yet"))
        .await;
    assert_eq!(status(&api.ok(&path).await), "waiting_on_us");

    // A customer writing into a closed ticket reopens it.
    api.patch(&path, json!({"status": "closed"})).await;
    desk.inbound(ch, &secret, &customer("t", "u", "it broke again"))
        .await;
    assert_eq!(status(&api.ok(&path).await), "waiting_on_us");

    // Another agent replying does not steal the ticket.
    let admin = desk.api(&desk.admin);
    admin
        .post(
            &format!("{path}/messages"),
            json!({"body": "chiming in", "client_id": "r2"}),
        )
        .await;
    assert_eq!(api.ok(&path).await["owner_id"].as_i64(), Some(me));
}

#[tokio::test]
async fn attachments_of_every_kind_are_kept() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let kinds = ["audio", "voice_note", "sticker", "image", "video", "file"];
    let attachments: Vec<_> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| json!({"kind": k, "name": format!("{k}.bin"), "url": format!("https://files.example/{i}"), "size": 1000 + i}))
        .collect();
    let (s, r) = desk
        .inbound(
            ch,
            &secret,
            &json!({"thread_id": "t", "sender": {"id": "u"}, "attachments": attachments}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{r}");
    let detail = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{}", r["conversation_id"]))
        .await;
    let got = detail["messages"][0]["attachments"].as_array().unwrap();
    let got_kinds: Vec<&str> = got.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(got_kinds, kinds);
    assert_eq!(got[5]["size"], 1005);
    assert_eq!(detail["subject"], "[audio] audio.bin");
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_401_and_stores_nothing() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let seq = api.seq().await;
    let body = serde_json::to_vec(&customer("t", "u", "hi")).unwrap();
    let tampered = serde_json::to_vec(&customer("t", "u", "hi!")).unwrap();
    let good_for_other = frontdesk::server::signature::sign(&secret, &tampered);
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "missing"),
        (Some("sha256=".into()), "empty"),
        (Some("sha256=nothex".into()), "not hex"),
        (
            Some(frontdesk::server::signature::sign("wrong secret", &body)),
            "wrong secret",
        ),
        (Some(good_for_other), "signature of another body"),
        (
            Some(frontdesk::server::signature::sign(&secret, &body).replace("sha256=", "")),
            "no scheme",
        ),
    ];
    for (sig, why) in cases {
        let (s, r) = desk.inbound_raw(ch, sig.as_deref(), body.clone()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{why}: {r}");
        assert_eq!(r["error"]["code"], "bad_signature", "{why}");
    }
    // An unknown channel looks the same from outside.
    let (s, _) = desk
        .inbound(ch + 100, &secret, &customer("t", "u", "hi"))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(api.seq().await, seq, "no event was logged");
    assert!(api.ids("").await.is_empty(), "no conversation was stored");
    let (s, _) = api.get("/contacts/1").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no contact was stored");
}

#[tokio::test]
async fn invalid_inbound_bodies_are_refused_with_field_errors() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let seq = api.seq().await;
    let cases = [
        (
            json!({"sender": {"id": "u"}, "text": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "thread_id",
        ),
        (
            json!({"thread_id": "t", "sender": {"id": ""}, "text": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "sender.id",
        ),
        (
            json!({"thread_id": "t", "sender": {"id": "u"}, "text": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "text or at least one attachment",
        ),
        (
            json!({"thread_id": "t", "sender": {"id": "u"}, "text": "x", "attachments": [{"kind": "hologram", "name": "a", "url": "u", "size": 1}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "hologram",
        ),
        (
            json!({"thread_id": "t", "sender": {"id": "u"}, "text": "x", "attachments": [{"kind": "file", "name": "a", "url": "u", "size": -1}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "size",
        ),
        (
            json!({"thread_id": "t", "sender": {"id": "u", "email": "not-an-email"}, "text": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
        ),
    ];
    for (body, status, mentions) in cases {
        let (s, r) = desk.inbound(ch, &secret, &body).await;
        assert_eq!(s, status, "{body}: {r}");
        let message = r["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(mentions),
            "{message:?} should mention {mentions:?}"
        );
    }
    let raw = b"{not json".to_vec();
    let sig = frontdesk::server::signature::sign(&secret, &raw);
    let (s, r) = desk.inbound_raw(ch, Some(&sig), raw).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(r["error"]["code"], "invalid_json");
    assert_eq!(api.seq().await, seq);
    assert!(api.ids("").await.is_empty());
}
