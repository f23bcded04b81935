//! Facebook Messenger channels: Meta's webhook handshake and signed events, the Send API
//! through a Graph-compatible peer on loopback, receipts, and the 24-hour / 7-day windows.

mod common;
mod graph_peer;

use common::Desk;
use frontdesk::server::signature::sign;
use graph_peer::{
    ACCESS_TOKEN, APP_SECRET, Answer, FakeGraph, VERIFY_TOKEN, channel, conversation_of, handshake,
    hook, hook_raw, hours_ago, reply, sent,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PAGE: &str = "104857600123";

/// A Messenger webhook body: one page entry with these `messaging` items.
fn page(items: Value) -> Value {
    json!({"object": "page", "entry": [{"id": PAGE, "time": hours_ago(0), "messaging": items}]})
}

fn text(psid: &str, mid: &str, text: &str, at: i64) -> Value {
    json!({"sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": at,
           "message": {"mid": mid, "text": text}})
}

#[tokio::test]
async fn verification_handshake_echoes_the_challenge_only_for_the_verify_token() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "messenger", PAGE, &graph, json!({})).await;
    assert_eq!(
        handshake(&desk, "messenger", ch, VERIFY_TOKEN).await,
        (StatusCode::OK, "1158201444".to_string())
    );
    let (status, body) = handshake(&desk, "messenger", ch, "guess").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("verify token"), "{body}");
    // The WhatsApp path of a Messenger channel, and an unknown channel, verify nothing.
    assert_eq!(
        handshake(&desk, "whatsapp", ch, VERIFY_TOKEN).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        handshake(&desk, "messenger", 999, VERIFY_TOKEN).await.0,
        StatusCode::FORBIDDEN
    );
    let resp = reqwest::get(format!("{}/hooks/messenger/{ch}?hub.challenge=1", desk.url))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn signed_message_opens_a_conversation_with_its_text_and_files() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "messenger", PAGE, &graph, json!({})).await;
    let body = page(json!([
        {"sender": {"id": "psid-77"}, "recipient": {"id": PAGE}, "timestamp": hours_ago(0),
         "message": {"mid": "m_in1", "text": "My order never arrived", "attachments": [
            {"type": "image", "payload": {"url": graph.cdn("receipt.jpg")}},
            {"type": "audio", "payload": {"url": graph.cdn("voice.mp4")}}]}}
    ]));
    let (status, answer) = hook(&desk, "messenger", ch, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["messages"].as_array().unwrap().len(), 1);
    let conv = conversation_of(&desk, ch).await;
    assert_eq!(conv["channel_kind"], "messenger");
    assert_eq!(conv["subject"], "My order never arrived");
    assert_eq!(conv["contact"]["identities"][0]["external_id"], "psid-77");
    // Messenger sends no name: the profile API gave it, once, with the page token.
    assert_eq!(conv["contact"]["name"], "Maria Rossi-psid-77");
    let lookups: Vec<_> = graph
        .seen()
        .into_iter()
        .filter(|s| s.path == "/v19.0/psid-77")
        .collect();
    assert_eq!(lookups.len(), 1);
    assert_eq!(
        lookups[0].authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    hook(
        &desk,
        "messenger",
        ch,
        &page(json!([text("psid-77", "m_in2", "Any news?", hours_ago(0))])),
    )
    .await;
    assert_eq!(
        graph
            .seen()
            .iter()
            .filter(|s| s.path == "/v19.0/psid-77")
            .count(),
        1
    );
    let msg = &conv["messages"][0];
    assert_eq!(msg["kind"], "inbound");
    assert_eq!(msg["attachments"].as_array().unwrap().len(), 2);
    let image = &msg["attachments"][0];
    assert_eq!(
        (image["kind"].as_str(), image["name"].as_str()),
        (Some("image"), Some("receipt.jpg"))
    );
    assert_eq!(msg["attachments"][1]["kind"], "audio");
    // The desk keeps its own copy of the file.
    let url = image["url"].as_str().unwrap();
    assert!(url.starts_with("/api/v1/files/"), "{url}");
    let bytes = reqwest::Client::new()
        .get(format!("{}{url}", desk.url))
        .bearer_auth(&desk.agent)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), graph_peer::file_bytes("receipt.jpg"));
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_refused_and_stores_nothing() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(
        &desk,
        "messenger",
        PAGE,
        &graph,
        json!({"instant_reply": "Thanks!"}),
    )
    .await;
    let raw =
        serde_json::to_vec(&page(json!([text("psid-1", "m1", "hello", hours_ago(0))]))).unwrap();
    let cases: Vec<(Option<String>, Vec<u8>)> = vec![
        (None, raw.clone()),
        (Some(sign("not-the-app-secret", &raw)), raw.clone()),
        (Some(sign(APP_SECRET, b"{}")), raw.clone()),
        (
            Some(
                sign(APP_SECRET, &raw)
                    .trim_start_matches("sha256=")
                    .to_string(),
            ),
            raw.clone(),
        ),
    ];
    for (sig, body) in cases {
        let (status, answer) = hook_raw(&desk, "messenger", ch, sig.as_deref(), body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
        assert_eq!(answer["error"]["code"], "bad_signature");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("X-Hub-Signature-256")
        );
    }
    // Signed but broken or foreign bodies: a clear 4xx, nothing stored.
    let broken = b"{\"object\": \"page\", \"entry\": [".to_vec();
    let (status, answer) = hook_raw(
        &desk,
        "messenger",
        ch,
        Some(&sign(APP_SECRET, &broken)),
        broken,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, answer) = hook(
        &desk,
        "messenger",
        ch,
        &json!({"object": "whatsapp_business_account", "entry": []}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"page\"")
    );
    // A signed body for an unknown channel id says nothing about which ids exist.
    let (status, _) = hook(&desk, "messenger", ch + 100, &page(json!([]))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let api = desk.api(&desk.agent);
    assert!(api.ids("").await.is_empty());
    assert!(graph.sends().is_empty());
}

#[tokio::test]
async fn a_redelivered_webhook_is_stored_once() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "messenger", PAGE, &graph, json!({})).await;
    let body = page(json!([text("psid-2", "m_once", "hello?", hours_ago(0))]));
    let (_, first) = hook(&desk, "messenger", ch, &body).await;
    let (status, again) = hook(&desk, "messenger", ch, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["messages"].as_array().unwrap().len(), 1);
    assert_eq!(again["messages"], json!([]));
    assert_eq!(again["duplicates"], 1);
    assert_eq!(conversation_of(&desk, ch).await["message_count"], 1);
}

#[tokio::test]
async fn a_reply_goes_out_through_the_send_api_and_receipts_move_its_delivery() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "messenger", PAGE, &graph, json!({})).await;
    hook(
        &desk,
        "messenger",
        ch,
        &page(json!([text(
            "psid-3",
            "m_q",
            "Where is my parcel?",
            hours_ago(1)
        )])),
    )
    .await;
    let conv = conversation_of(&desk, ch).await;
    let conv_id = conv["id"].as_i64().unwrap();
    let (status, posted) = reply(&desk, conv_id, "It left our warehouse today.", false).await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    assert_eq!(posted["delivery"]["status"], "queued");
    let msg_id = posted["id"].as_i64().unwrap();
    let (request, mid) = sent(&desk, &graph, conv_id, msg_id).await;
    assert_eq!(graph.sends().len(), 1, "sent once");
    assert_eq!(request.path, format!("/v19.0/{PAGE}/messages"));
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        request.body,
        json!({"recipient": {"id": "psid-3"}, "messaging_type": "RESPONSE",
               "message": {"text": "It left our warehouse today."}})
    );
    // Receipts: a delivery naming the mid, then a read watermark; each is a message.updated.
    let api = desk.api(&desk.agent);
    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;
    let delivery = json!({"sender": {"id": "psid-3"}, "recipient": {"id": PAGE}, "timestamp": hours_ago(0),
                          "delivery": {"mids": [mid], "watermark": hours_ago(0)}});
    let (status, answer) = hook(&desk, "messenger", ch, &page(json!([delivery]))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let e = events.until("message.updated").await;
    assert_eq!(e["message"]["id"], msg_id);
    assert_eq!(e["message"]["delivery"]["status"], "delivered");
    let read = json!({"sender": {"id": "psid-3"}, "recipient": {"id": PAGE}, "timestamp": hours_ago(0),
                      "read": {"watermark": hours_ago(-1)}});
    hook(&desk, "messenger", ch, &page(json!([read]))).await;
    let e = events.until("message.updated").await;
    assert_eq!(e["message"]["delivery"]["status"], "read");
    let messages = api.ok(&format!("/conversations/{conv_id}/messages")).await;
    let last = messages["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["delivery"]["status"], "read");
}

#[tokio::test]
async fn graph_errors_are_retried_or_final_with_the_graph_message() {
    let desk = Desk::start_with(&["--delivery-retry-ms", "50", "--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "messenger", PAGE, &graph, json!({})).await;
    hook(
        &desk,
        "messenger",
        ch,
        &page(json!([text("psid-4", "m_e", "hi", hours_ago(0))])),
    )
    .await;
    let conv_id = conversation_of(&desk, ch).await["id"].as_i64().unwrap();
    // Graph is down: the reply stays queued, with the error, and the queue keeps trying.
    let api = desk.api(&desk.agent);
    let retrying = |m: &Value| {
        m["delivery"]["status"] == "queued" && m["delivery"]["attempts"].as_i64() >= Some(1)
    };
    graph.answer(Answer::Down);
    let (_, posted) = reply(&desk, conv_id, "Hello!", false).await;
    let msg_id = posted["id"].as_i64().unwrap();
    let retrying_reply = api.message_until(conv_id, msg_id, retrying).await;
    let why = retrying_reply["delivery"]["error"].as_str().unwrap();
    assert!(why.contains("An unexpected error has occurred."), "{why}");
    // Graph refuses the recipient: final, with Graph's own words.
    graph.answer(Answer::Refuse("(#100) No matching user found".into(), 100));
    let failed = api
        .message_until(conv_id, msg_id, |m| m["delivery"]["status"] == "failed")
        .await;
    let why = failed["delivery"]["error"].as_str().unwrap();
    assert!(
        why.contains("No matching user found") && why.contains("code 100"),
        "{why}"
    );
    // A rate limit is worth another try even though it comes as a 400.
    graph.answer(Answer::Refuse(
        "(#613) Calls to this api have exceeded the rate limit.".into(),
        613,
    ));
    let (_, posted) = reply(&desk, conv_id, "Hello again!", false).await;
    let msg_id = posted["id"].as_i64().unwrap();
    let throttled = api
        .message_until(conv_id, msg_id, |m| {
            retrying(m)
                && m["delivery"]["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("rate limit"))
        })
        .await;
    assert!(throttled["delivery"]["attempts"].as_i64().unwrap() >= 1);
    // Graph recovers: the waiting reply goes out.
    graph.answer(Answer::Accept);
    sent(&desk, &graph, conv_id, msg_id).await;
}

#[tokio::test]
async fn replies_are_tagged_after_a_day_and_refused_after_seven_while_notes_pass() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "messenger", PAGE, &graph, json!({})).await;
    let api = desk.api(&desk.agent);
    // Wrote 8 days ago: nothing may go out.
    hook(
        &desk,
        "messenger",
        ch,
        &page(json!([text(
            "psid-old",
            "m_old",
            "anyone?",
            hours_ago(8 * 24)
        )])),
    )
    .await;
    let old = api.ids(&format!("channel={ch}")).await[0];
    let (status, refused) = reply(&desk, old, "Sorry for the wait!", false).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "Messenger: more than 7 days since the customer last wrote (8 d ago); the customer must write first"
    );
    let window = api.ok(&format!("/conversations/{old}/window")).await;
    assert_eq!(window["state"], "closed");
    let (status, note) = reply(&desk, old, "Customer went quiet, follow up by email", true).await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    // Wrote 2 days ago: a human agent may answer, tagged HUMAN_AGENT.
    hook(
        &desk,
        "messenger",
        ch,
        &page(json!([text(
            "psid-mid",
            "m_mid",
            "still there?",
            hours_ago(48)
        )])),
    )
    .await;
    let mid = api
        .ids(&format!("channel={ch}"))
        .await
        .into_iter()
        .find(|id| *id != old)
        .unwrap();
    let window = api.ok(&format!("/conversations/{mid}/window")).await;
    assert_eq!(window["state"], "human_agent", "{window}");
    let (status, posted) = reply(&desk, mid, "Yes, here to help.", false).await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    let sent = sent(&desk, &graph, mid, posted["id"].as_i64().unwrap())
        .await
        .0
        .body;
    assert_eq!(
        (sent["messaging_type"].as_str(), sent["tag"].as_str()),
        (Some("MESSAGE_TAG"), Some("HUMAN_AGENT"))
    );
    // The customer writes again: the window reopens.
    hook(
        &desk,
        "messenger",
        ch,
        &page(json!([text(
            "psid-old",
            "m_new",
            "hello again",
            hours_ago(0)
        )])),
    )
    .await;
    assert_eq!(
        reply(&desk, old, "Welcome back!", false).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_greeting_is_on_the_welcome_screen_a_new_conversation_gets_the_instant_reply_and_consent_is_recorded()
 {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let settings = json!({"greeting": "Hi, this is Acme.", "instant_reply": "We usually answer within an hour.",
                          "consent_mode": "explicit", "consent_text": "We store your messages to help you."});
    let ch = channel(&desk, "messenger", PAGE, &graph, settings).await;
    // The greeting went to the page's welcome screen (Messenger Profile API), not a message.
    let profile = graph
        .seen()
        .into_iter()
        .find(|s| s.path == "/v19.0/me/messenger_profile")
        .expect("the greeting is set on the page");
    assert_eq!(profile.method, "POST");
    assert_eq!(
        profile.authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        profile.body,
        json!({"greeting": [{"locale": "default", "text": "Hi, this is Acme."}]})
    );
    hook(
        &desk,
        "messenger",
        ch,
        &page(json!([text("psid-5", "m_first", "hello", hours_ago(0))])),
    )
    .await;
    let conv = conversation_of(&desk, ch).await;
    let conv_id = conv["id"].as_i64().unwrap();
    let messages = conv["messages"].as_array().unwrap();
    let bodies: Vec<&str> = messages
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "hello",
            "We usually answer within an hour.",
            "We store your messages to help you."
        ]
    );
    for auto in &messages[1..] {
        assert_eq!(auto["sender"]["kind"], "system");
        assert_eq!(auto["kind"], "outbound");
        assert!(auto["delivery"]["status"].is_string(), "{auto}");
    }
    // The status stays with the team: an automatic message is not an answer.
    assert_eq!(conv["status"], "new");
    let api = desk.api(&desk.agent);
    assert_eq!(
        api.ok(&format!("/conversations/{conv_id}/window")).await["consent"],
        "asked"
    );
    // The consent request carries the "I agree" quick reply.
    let sent = sent(&desk, &graph, conv_id, messages[2]["id"].as_i64().unwrap())
        .await
        .0
        .body;
    let payload = sent["message"]["quick_replies"][0]["payload"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sent["message"]["quick_replies"][0]["title"], "I agree");
    let answer = json!({"sender": {"id": "psid-5"}, "recipient": {"id": PAGE}, "timestamp": hours_ago(0),
                        "message": {"mid": "m_yes", "text": "I agree", "quick_reply": {"payload": payload}}});
    hook(&desk, "messenger", ch, &page(json!([answer]))).await;
    assert_eq!(
        api.ok(&format!("/conversations/{conv_id}/window")).await["consent"],
        "given"
    );
    // No second round of automatic messages on the same conversation.
    assert_eq!(conversation_of(&desk, ch).await["message_count"], 4);
}

#[tokio::test]
async fn settings_are_for_admins_and_secrets_never_come_back() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "messenger", PAGE, &graph, json!({})).await;
    let (status, _) = graph_peer::put(
        &desk,
        &format!("/channels/{ch}/graph"),
        &desk.agent,
        json!({"greeting": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, view) = desk
        .api(&desk.agent)
        .get(&format!("/channels/{ch}/graph"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{view}");
    let view = desk
        .api(&desk.admin)
        .ok(&format!("/channels/{ch}/graph"))
        .await;
    assert_eq!(view["app_secret_set"], true);
    assert_eq!(view["webhook_path"], format!("/hooks/messenger/{ch}"));
    let text = view.to_string();
    assert!(
        !text.contains(APP_SECRET) && !text.contains(ACCESS_TOKEN),
        "{text}"
    );
    let (status, changed) = graph_peer::put(
        &desk,
        &format!("/channels/{ch}/graph"),
        &desk.admin,
        json!({"greeting": "Welcome to Acme!"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        changed["greeting_sync"],
        "shown on the page's Messenger welcome screen"
    );
    assert_eq!(changed["app_secret_set"], true);
    // Bad settings are refused whole.
    let (status, err) = graph_peer::put(
        &desk,
        &format!("/channels/{ch}/graph"),
        &desk.admin,
        json!({"greeting": "new", "consent_mode": "explicit"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("consent_text")
    );
    let view = desk
        .api(&desk.admin)
        .ok(&format!("/channels/{ch}/graph"))
        .await;
    assert_eq!(view["greeting"], "Welcome to Acme!");
}
