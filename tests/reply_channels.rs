//! Reply channels from outside: which channels reach a contact now (a chat visitor only by
//! their chat, a mailing contact by mail), the 422 `unreachable` refusal that stores nothing,
//! and an agent's file reaching the chat visitor as a signed link.

mod common;

use common::{Api, Desk};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn channel(desk: &Desk, kind: &str, name: &str) -> i64 {
    let (status, body) = desk
        .api(&desk.admin)
        .post("/channels", json!({"kind": kind, "name": name}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// The next JSON frame of a visitor socket.
async fn frame(ws: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// A chat visitor writes in on `chat`; answers their socket and the conversation.
async fn chat_visitor(desk: &Desk, chat: i64) -> (Socket, i64) {
    let url = format!("{}/chat/{chat}/ws", desk.url.replace("http://", "ws://"));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ws.send(Message::Text(
        json!({"type": "hello", "token": null}).to_string().into(),
    ))
    .await
    .unwrap();
    assert_eq!(frame(&mut ws).await["type"], "welcome");
    ws.send(Message::Text(
        json!({"type": "message", "text": "hello?"})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let echoed = frame(&mut ws).await;
    assert_eq!(echoed["message"]["from"], "visitor", "{echoed}");
    let ids = desk.api(&desk.agent).ids("channel=chat").await;
    (ws, ids[0])
}

/// Eve mails in on `email` about "Invoice"; answers the conversation.
async fn mailed_in(desk: &Desk, email: i64) -> i64 {
    let raw = "From: Eve <eve@client.example>\r\nTo: support@acme.example\r\nSubject: Invoice\r\n\
               Message-ID: <m1@client.example>\r\n\r\nwhere is my invoice?\r\n";
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/channels/{email}/email/messages",
            desk.url
        ))
        .bearer_auth(&desk.admin)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.json::<Value>().await.unwrap()["conversation_id"]
        .as_i64()
        .unwrap()
}

/// The listed item of `channel`.
fn item(list: &Value, channel: i64) -> Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["channel_id"] == channel)
        .cloned()
        .unwrap_or_else(|| panic!("channel {channel} not in {list}"))
}

async fn count(api: &Api, conversation: i64) -> usize {
    api.ok(&format!("/conversations/{conversation}/messages"))
        .await["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_chat_visitor_is_reached_only_by_their_chat_and_a_mailing_contact_by_mail() {
    let desk = Desk::start();
    let chat = channel(&desk, "chat", "Web").await;
    let email = channel(&desk, "email", "Mail").await;
    let phone = channel(&desk, "call", "Phone line").await;
    let bridge = channel(&desk, "custom", "Bridge").await;
    let (mut ws, visitor) = chat_visitor(&desk, chat).await;
    let api = desk.api(&desk.agent);

    let list = api
        .ok(&format!("/conversations/{visitor}/reply-channels"))
        .await;
    assert_eq!(list["conversation_id"], visitor);
    let web = item(&list, chat);
    assert_eq!(
        (web["current"].as_bool(), web["reachable"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(web["kind"], "chat");
    assert_eq!(web["files"]["attachments"], true);
    for (id, why) in [
        (email, "no e-mail address"),
        (phone, "sends nothing"),
        (bridge, "no identity"),
    ] {
        let it = item(&list, id);
        assert_eq!(
            (it["current"].as_bool(), it["reachable"].as_bool()),
            (Some(false), Some(false)),
            "{it}"
        );
        assert!(it["reason"].as_str().unwrap().contains(why), "{it}");
    }
    assert_eq!(item(&list, phone)["files"]["attachments"], false);
    assert!(
        item(&list, email)["email"]["to"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A reply on a channel that cannot reach the visitor is refused and stores nothing.
    let before = count(&api, visitor).await;
    for (id, why) in [(phone, "sends nothing"), (email, "no e-mail address")] {
        let (status, body) = api
            .post(
                &format!("/conversations/{visitor}/messages"),
                json!({"body": "hi", "client_id": format!("on-{id}"), "channel_id": id}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "unreachable");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(why),
            "{body}"
        );
    }
    assert_eq!(count(&api, visitor).await, before);

    // On the chat a file reaches the visitor as a link their browser can fetch.
    let resp = api
        .http
        .post(format!("{}/files?name=map.png", api.base))
        .bearer_auth(&api.token)
        .body(vec![7u8; 300])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let file: Value = resp.json().await.unwrap();
    let (status, body) = api
        .post(
            &format!("/conversations/{visitor}/messages"),
            json!({"body": "Here is the map.", "client_id": "chat-1", "attachments": [file]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let got = frame(&mut ws).await;
    assert_eq!(got["message"]["text"], "Here is the map.", "{got}");
    let link = got["message"]["files"][0]["url"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/files/{chat}/", desk.url)),
        "{link}"
    );
    let fetched = reqwest::get(link).await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), vec![7u8; 300]);

    // A contact who mailed in is reached by mail, not by the chat.
    let mailed = mailed_in(&desk, email).await;
    let list = api
        .ok(&format!("/conversations/{mailed}/reply-channels"))
        .await;
    let mail = item(&list, email);
    assert_eq!(
        (mail["current"].as_bool(), mail["reachable"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(mail["recipient"], "eve@client.example");
    assert_eq!(
        mail["email"],
        json!({"to": ["eve@client.example"], "cc": [], "bcc": [], "subject": "Re: Invoice"})
    );
    assert_eq!(item(&list, chat)["reachable"], false);
}

#[tokio::test]
async fn a_turned_off_channel_is_listed_with_its_reason_keeps_its_409_and_retries_still_answer() {
    let desk = Desk::start();
    let email = channel(&desk, "email", "Mail").await;
    let mailed = mailed_in(&desk, email).await;
    let first = json!({"body": "on it", "client_id": "before-off"});
    let path = format!("/conversations/{mailed}/messages");
    let (status, stored) = desk.api(&desk.agent).post(&path, first.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let (status, body) = desk
        .api(&desk.admin)
        .patch(&format!("/channels/{email}"), json!({"enabled": false}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let api = desk.api(&desk.agent);
    let list = api
        .ok(&format!("/conversations/{mailed}/reply-channels"))
        .await;
    let mail = item(&list, email);
    assert_eq!(mail["reachable"], false);
    assert!(
        mail["reason"].as_str().unwrap().contains("turned off"),
        "{mail}"
    );
    let (status, body) = api
        .post(
            &format!("/conversations/{mailed}/messages"),
            json!({"body": "hi", "client_id": "off-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A retry of the reply stored before answers it, as retries always do.
    let (status, again) = api.post(&path, first).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &stored["id"]));
}
