//! Per-address limits of the anonymous chat and web forms, against the real server: new
//! chats, offline messages and form submissions are refused past their limit with a clear
//! answer that stores nothing, a visitor whose chat exists keeps chatting, and
//! `X-Forwarded-For` names the client only with `--trust-proxy`.

mod common;

use common::Desk;
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// New chats one address may start in the window.
const NEW_CHATS: usize = 20;
/// Offline messages one address may send in the window.
const OFFLINE: usize = 10;
/// Form submissions one address may send in the window.
const SUBMISSIONS: usize = 20;

async fn channel(desk: &Desk, kind: &str) -> i64 {
    let (status, body) = desk
        .api(&desk.admin)
        .post(
            "/channels",
            json!({"kind": kind, "name": format!("{kind} one")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

fn count(desk: &Desk, table: &str) -> i64 {
    let db = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// A visitor socket, as the client at `address` when given (`X-Forwarded-For`).
async fn visitor(desk: &Desk, id: i64, address: Option<&str>) -> Socket {
    let url = format!("{}/chat/{id}/ws", desk.url.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    if let Some(a) = address {
        request
            .headers_mut()
            .insert("x-forwarded-for", a.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .expect("connect")
        .0
}

/// The next text frame, or the close frame's code when the server closes.
async fn next(ws: &mut Socket) -> Result<Value, u16> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s");
        match msg {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t).unwrap()),
            Some(Ok(Message::Close(f))) => return Err(f.map_or(0, |f| f.code.into())),
            Some(Ok(_)) => continue,
            other => panic!("socket ended without a close frame: {other:?}"),
        }
    }
}

async fn say(ws: &mut Socket, value: Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

/// Says hello with `token`; answers the socket and the first answer.
async fn hello(
    desk: &Desk,
    id: i64,
    token: Option<&str>,
    address: Option<&str>,
) -> (Socket, Value) {
    let mut ws = visitor(desk, id, address).await;
    say(&mut ws, json!({"type": "hello", "token": token})).await;
    let first = next(&mut ws).await.expect("an answer to hello");
    (ws, first)
}

/// A refusal of a new chat: `rate_limited`, with how long to wait.
fn assert_rate_limited(frame: &Value) {
    assert_eq!(frame["type"], "error", "{frame}");
    assert_eq!(frame["code"], "rate_limited", "{frame}");
    let wait = frame["retry_after"].as_u64().expect("retry_after");
    assert!(wait > 0 && wait <= 600, "{frame}");
}

#[tokio::test]
async fn new_chats_are_limited_per_address_and_a_visitor_whose_chat_exists_keeps_chatting() {
    let desk = Desk::start();
    let id = channel(&desk, "chat").await;
    // One visitor opens a chat (one new chat for the address).
    let (mut ana, welcome) = hello(&desk, id, None, None).await;
    let token = welcome["token"].as_str().unwrap().to_string();
    say(&mut ana, json!({"type": "message", "text": "hello"})).await;
    assert_eq!(next(&mut ana).await.unwrap()["type"], "message");
    drop(ana);
    for _ in 1..NEW_CHATS {
        let (_, welcome) = hello(&desk, id, None, None).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
    }
    let conversations = count(&desk, "conversations");
    // The next new visitor is refused and the socket closed; a claimed address in
    // X-Forwarded-For changes nothing without --trust-proxy.
    for claimed in [None, Some("198.51.100.1")] {
        let (mut ws, refusal) = hello(&desk, id, None, claimed).await;
        assert_rate_limited(&refusal);
        assert_eq!(next(&mut ws).await, Err(4429));
    }
    // A token the server did not hand out opens no chat either: its first message is refused.
    let forged = format!("fdv_{}", "A".repeat(43));
    let (mut stranger, welcome) = hello(&desk, id, Some(&forged), None).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    say(&mut stranger, json!({"type": "message", "text": "spam"})).await;
    assert_rate_limited(&next(&mut stranger).await.unwrap());
    assert_eq!(
        count(&desk, "conversations"),
        conversations,
        "nothing stored"
    );
    // The visitor whose chat exists comes back and keeps chatting.
    let (mut ana, welcome) = hello(&desk, id, Some(&token), None).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    assert_eq!(welcome["messages"][0]["text"], "hello");
    say(&mut ana, json!({"type": "message", "text": "still here"})).await;
    let echo = next(&mut ana).await.unwrap();
    assert_eq!(echo["message"]["text"], "still here", "{echo}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_chat_budget() {
    let desk = Desk::start_with(&["--trust-proxy"]);
    let id = channel(&desk, "chat").await;
    for _ in 0..NEW_CHATS {
        let (_, welcome) = hello(&desk, id, None, Some("203.0.113.1")).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
    }
    let (_, refusal) = hello(&desk, id, None, Some("203.0.113.1")).await;
    assert_rate_limited(&refusal);
    let (_, welcome) = hello(&desk, id, None, Some("203.0.113.2")).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
}

/// Posts JSON as the client at `address`; answers status, `Retry-After` and body.
async fn post_json(
    desk: &Desk,
    path: &str,
    body: &Value,
    address: &str,
) -> (StatusCode, Option<String>, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", desk.url))
        .header("x-forwarded-for", address)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, resp.json().await.unwrap_or(Value::Null))
}

/// A 429 in the API's error shape, with `Retry-After`.
fn assert_limited(answer: &(StatusCode, Option<String>, Value)) {
    let (status, retry, body) = answer;
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("wait"));
    let seconds: u64 = retry.as_deref().expect("Retry-After").parse().unwrap();
    assert!(seconds > 0 && seconds <= 600, "{seconds}");
}

#[tokio::test]
async fn offline_messages_are_limited_per_address() {
    let desk = Desk::start_with(&["--trust-proxy"]);
    let id = channel(&desk, "chat").await;
    let path = format!("/chat/{id}/offline");
    // Different e-mails each time: the limit is the address's, whatever the e-mail.
    let message = |i: usize| json!({"email": format!("v{i}@example.com"), "message": "call me"});
    for i in 0..OFFLINE {
        let (status, _, body) = post_json(&desk, &path, &message(i), "203.0.113.7").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let before = count(&desk, "conversations");
    assert_limited(&post_json(&desk, &path, &message(99), "203.0.113.7").await);
    assert_eq!(count(&desk, "conversations"), before, "nothing stored");
    let (status, _, body) = post_json(&desk, &path, &message(100), "203.0.113.8").await;
    assert_eq!(status, StatusCode::CREATED, "another address: {body}");
}

#[tokio::test]
async fn form_submissions_are_limited_per_address_in_json_and_in_html() {
    let desk = Desk::start_with(&["--trust-proxy"]);
    let channel_id = channel(&desk, "form").await;
    let definition = json!({
        "channel_id": channel_id,
        "name": "Contact",
        "fields": [
            {"name": "email", "label": "Email", "type": "email", "required": true, "maps_to": "contact_email"},
            {"name": "message", "label": "Message", "type": "textarea", "required": true, "maps_to": "body"}
        ]
    });
    let (status, form) = desk.api(&desk.admin).post("/forms", definition).await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    let path = format!("/forms/{}", form["id"]);
    let answers = json!({"email": "ana@example.com", "message": "hello"});
    for _ in 0..SUBMISSIONS {
        let (status, _, body) = post_json(&desk, &path, &answers, "203.0.113.9").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let before = count(&desk, "form_submissions");
    assert_limited(&post_json(&desk, &path, &answers, "203.0.113.9").await);
    // A browser's post gets a page saying how long to wait.
    let page = reqwest::Client::new()
        .post(format!("{}{path}", desk.url))
        .header("x-forwarded-for", "203.0.113.9")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=ana%40example.com&message=hello")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("Wait"));
    assert_eq!(count(&desk, "form_submissions"), before, "nothing stored");
    let (status, _, body) = post_json(&desk, &path, &answers, "203.0.113.10").await;
    assert_eq!(status, StatusCode::CREATED, "another address: {body}");
}
