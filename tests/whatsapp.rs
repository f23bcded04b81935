//! WhatsApp Business channels: Meta's webhook handshake and signed events, the Cloud API
//! through a Graph-compatible peer on loopback, statuses, and the 24-hour window.

mod common;
mod graph_peer;

use common::Desk;
use frontdesk::server::signature::sign;
use graph_peer::{
    ACCESS_TOKEN, FakeGraph, VERIFY_TOKEN, channel, conversation_of, handshake, hook, hook_raw,
    hours_ago, reply, sent,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PHONE_ID: &str = "106540352242922";
const WA_ID: &str = "393331234567";

/// A WhatsApp webhook body: one `messages` change of our number with `value`'s lists.
fn change(value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = json!({"display_phone_number": "15550783881", "phone_number_id": PHONE_ID});
    json!({"object": "whatsapp_business_account",
           "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]})
}

fn text(wa_id: &str, id: &str, body: &str, at_ms: i64) -> Value {
    change(json!({
        "contacts": [{"profile": {"name": "Lucia Bianchi"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": id, "timestamp": (at_ms / 1000).to_string(),
                      "type": "text", "text": {"body": body}}]
    }))
}

fn receipt(id: &str, status: &str, errors: Value) -> Value {
    change(
        json!({"statuses": [{"id": id, "status": status, "timestamp": (hours_ago(0) / 1000).to_string(),
                                "recipient_id": WA_ID, "errors": errors}]}),
    )
}

#[tokio::test]
async fn verification_handshake_echoes_the_challenge_only_for_the_verify_token() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "whatsapp", PHONE_ID, &graph, json!({})).await;
    assert_eq!(
        handshake(&desk, "whatsapp", ch, VERIFY_TOKEN).await,
        (StatusCode::OK, "1158201444".to_string())
    );
    assert_eq!(
        handshake(&desk, "whatsapp", ch, "wrong").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        handshake(&desk, "messenger", ch, VERIFY_TOKEN).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn signed_messages_open_a_conversation_with_name_phone_and_media() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "whatsapp", PHONE_ID, &graph, json!({})).await;
    let ts = (hours_ago(0) / 1000).to_string();
    let body = change(json!({
        "contacts": [{"profile": {"name": "Lucia Bianchi"}, "wa_id": WA_ID}],
        "messages": [
            {"from": WA_ID, "id": "wamid.A", "timestamp": ts, "type": "text", "text": {"body": "Il mio ordine?"}},
            {"from": WA_ID, "id": "wamid.B", "timestamp": ts, "type": "image",
             "image": {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "x", "caption": "the box"}},
            {"from": WA_ID, "id": "wamid.C", "timestamp": ts, "type": "audio",
             "audio": {"id": "MEDIA2", "mime_type": "audio/ogg; codecs=opus", "voice": true}}
        ]
    }));
    let (status, answer) = hook(&desk, "whatsapp", ch, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["messages"].as_array().unwrap().len(), 3);
    let conv = conversation_of(&desk, ch).await;
    assert_eq!(conv["channel_kind"], "whatsapp");
    assert_eq!(conv["contact"]["name"], "Lucia Bianchi");
    assert_eq!(conv["contact"]["phone"], "+393331234567");
    assert_eq!(conv["contact"]["identities"][0]["external_id"], WA_ID);
    let messages = conv["messages"].as_array().unwrap();
    assert_eq!(messages[0]["body"], "Il mio ordine?");
    assert_eq!(messages[1]["body"], "the box");
    let image = &messages[1]["attachments"][0];
    assert_eq!(
        (image["kind"].as_str(), image["mime_type"].as_str()),
        (Some("image"), Some("image/jpeg"))
    );
    assert_eq!(messages[2]["attachments"][0]["kind"], "voice_note");
    // The media id was resolved with the access token and the bytes kept by the desk.
    let lookups: Vec<_> = graph
        .seen()
        .into_iter()
        .filter(|s| s.path == "/v19.0/MEDIA1")
        .collect();
    assert_eq!(
        lookups[0].authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    let url = image["url"].as_str().unwrap();
    let bytes = reqwest::Client::new()
        .get(format!("{}{url}", desk.url))
        .bearer_auth(&desk.agent)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), graph_peer::file_bytes("MEDIA1"));
}

#[tokio::test]
async fn a_bad_signature_or_a_turned_off_channel_stores_nothing() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(
        &desk,
        "whatsapp",
        PHONE_ID,
        &graph,
        json!({"instant_reply": "Ciao!"}),
    )
    .await;
    let raw = serde_json::to_vec(&text(WA_ID, "wamid.X", "hello", hours_ago(0))).unwrap();
    let (status, answer) = hook_raw(
        &desk,
        "whatsapp",
        ch,
        Some(&sign("guess", &raw)),
        raw.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    let (status, _) = hook_raw(&desk, "whatsapp", ch, None, raw).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A message with a timestamp that is not a number: refused whole.
    let mut bad = text(WA_ID, "wamid.Y", "hello", hours_ago(0));
    bad["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = json!("yesterday");
    let (status, answer) = hook(&desk, "whatsapp", ch, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("timestamp")
    );
    // The admin's switch turns the channel off (as the channel settings do).
    let conn = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    conn.execute("UPDATE channels SET enabled = 0 WHERE id = ?1", [ch])
        .unwrap();
    let (status, answer) = hook(
        &desk,
        "whatsapp",
        ch,
        &text(WA_ID, "wamid.Z", "hello", hours_ago(0)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("turned off")
    );
    assert!(desk.api(&desk.agent).ids("").await.is_empty());
    assert!(graph.sends().is_empty());
}

#[tokio::test]
async fn a_redelivered_message_is_stored_once() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "whatsapp", PHONE_ID, &graph, json!({})).await;
    let mut body = text(WA_ID, "wamid.ONCE", "ciao", hours_ago(0));
    // A hostile profile name is cleaned and cut.
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] =
        json!(format!("Eve\u{1b}[2J{}", "x".repeat(500)));
    hook(&desk, "whatsapp", ch, &body).await;
    let (_, again) = hook(&desk, "whatsapp", ch, &body).await;
    assert_eq!(again["duplicates"], 1);
    let conv = conversation_of(&desk, ch).await;
    assert_eq!(conv["message_count"], 1);
    let name = conv["contact"]["name"].as_str().unwrap();
    assert!(
        name.starts_with("Eve[2Jxxx") && name.chars().count() == 200,
        "{name}"
    );
}

#[tokio::test]
async fn a_reply_goes_out_through_the_cloud_api_and_statuses_move_its_delivery() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "whatsapp", PHONE_ID, &graph, json!({})).await;
    hook(
        &desk,
        "whatsapp",
        ch,
        &text(WA_ID, "wamid.Q", "Dov'è il pacco?", hours_ago(2)),
    )
    .await;
    let conv_id = conversation_of(&desk, ch).await["id"].as_i64().unwrap();
    let (status, posted) = reply(&desk, conv_id, "Arriva domani.", false).await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    let msg_id = posted["id"].as_i64().unwrap();
    let (request, wamid) = sent(&desk, &graph, conv_id, msg_id).await;
    assert_eq!(graph.sends().len(), 1, "sent once");
    assert_eq!(request.path, format!("/v19.0/{PHONE_ID}/messages"));
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        request.body,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
               "type": "text", "text": {"preview_url": false, "body": "Arriva domani."}})
    );
    let api = desk.api(&desk.agent);
    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;
    for (s, want) in [("delivered", "delivered"), ("read", "read")] {
        let (code, answer) = hook(&desk, "whatsapp", ch, &receipt(&wamid, s, json!([]))).await;
        assert_eq!(
            (code, answer["receipts"].as_i64()),
            (StatusCode::OK, Some(1)),
            "{answer}"
        );
        let e = events.until("message.updated").await;
        assert_eq!(
            (
                e["message"]["id"].as_i64(),
                e["message"]["delivery"]["status"].as_str()
            ),
            (Some(msg_id), Some(want))
        );
    }
    // A late "delivered" after "read" changes nothing.
    hook(
        &desk,
        "whatsapp",
        ch,
        &receipt(&wamid, "delivered", json!([])),
    )
    .await;
    // A second reply fails on WhatsApp's side: failed, with WhatsApp's reason.
    let (_, second) = reply(&desk, conv_id, "Tracking: 123", false).await;
    let second_id = second["id"].as_i64().unwrap();
    let (_, wamid2) = sent(&desk, &graph, conv_id, second_id).await;
    let errors = json!([{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
                         "error_data": {"details": "The recipient's phone number is not a WhatsApp phone number."}}]);
    hook(&desk, "whatsapp", ch, &receipt(&wamid2, "failed", errors)).await;
    // The queue's own "sent" for the second reply comes first.
    let e = loop {
        let e = events.until("message.updated").await;
        if e["message"]["delivery"]["status"] != "sent" {
            break e;
        }
    };
    assert_eq!(e["message"]["id"], second_id);
    assert_eq!(e["message"]["delivery"]["status"], "failed");
    assert_eq!(
        e["message"]["delivery"]["error"],
        "WhatsApp error 131026: Message undeliverable: The recipient's phone number is not a WhatsApp phone number."
    );
    let items = api.ok(&format!("/conversations/{conv_id}/messages")).await["items"].clone();
    let first = items
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == msg_id)
        .unwrap();
    assert_eq!(first["delivery"]["status"], "read");
}

#[tokio::test]
async fn replies_after_24_hours_are_refused_with_the_time_while_notes_pass() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "whatsapp", PHONE_ID, &graph, json!({})).await;
    hook(
        &desk,
        "whatsapp",
        ch,
        &text(WA_ID, "wamid.OLD", "help", hours_ago(27) - 600_000),
    )
    .await;
    let conv_id = conversation_of(&desk, ch).await["id"].as_i64().unwrap();
    let (status, refused) = reply(&desk, conv_id, "Sorry for the delay", false).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "the WhatsApp 24-hour window closed 3 h ago; the customer must write first"
    );
    let api = desk.api(&desk.agent);
    let window = api.ok(&format!("/conversations/{conv_id}/window")).await;
    assert_eq!(window["state"], "closed", "{window}");
    assert_eq!(
        reply(&desk, conv_id, "Ask them by email", true).await.0,
        StatusCode::CREATED
    );
    // Nothing was stored for the refused reply.
    let detail = api.ok(&format!("/conversations/{conv_id}")).await;
    assert_eq!(detail["message_count"], 2);
    // A message the customer sent earlier arriving late does not move the window back.
    hook(
        &desk,
        "whatsapp",
        ch,
        &text(WA_ID, "wamid.NEW", "still waiting", hours_ago(0)),
    )
    .await;
    hook(
        &desk,
        "whatsapp",
        ch,
        &text(WA_ID, "wamid.LATE", "(late)", hours_ago(40)),
    )
    .await;
    assert_eq!(
        api.ok(&format!("/conversations/{conv_id}/window")).await["state"],
        "open"
    );
    assert_eq!(
        reply(&desk, conv_id, "Here we are!", false).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn explicit_consent_is_asked_with_a_reply_button_and_recorded() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let settings = json!({"greeting": "Ciao da Acme!", "instant_reply": "Grazie, rispondiamo subito.", "consent_mode": "explicit",
                          "consent_text": "Conserviamo i tuoi messaggi per aiutarti."});
    let ch = channel(&desk, "whatsapp", PHONE_ID, &graph, settings).await;
    hook(
        &desk,
        "whatsapp",
        ch,
        &text(WA_ID, "wamid.1", "ciao", hours_ago(0)),
    )
    .await;
    let conv = conversation_of(&desk, ch).await;
    let conv_id = conv["id"].as_i64().unwrap();
    let messages = conv["messages"].as_array().unwrap();
    // WhatsApp has no welcome screen: the greeting is the first automatic message.
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[1]["body"], "Ciao da Acme!");
    assert_eq!(messages[2]["body"], "Grazie, rispondiamo subito.");
    let (instant, _) = sent(&desk, &graph, conv_id, messages[2]["id"].as_i64().unwrap()).await;
    assert_eq!(instant.body["type"], "text");
    let ask = sent(&desk, &graph, conv_id, messages[3]["id"].as_i64().unwrap())
        .await
        .0
        .body;
    assert_eq!(ask["type"], "interactive");
    assert_eq!(
        ask["interactive"]["body"]["text"],
        "Conserviamo i tuoi messaggi per aiutarti."
    );
    let button = ask["interactive"]["action"]["buttons"][0]["reply"].clone();
    let api = desk.api(&desk.agent);
    assert_eq!(
        api.ok(&format!("/conversations/{conv_id}/window")).await["consent"],
        "asked"
    );
    let answer = change(json!({"messages": [{"from": WA_ID, "id": "wamid.2",
        "timestamp": (hours_ago(0) / 1000).to_string(), "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": button}}]}));
    let (status, _) = hook(&desk, "whatsapp", ch, &answer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        api.ok(&format!("/conversations/{conv_id}/window")).await["consent"],
        "given"
    );
}
