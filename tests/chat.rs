//! Live chat: the widget in a real headless Chromium, the visitor websocket, the offline
//! email form, and the admin settings, all against the real server on loopback.

mod common;

use common::Desk;
use common::browser::Browser;
use fantoccini::Locator;
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const ALWAYS_CLOSED: &str = r#"{"utc_offset": "+00:00", "days": {}}"#;

/// Creates a chat channel as admin and returns its id.
async fn chat_channel(desk: &Desk, name: &str) -> i64 {
    let (status, body) = desk
        .api(&desk.admin)
        .post("/channels", json!({"kind": "chat", "name": name}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

async fn put_settings(desk: &Desk, token: &str, id: i64, settings: Value) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .put(format!("{}/api/v1/channels/{id}/chat", desk.url))
        .bearer_auth(token)
        .json(&settings)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Turns a channel off behind the server's back, as the channel switch will.
fn turn_off(desk: &Desk, id: i64) {
    let db = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    db.execute("UPDATE channels SET enabled = 0 WHERE id = ?1", [id])
        .unwrap();
}

/// Counts rows of a table, read straight from the desk's database.
fn count(desk: &Desk, table: &str) -> i64 {
    let db = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

async fn visitor(desk: &Desk, id: i64) -> Socket {
    let url = format!("{}/chat/{id}/ws", desk.url.replace("http://", "ws://"));
    tokio_tungstenite::connect_async(url)
        .await
        .expect("connect")
        .0
}

async fn frame(ws: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open")
            .expect("frame");
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            Message::Close(f) => panic!("closed: {f:?}"),
            _ => continue,
        }
    }
}

async fn say(ws: &mut Socket, value: Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

/// Opens a visitor socket and says hello; returns the socket and the welcome frame.
async fn hello(desk: &Desk, id: i64, token: Option<&str>) -> (Socket, Value) {
    let mut ws = visitor(desk, id).await;
    say(&mut ws, json!({"type": "hello", "token": token})).await;
    let welcome = frame(&mut ws).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    (ws, welcome)
}

/// The next message a customer wrote, skipping the agents' own.
async fn next_inbound(events: &mut common::Events) -> Value {
    loop {
        let e = events.until("message.created").await;
        if e["message"]["kind"] == "inbound" {
            return e;
        }
    }
}

async fn reply(desk: &Desk, conversation: i64, body: &str, internal: bool) {
    let (status, answer) = desk
        .api(&desk.agent)
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({"body": body, "internal": internal, "client_id": format!("c-{body}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn widget_in_chromium_chats_live_with_an_agent_and_keeps_history_over_reload() {
    let desk = Desk::start();
    let id = chat_channel(&desk, "Acme <support>").await;
    let (status, body) = put_settings(
        &desk,
        &desk.admin,
        id,
        json!({"color": "#ff0000", "position": "left", "greeting": "Hola <b>amigo</b>"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut events = desk
        .events(&desk.agent, Some(desk.api(&desk.agent).seq().await))
        .await;

    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/chat/{id}/demo", desk.url))
        .await
        .unwrap();
    let launcher = c
        .wait()
        .for_element(Locator::Id("fd-chat-launcher"))
        .await
        .unwrap();
    // The admin's colour and side reach the page.
    let looks = c
        .execute(
            "const s = getComputedStyle(document.getElementById('fd-chat')); \
             const b = getComputedStyle(document.getElementById('fd-chat-launcher')); \
             return [b.backgroundColor, s.left];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(looks, json!(["rgb(255, 0, 0)", "20px"]));
    launcher.click().await.unwrap();
    let greeting = c
        .wait()
        .for_element(Locator::Css(".fd-chat-greeting .fd-chat-text"))
        .await
        .unwrap();
    assert_eq!(greeting.text().await.unwrap(), "Hola <b>amigo</b>");

    let hostile = "hi <img src=x onerror=alert(1)> need help";
    let input = c.find(Locator::Id("fd-chat-input")).await.unwrap();
    input.send_keys(hostile).await.unwrap();
    c.find(Locator::Id("fd-chat-send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The agent sees it live, as an inbound chat message.
    let created = next_inbound(&mut events).await;
    assert_eq!(created["message"]["body"], hostile);
    assert_eq!(created["message"]["kind"], "inbound");
    assert_eq!(created["conversation"]["channel_kind"], "chat");
    let conversation = created["conversation_id"].as_i64().unwrap();

    // A note stays inside; the reply reaches the open page without a reload.
    reply(&desk, conversation, "internal: VIP customer", true).await;
    reply(&desk, conversation, "Hello <i>there</i>, Bo here", false).await;
    let answer = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//div[contains(@class,'fd-chat-msg-agent') and @data-id]//div[@class='fd-chat-text']",
        ))
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "Hello <i>there</i>, Bo here");
    let mine = c
        .find(Locator::Css(".fd-chat-msg-visitor .fd-chat-text"))
        .await
        .unwrap();
    assert_eq!(mine.text().await.unwrap(), hostile);
    let log_markup = c
        .execute(
            "return document.getElementById('fd-chat-log').innerHTML",
            vec![],
        )
        .await
        .unwrap();
    let log_markup = log_markup.as_str().unwrap();
    assert!(!log_markup.contains("<img"), "{log_markup}");
    assert!(!log_markup.contains("<i>"), "{log_markup}");
    assert!(!log_markup.contains("VIP"), "{log_markup}");

    // The visitor leaves an email for replies; it lands on their contact.
    let email = c
        .wait()
        .for_element(Locator::XPath(
            "//form[@id='fd-chat-identify' and not(@hidden)]//input[@type='email']",
        ))
        .await
        .unwrap();
    email.send_keys("vis@example.com").await.unwrap();
    c.find(Locator::Id("fd-chat-identify-save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath(
            "//div[@id='fd-chat-status' and contains(., 'vis@example.com')]",
        ))
        .await
        .unwrap();
    let contact = events.until("contact.updated").await;
    assert_eq!(contact["contact"]["email"], "vis@example.com");
    let detail = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{conversation}"))
        .await;
    assert_eq!(detail["contact"]["email"], "vis@example.com");

    // A reload keeps the visitor's session: the history comes back, no new conversation.
    c.refresh().await.unwrap();
    c.wait()
        .for_element(Locator::Id("fd-chat-launcher"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let history = c
        .wait()
        .for_element(Locator::XPath(
            "//div[contains(@class,'fd-chat-msg-agent') and @data-id]//div[@class='fd-chat-text']",
        ))
        .await
        .unwrap();
    assert_eq!(history.text().await.unwrap(), "Hello <i>there</i>, Bo here");
    c.find(Locator::Id("fd-chat-input"))
        .await
        .unwrap()
        .send_keys("one more thing\u{E007}")
        .await
        .unwrap();
    let next = next_inbound(&mut events).await;
    assert_eq!(next["message"]["body"], "one more thing");
    assert_eq!(next["conversation_id"], conversation);
    let chats = desk.api(&desk.agent).ids("channel=chat").await;
    assert_eq!(chats, vec![conversation]);
    browser.close().await;
}

#[tokio::test]
async fn outside_hours_the_widget_takes_an_email_and_opens_a_ticket() {
    let desk = Desk::start();
    let id = chat_channel(&desk, "Night shift").await;
    let hours: Value = serde_json::from_str(ALWAYS_CLOSED).unwrap();
    let (status, body) = put_settings(
        &desk,
        &desk.admin,
        id,
        json!({"hours": hours, "offline_message": "We sleep now."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/chat/{id}/demo", desk.url))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("fd-chat-launcher"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let note = c
        .wait()
        .for_element(Locator::Id("fd-chat-offline-note"))
        .await
        .unwrap();
    assert_eq!(note.text().await.unwrap(), "We sleep now.");
    assert!(
        c.find(Locator::Id("fd-chat-input")).await.is_err(),
        "no live chat outside hours"
    );
    // A bad address is refused beside the field, and nothing is stored.
    c.find(Locator::Id("fd-chat-offline-email"))
        .await
        .unwrap()
        .send_keys("not-an-email")
        .await
        .unwrap();
    c.find(Locator::Id("fd-chat-offline-message"))
        .await
        .unwrap()
        .send_keys("Please call me back about order 42")
        .await
        .unwrap();
    c.find(Locator::Id("fd-chat-offline-send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath(
            "//div[@id='fd-chat-offline-email-error' and normalize-space(text())!='']",
        ))
        .await
        .unwrap();
    assert_eq!(count(&desk, "conversations"), 0);

    let email = c.find(Locator::Id("fd-chat-offline-email")).await.unwrap();
    email.clear().await.unwrap();
    email.send_keys("night.owl@example.com").await.unwrap();
    c.find(Locator::Id("fd-chat-offline-send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = c
        .wait()
        .for_element(Locator::XPath(
            "//p[@id='fd-chat-offline-done' and not(@hidden)]",
        ))
        .await
        .unwrap();
    assert!(done.text().await.unwrap().contains("night.owl@example.com"));

    let api = desk.api(&desk.agent);
    let ids = api.ids("channel=chat").await;
    assert_eq!(ids.len(), 1);
    let detail = api.ok(&format!("/conversations/{}", ids[0])).await;
    assert_eq!(detail["contact"]["email"], "night.owl@example.com");
    assert_eq!(
        detail["messages"][0]["body"],
        "Please call me back about order 42"
    );
    browser.close().await;
}

#[tokio::test]
async fn visitor_socket_resumes_with_its_token_and_never_sees_internal_notes() {
    let desk = Desk::start();
    let id = chat_channel(&desk, "Web").await;
    let (mut ws, welcome) = hello(&desk, id, None).await;
    let token = welcome["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("fdv_"), "{welcome}");
    assert_eq!(welcome["messages"], json!([]));

    say(
        &mut ws,
        json!({"type": "message", "text": "  where is my parcel?  "}),
    )
    .await;
    let echoed = frame(&mut ws).await;
    assert_eq!(echoed["type"], "message");
    assert_eq!(echoed["message"]["from"], "visitor");
    assert_eq!(echoed["message"]["text"], "where is my parcel?");

    let api = desk.api(&desk.agent);
    let ids = api.ids("channel=chat").await;
    assert_eq!(ids.len(), 1);
    let conversation = ids[0];
    let detail = api.ok(&format!("/conversations/{conversation}")).await;
    assert!(
        detail["contact"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Visitor ")
    );
    assert!(
        !detail.to_string().contains(&token[4..]),
        "the token itself is never stored or shown"
    );

    reply(&desk, conversation, "checking the warehouse log", true).await;
    reply(&desk, conversation, "It left this morning.", false).await;
    let pushed = frame(&mut ws).await;
    assert_eq!(pushed["message"]["from"], "agent");
    assert_eq!(pushed["message"]["name"], "Bo Agent");
    assert_eq!(pushed["message"]["text"], "It left this morning.");
    drop(ws);

    // The same token resumes the same chat, history first and without the note.
    let (mut again, welcome) = hello(&desk, id, Some(&token)).await;
    assert_eq!(welcome["token"], token.as_str());
    let texts: Vec<&str> = welcome["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["where is my parcel?", "It left this morning."]);
    say(&mut again, json!({"type": "message", "text": "thanks!"})).await;
    assert_eq!(frame(&mut again).await["message"]["text"], "thanks!");
    assert_eq!(api.ids("channel=chat").await, vec![conversation]);

    // A forged or foreign token starts a fresh, empty chat.
    let (_, stranger) = hello(&desk, id, Some("fdv_not-a-real-token")).await;
    assert_ne!(stranger["token"], token.as_str());
    assert_eq!(stranger["messages"], json!([]));
}

#[tokio::test]
async fn bad_visitor_frames_are_refused_and_store_nothing() {
    let desk = Desk::start();
    let id = chat_channel(&desk, "Web").await;
    let (mut ws, _) = hello(&desk, id, None).await;
    for (bad, code) in [
        (json!({"type": "message", "text": "   "}), "empty"),
        (
            json!({"type": "message", "text": "x".repeat(4001)}),
            "too_long",
        ),
        (json!({"type": "message"}), "bad_frame"),
        (json!({"type": "message", "text": 42}), "bad_frame"),
        (json!({"type": "shout", "text": "hi"}), "bad_frame"),
        (json!({"type": "hello", "token": null}), "bad_frame"),
    ] {
        say(&mut ws, bad.clone()).await;
        let answer = frame(&mut ws).await;
        assert_eq!(answer["type"], "error", "{bad}: {answer}");
        assert_eq!(answer["code"], code, "{bad}: {answer}");
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    ws.send(Message::Text("{not json".into())).await.unwrap();
    assert_eq!(frame(&mut ws).await["code"], "bad_frame");
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(frame(&mut ws).await["code"], "bad_frame");
    assert_eq!(count(&desk, "conversations"), 0);
    assert_eq!(count(&desk, "messages"), 0);

    // A burst passes, then the visitor is slowed down; what was refused is not stored.
    let mut stored = 0;
    let mut limited = false;
    for i in 0..12 {
        say(
            &mut ws,
            json!({"type": "message", "text": format!("spam {i}")}),
        )
        .await;
        let answer = frame(&mut ws).await;
        match answer["type"].as_str().unwrap() {
            "message" => stored += 1,
            "error" => {
                assert_eq!(answer["code"], "rate_limited", "{answer}");
                limited = true;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(limited, "twelve messages at once must hit the limit");
    assert!(stored >= 1);
    assert_eq!(count(&desk, "messages"), stored);

    // A socket that never says hello is closed with a reason.
    let mut silent = visitor(&desk, id).await;
    silent
        .send(Message::Text(r#"{"type":"message","text":"hi"}"#.into()))
        .await
        .unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(10), silent.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match closed {
        Message::Close(Some(f)) => assert!(f.reason.contains("hello"), "{f:?}"),
        other => panic!("expected a close frame, got {other:?}"),
    }
    assert_eq!(count(&desk, "messages"), stored);
}

#[tokio::test]
async fn unknown_wrong_kind_and_turned_off_channels_are_refused_and_store_nothing() {
    let desk = Desk::start();
    let (custom, _) = desk.custom_channel("Bridge").await;
    let id = chat_channel(&desk, "Web").await;
    let http = reqwest::Client::new();
    for missing in [9999, custom] {
        for path in ["widget.js", "config", "demo", "ws"] {
            let resp = http
                .get(format!("{}/chat/{missing}/{path}", desk.url))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "not_found");
        }
    }
    let resp = http
        .get(format!("{}/chat/{id}/ws", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UPGRADE_REQUIRED);

    // A live socket, then the channel is turned off: new chats and messages are refused.
    let (mut ws, _) = hello(&desk, id, None).await;
    turn_off(&desk, id);
    let resp = http
        .get(format!("{}/chat/{id}/config", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("turned off")
    );
    let ws_url = format!("{}/chat/{id}/ws", desk.url.replace("http://", "ws://"));
    match tokio_tungstenite::connect_async(ws_url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            assert_eq!(r.status(), StatusCode::CONFLICT)
        }
        other => panic!("expected 409, got {other:?}"),
    }
    let resp = http
        .post(format!("{}/chat/{id}/offline", desk.url))
        .json(&json!({"email": "a@example.com", "message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    say(&mut ws, json!({"type": "message", "text": "anyone?"})).await;
    let refused = frame(&mut ws).await;
    assert_eq!(refused["code"], "refused", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("turned off"));
    assert_eq!(count(&desk, "conversations"), 0);
    assert_eq!(count(&desk, "contacts"), 0);
}

#[tokio::test]
async fn offline_form_names_each_bad_field_and_stores_nothing() {
    let desk = Desk::start_with(&["--body-limit", "8192"]);
    let id = chat_channel(&desk, "Web").await;
    let http = reqwest::Client::new();
    let url = format!("{}/chat/{id}/offline", desk.url);
    let post = |body: Vec<u8>| {
        http.post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let resp = post(
        json!({"email": "nope", "message": " ", "name": "n".repeat(201)})
            .to_string()
            .into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_submission");
    let fields = body["error"]["fields"].as_object().unwrap();
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        ["email", "message", "name"]
    );
    let resp = post(b"{\"email\": ".to_vec()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = post(
        json!({"email": "a@example.com", "message": "hi", "extra": 1})
            .to_string()
            .into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = post(
        json!({"email": "a@example.com", "message": "x".repeat(4001)})
            .to_string()
            .into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = post(vec![b'a'; 10_000]).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&desk, "conversations"), 0);
    assert_eq!(count(&desk, "contacts"), 0);

    let resp = post(
        json!({"email": "ana@example.com", "name": "Ana", "message": "Call me"})
            .to_string()
            .into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body: Value = resp.json().await.unwrap();
    let conversation = body["conversation_id"].as_i64().unwrap();
    let detail = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{conversation}"))
        .await;
    assert_eq!(detail["contact"]["name"], "Ana");
    assert_eq!(detail["contact"]["email"], "ana@example.com");
    assert_eq!(detail["channel_kind"], "chat");
}

#[tokio::test]
async fn settings_are_validated_admin_only_and_reach_the_public_config() {
    let desk = Desk::start();
    let id = chat_channel(&desk, "Web").await;
    let api = desk.api(&desk.agent);
    let defaults = api.ok(&format!("/channels/{id}/chat")).await;
    assert_eq!(defaults["position"], "right");
    assert_eq!(defaults["hours"], Value::Null);
    assert_eq!(defaults["widget_path"], format!("/chat/{id}/widget.js"));

    let good = json!({
        "color": "#0a7",
        "position": "left",
        "avatar_url": "https://cdn.example/bo.png",
        "greeting": "Olá!",
        "hours": {"utc_offset": "-03:00", "days": {"mon": ["09:00-12:00", "13:00-18:00"]}},
    });
    let (status, _) = put_settings(&desk, &desk.agent, id, good.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = put_settings(&desk, "fdk_nope", id, good.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (custom, _) = desk.custom_channel("Bridge").await;
    let (status, _) = put_settings(&desk, &desk.admin, custom, good.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for (bad, field) in [
        (json!({"color": "blue"}), "color"),
        (json!({"color": "#12"}), "color"),
        (json!({"position": "top"}), "`right` or `left`"),
        (json!({"avatar_url": "javascript:alert(1)"}), "avatar_url"),
        (json!({"greeting": "g".repeat(501)}), "greeting"),
        (json!({"hours": {"utc_offset": "+25:00"}}), "utc_offset"),
        (
            json!({"hours": {"utc_offset": "+01:00", "days": {"mon": ["18:00-09:00"]}}}),
            "mon",
        ),
        (
            json!({"hours": {"utc_offset": "+01:00", "days": {"someday": []}}}),
            "someday",
        ),
        (json!({"colour": "#fff"}), "colour"),
        (
            json!({"allowed_origins": ["shop.example"]}),
            "allowed_origins",
        ),
    ] {
        let (status, body) = put_settings(&desk, &desk.admin, id, bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{bad}: {message}");
    }
    assert_eq!(api.ok(&format!("/channels/{id}/chat")).await, defaults);

    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;
    let (status, body) = put_settings(&desk, &desk.admin, id, good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(events.until("channel.updated").await["channel"]["id"], id);
    let config: Value = reqwest::get(format!("{}/chat/{id}/config", desk.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["color"], "#0a7");
    assert_eq!(config["position"], "left");
    assert_eq!(config["avatar_url"], "https://cdn.example/bo.png");
    assert_eq!(config["greeting"], "Olá!");
    assert!(config["online"].is_boolean());
    assert_eq!(config["name"], "Web");
}

#[tokio::test]
async fn widget_works_from_other_sites_unless_the_admin_lists_origins() {
    let desk = Desk::start();
    let id = chat_channel(&desk, "Web").await;
    let http = reqwest::Client::new();
    let config = |origin: &'static str| {
        http.get(format!("{}/chat/{id}/config", desk.url))
            .header("origin", origin)
            .send()
    };
    let resp = config("https://shop.example").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let preflight = http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/chat/{id}/offline", desk.url),
        )
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert!(
        preflight.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert_eq!(
        preflight.headers()["access-control-allow-headers"],
        "content-type"
    );
    let script = http
        .get(format!("{}/chat/{id}/widget.js", desk.url))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let source = script.text().await.unwrap();
    assert!(
        !source.contains("innerHTML"),
        "remote text goes in as textContent only"
    );

    let (status, body) = put_settings(
        &desk,
        &desk.admin,
        id,
        json!({"allowed_origins": ["https://shop.example"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        config("https://shop.example").await.unwrap().status(),
        StatusCode::OK
    );
    let refused = config("https://evil.example").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "origin_not_allowed");
}

#[tokio::test]
async fn every_tab_of_a_visitor_follows_the_chat_from_its_first_message() {
    let desk = Desk::start();
    let id = chat_channel(&desk, "Web").await;
    let (mut first, welcome) = hello(&desk, id, None).await;
    let token = welcome["token"].as_str().unwrap().to_string();
    let (mut second, _) = hello(&desk, id, Some(&token)).await;
    // Another visitor on the same channel must not leak into this chat.
    let (mut other, _) = hello(&desk, id, None).await;
    say(
        &mut other,
        json!({"type": "message", "text": "someone else"}),
    )
    .await;
    assert_eq!(frame(&mut other).await["message"]["text"], "someone else");

    say(
        &mut first,
        json!({"type": "message", "text": "from tab one"}),
    )
    .await;
    assert_eq!(frame(&mut first).await["message"]["text"], "from tab one");
    assert_eq!(frame(&mut second).await["message"]["text"], "from tab one");
    say(
        &mut second,
        json!({"type": "message", "text": "from tab two"}),
    )
    .await;
    assert_eq!(frame(&mut first).await["message"]["text"], "from tab two");
    assert_eq!(frame(&mut second).await["message"]["text"], "from tab two");

    let api = desk.api(&desk.agent);
    let ids = api.ids("channel=chat").await;
    assert_eq!(ids.len(), 2, "one conversation per visitor");
    let mine = api.ok(&format!("/conversations/{}", ids[0])).await;
    let bodies: Vec<&str> = mine["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["from tab one", "from tab two"]);
    reply(&desk, ids[0], "both tabs see this", false).await;
    assert_eq!(
        frame(&mut first).await["message"]["text"],
        "both tabs see this"
    );
    assert_eq!(
        frame(&mut second).await["message"]["text"],
        "both tabs see this"
    );
    // The other visitor got nothing of it: their next frame is their own message.
    say(&mut other, json!({"type": "message", "text": "still me"})).await;
    assert_eq!(frame(&mut other).await["message"]["text"], "still me");
}

#[tokio::test]
async fn the_widget_reconnects_by_itself_when_the_server_comes_back() {
    let mut desk = Desk::start();
    let id = chat_channel(&desk, "Web").await;
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/chat/{id}/demo", desk.url))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("fd-chat-launcher"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("fd-chat-input"))
        .await
        .unwrap()
        .send_keys("before the restart\u{E007}")
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(".fd-chat-msg-visitor[data-id]"))
        .await
        .unwrap();

    desk.kill9();
    desk.spawn_same_port();
    let conversation = desk.api(&desk.agent).ids("channel=chat").await[0];
    reply(&desk, conversation, "after the restart", false).await;
    let answer = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(
            "//div[contains(@class,'fd-chat-msg-agent') and @data-id]//div[@class='fd-chat-text']",
        ))
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "after the restart");
    // The page was never reloaded: the visitor's first message is still the only one of theirs.
    let mine = c
        .find_all(Locator::Css(".fd-chat-msg-visitor"))
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    browser.close().await;
}

#[tokio::test]
async fn a_visitor_may_leave_an_email_but_never_take_over_one_on_record() {
    let desk = Desk::start();
    let id = chat_channel(&desk, "Web").await;
    let api = desk.api(&desk.agent);

    // Before the first message: the email and name go on the contact that message creates.
    let (mut ws, _) = hello(&desk, id, None).await;
    for (bad, code) in [
        (
            json!({"type": "identify", "email": "nope"}),
            "invalid_email",
        ),
        (
            json!({"type": "identify", "email": "a@example.com", "name": "n".repeat(201)}),
            "too_long",
        ),
        (json!({"type": "identify"}), "bad_frame"),
    ] {
        say(&mut ws, bad.clone()).await;
        assert_eq!(frame(&mut ws).await["code"], code, "{bad}");
    }
    say(
        &mut ws,
        json!({"type": "identify", "email": " lia@example.com ", "name": "Lia"}),
    )
    .await;
    let ok = frame(&mut ws).await;
    assert_eq!(
        ok,
        json!({"type": "identified", "email": "lia@example.com"})
    );
    assert_eq!(
        count(&desk, "contacts"),
        0,
        "nothing stored before a message"
    );
    say(&mut ws, json!({"type": "message", "text": "hello"})).await;
    frame(&mut ws).await;
    let conversation = api.ids("channel=chat").await[0];
    let detail = api.ok(&format!("/conversations/{conversation}")).await;
    assert_eq!(detail["contact"]["email"], "lia@example.com");
    assert_eq!(detail["contact"]["name"], "Lia");

    // The same address again is fine; another one never replaces it.
    say(
        &mut ws,
        json!({"type": "identify", "email": "LIA@example.com"}),
    )
    .await;
    assert_eq!(frame(&mut ws).await["type"], "identified");
    say(
        &mut ws,
        json!({"type": "identify", "email": "mallory@example.com"}),
    )
    .await;
    let refused = frame(&mut ws).await;
    assert_eq!(refused["code"], "already_identified", "{refused}");
    let detail = api.ok(&format!("/conversations/{conversation}")).await;
    assert_eq!(detail["contact"]["email"], "lia@example.com");

    // After the first message: an anonymous contact gets the address.
    let (mut anon, _) = hello(&desk, id, None).await;
    say(&mut anon, json!({"type": "message", "text": "hi"})).await;
    frame(&mut anon).await;
    say(
        &mut anon,
        json!({"type": "identify", "email": "max@example.com"}),
    )
    .await;
    assert_eq!(frame(&mut anon).await["type"], "identified");
    let newest = api.ids("channel=chat").await[0];
    let detail = api.ok(&format!("/conversations/{newest}")).await;
    assert_eq!(detail["contact"]["email"], "max@example.com");
    assert!(
        detail["contact"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Visitor ")
    );
}
