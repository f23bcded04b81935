//! The call log, from outside: a call lands in the contact's conversation beside chat and
//! email, or opens one on the call channel; unknown numbers become contacts; retries are
//! idempotent; bad input stores nothing.

mod common;

use common::{Api, Desk};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A call channel; returns its id.
async fn call_channel(desk: &Desk) -> i64 {
    let (s, b) = desk
        .api(&desk.admin)
        .post("/channels", json!({"kind": "call", "name": "Phones"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

/// Logs a call that must be accepted as new.
async fn log(api: &Api, call: Value) -> Value {
    let (s, b) = api.post("/calls", call.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{call}: {b}");
    b
}

fn inbound(channel: i64, from: &str) -> Value {
    json!({"channel_id": channel, "direction": "inbound", "from": from, "to": "+1 555 0199", "duration_seconds": 252})
}

#[tokio::test]
async fn a_call_from_a_known_number_lands_in_their_open_conversation_beside_chat() {
    let desk = Desk::start();
    let api = desk.api(&desk.agent);
    let phones = call_channel(&desk).await;
    let (bridge, secret) = desk.custom_channel("Bridge").await;
    let msg = json!({"thread_id": "t1", "sender": {"id": "u1", "name": "Maria Rossi", "phone": "+39 06 1234 5678"}, "text": "my order is late"});
    let (_, chat) = desk.inbound(bridge, &secret, &msg).await;
    let conversation = chat["conversation_id"].as_i64().unwrap();
    // The agent answers: the ball is with the customer.
    let (s, _) = api
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({"body": "Looking into it", "client_id": "r1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let seq = api.seq().await;
    let mut events = desk.events(&desk.agent, Some(seq)).await;

    // The same number written another way.
    let mut call = inbound(phones, "+39 (06) 1234-5678");
    call["recording_url"] = json!("https://pbx.example/rec/1.mp3");
    call["notes"] = json!("  Wants a refund.  ");
    let logged = log(&api, call).await;
    assert_eq!(logged["conversation_id"], conversation);
    assert_eq!(logged["new_conversation"], false);
    assert_eq!(logged["new_contact"], false);
    let m = &logged["message"];
    assert_eq!(m["kind"], "inbound");
    assert_eq!(m["channel_id"], phones);
    assert_eq!(m["sender"]["kind"], "contact");
    assert_eq!(m["call"]["direction"], "inbound");
    assert_eq!(m["call"]["duration_seconds"], 252);
    assert_eq!(m["call"]["recording_url"], "https://pbx.example/rec/1.mp3");
    assert_eq!(m["call"]["notes"], "Wants a refund.");
    assert!(m["call"]["started_at"].is_string());
    assert_eq!(
        m["body"],
        "Inbound call from +39 (06) 1234-5678 to +1 555 0199, 4 min 12 s\n\
         Recording: https://pbx.example/rec/1.mp3\n\nWants a refund."
    );

    // Live, with its call details, and the ticket is back with the team.
    let e = events.until("message.created").await;
    assert_eq!(e["message"]["call"]["direction"], "inbound");
    assert_eq!(e["conversation"]["status"], "waiting_on_us");

    // In the thread beside the chat messages, and on the contact's record.
    let detail = api.ok(&format!("/conversations/{conversation}")).await;
    assert_eq!(detail["channel_kind"], "custom");
    let thread = detail["messages"].as_array().unwrap();
    assert_eq!(thread.len(), 3);
    assert!(thread[0]["call"].is_null() && thread[1]["call"].is_null());
    assert_eq!(thread[2]["call"]["from"], "+39 (06) 1234-5678");
    let contact = api.ok(&format!("/contacts/{}", detail["contact_id"])).await;
    assert_eq!(contact["messages"][0]["call"]["to"], "+1 555 0199");
    let page = api
        .ok(&format!("/conversations/{conversation}/messages"))
        .await;
    assert_eq!(page["items"][2]["call"]["duration_seconds"], 252);
    // Searchable by the number.
    assert!(api.ids("q=0199").await.contains(&conversation));
}

#[tokio::test]
async fn an_unknown_number_becomes_a_contact_with_a_routed_conversation_on_the_call_channel() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let api = desk.api(&desk.agent);
    let phones = call_channel(&desk).await;
    let ann = admin
        .post(
            "/agents",
            json!({"email": "ann@desk.example", "name": "Ann"}),
        )
        .await
        .1["id"]
        .as_i64()
        .unwrap();
    let (s, b) = admin
        .raw(
            Method::PUT,
            &format!("/channels/{phones}/routing"),
            serde_json::to_vec(&json!({"mode": "users_and_teams", "agent_ids": [ann]})).unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = admin
        .raw(
            Method::PUT,
            &format!("/channels/{phones}/presets"),
            serde_json::to_vec(&json!({"priority": "high", "labels": ["phone"]})).unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let seq = api.seq().await;
    let mut events = desk.events(&desk.agent, Some(seq)).await;
    let mut call = inbound(phones, "+44 20 7946 0000");
    call["contact"] = json!({"name": "Nigel Price"});
    call["duration_seconds"] = json!(0);
    let logged = log(&api, call).await;
    assert_eq!(logged["new_conversation"], true);
    assert_eq!(logged["new_contact"], true);
    let created = events.until("contact.created").await;
    assert_eq!(created["contact"]["name"], "Nigel Price");
    assert_eq!(created["contact"]["phone"], "+44 20 7946 0000");
    let opened = events.until("conversation.created").await;
    assert_eq!(opened["conversation"]["owner_id"], ann);
    assert_eq!(opened["conversation"]["channel_kind"], "call");
    assert_eq!(opened["conversation"]["priority"], "high");
    assert_eq!(opened["conversation"]["labels"], json!(["phone"]));
    assert_eq!(
        opened["conversation"]["subject"],
        "Inbound call from +44 20 7946 0000"
    );
    assert_eq!(
        logged["message"]["body"],
        "Inbound call from +44 20 7946 0000 to +1 555 0199, not answered"
    );

    // He calls again: same contact, same open conversation.
    let again = log(&api, inbound(phones, "+442079460000")).await;
    assert_eq!(again["contact_id"], logged["contact_id"]);
    assert_eq!(again["conversation_id"], logged["conversation_id"]);

    // Once it is closed, the next call opens a new one.
    api.patch(
        &format!("/conversations/{}", logged["conversation_id"]),
        json!({"status": "closed"}),
    )
    .await;
    let third = log(&api, inbound(phones, "+44 20 7946 0000")).await;
    assert_eq!(third["new_conversation"], true);
    assert_ne!(third["conversation_id"], logged["conversation_id"]);
}

#[tokio::test]
async fn an_outbound_call_belongs_to_the_caller_and_finds_contacts_by_email() {
    let desk = Desk::start();
    let api = desk.api(&desk.agent);
    let bo = api.ok("/me").await["id"].as_i64().unwrap();
    let phones = call_channel(&desk).await;
    let (bridge, secret) = desk.custom_channel("Mail bridge").await;
    let msg = json!({"thread_id": "m1", "sender": {"id": "x", "name": "Ida", "email": "ida@shop.example"}, "text": "hello"});
    let (_, first) = desk.inbound(bridge, &secret, &msg).await;
    api.patch(
        &format!("/conversations/{}", first["conversation_id"]),
        json!({"status": "closed"}),
    )
    .await;
    // Known by email only: the call finds her and her record learns the number.
    let call = json!({"channel_id": phones, "direction": "outbound", "from": "+1 555 0199", "to": "+1 555 0142", "duration_seconds": 61, "contact": {"email": "IDA@shop.example"}});
    let logged = log(&api, call).await;
    assert_eq!(logged["new_contact"], false);
    assert_eq!(logged["new_conversation"], true);
    let m = &logged["message"];
    assert_eq!(m["kind"], "outbound");
    assert_eq!(m["sender"]["id"], bo);
    let conv = api
        .ok(&format!("/conversations/{}", logged["conversation_id"]))
        .await;
    assert_eq!(conv["owner_id"], bo);
    assert_eq!(conv["subject"], "Outbound call to +1 555 0142");
    let contact = api.ok(&format!("/contacts/{}", logged["contact_id"])).await;
    assert_eq!(contact["phone"], "+1 555 0142");
    assert_eq!(contact["email"], "ida@shop.example");

    // Logged into a named conversation, with a retry that adds nothing.
    let call = json!({"channel_id": phones, "direction": "outbound", "from": "+1 555 0199", "to": "+1 555 0142", "duration_seconds": 30, "conversation_id": first["conversation_id"], "client_id": "pbx-77"});
    let one = log(&api, call.clone()).await;
    assert_eq!(one["conversation_id"], first["conversation_id"]);
    let (s, two) = api.post("/calls", call).await;
    assert_eq!(s, StatusCode::OK, "{two}");
    assert_eq!(two["message"]["id"], one["message"]["id"]);
    let detail = api
        .ok(&format!("/conversations/{}", first["conversation_id"]))
        .await;
    assert_eq!(detail["message_count"], 2);
    // An outbound call leaves the status alone.
    assert_eq!(detail["status"], "closed");
}

#[tokio::test]
async fn bad_calls_are_refused_and_store_nothing() {
    let desk = Desk::start();
    let api = desk.api(&desk.agent);
    let phones = call_channel(&desk).await;
    let (bridge, secret) = desk.custom_channel("Bridge").await;
    let (_, chat) = desk
        .inbound(bridge, &secret, &common::customer("t", "u", "hi"))
        .await;
    let other_contact = {
        let (_, r) = desk
            .inbound(bridge, &secret, &common::customer("t2", "u2", "hey"))
            .await;
        api.ok(&format!("/conversations/{}", r["conversation_id"]))
            .await["contact_id"]
            .clone()
    };
    let conversations = api.ids("limit=500").await;
    let seq = api.seq().await;
    let good = inbound(phones, "+1 555 0100");
    let with = |field: &str, value: Value| {
        let mut c = good.clone();
        c[field] = value;
        c
    };
    let without = |field: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(field);
        c
    };
    let cases = vec![
        with("direction", json!("sideways")),
        with("duration_seconds", json!(-1)),
        with("duration_seconds", json!(12.5)),
        with("duration_seconds", json!(8 * 24 * 3600)),
        with("recording_url", json!("ftp://pbx.example/1.mp3")),
        with("recording_url", json!("https://")),
        with("recording_url", json!("https://pbx.example/a b.mp3")),
        with(
            "recording_url",
            json!(format!("https://x.example/{}", "a".repeat(2100))),
        ),
        with("notes", json!("x".repeat(20_001))),
        with("notes", json!("bell\u{7}")),
        with("from", json!("")),
        with("from", json!("+1 555\u{1b}[2J")),
        with("to", json!("9".repeat(101))),
        with("from", json!("anonymous")),
        with("channel_id", json!(bridge)),
        with("channel_id", json!(999)),
        with("conversation_id", json!(999)),
        with("contact_id", json!(999)),
        with("client_id", json!("")),
        with("started_at", json!("yesterday")),
        with("started_at", json!("2999-01-01T00:00:00Z")),
        with("contact", json!({"phone": "call me"})),
        with("contact", json!({"email": "not-an-email"})),
        with("contact", json!({"name": " "})),
        with("contact", json!({"nickname": "Bo"})),
        with("recorded", json!(true)),
        without("direction"),
        without("duration_seconds"),
        without("channel_id"),
        {
            let mut c = with("conversation_id", chat["conversation_id"].clone());
            c["contact_id"] = other_contact.clone();
            c
        },
    ];
    for body in cases {
        let (s, r) = api.post("/calls", body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r}");
        assert_eq!(r["error"]["code"], "invalid", "{r}");
        assert!(!r["error"]["message"].as_str().unwrap().is_empty());
    }
    let (s, r) = api
        .raw(Method::POST, "/calls", b"{\"channel_id\": ".to_vec())
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{r}");
    let (s, _) = desk.api("fdk_wrong").post("/calls", good.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(api.seq().await, seq, "a refused call wrote an event");
    assert_eq!(api.ids("limit=500").await, conversations);
    // The good call still goes through afterwards.
    log(&api, good).await;
}
