//! `frontdesk demo`'s desk, started as the command starts it (without the terminal client):
//! every seeded channel has a far side on loopback, so a reply goes out, is delivered and
//! read, and customers answer; and no seeded desk points anywhere off the machine.

mod common;

use common::{Api, Events};
use frontdesk::demo::DemoOptions;
use frontdesk::embedded::{Embedded, demo};
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Conversations seeded in these tests.
const SEEDED: i64 = 400;
/// How long a reply may take to be read, or answered, on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(120);

async fn start(answer_chance: f64) -> (Embedded, Api) {
    let desk = demo(DemoOptions {
        conversations: SEEDED as u64,
        seed: 7,
        answer_chance,
        pace: Duration::from_millis(50),
    })
    .await
    .unwrap();
    let api = Api {
        base: format!("{}/api/v1", desk.base_url),
        token: desk.token.clone(),
        http: reqwest::Client::new(),
    };
    (desk, api)
}

async fn events(desk: &Embedded, since: i64) -> Events {
    let url = format!(
        "{}/api/v1/events?token={}&since={since}",
        desk.base_url.replace("http://", "ws://"),
        desk.token
    );
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    Events { ws }
}

/// The next event, within what is left of `DEADLINE` from `started`.
async fn next_event(events: &mut Events, started: tokio::time::Instant) -> Value {
    loop {
        let frame = tokio::time::timeout_at(started + DEADLINE, events.ws.next())
            .await
            .expect("the awaited events within the deadline")
            .expect("stream open")
            .expect("frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// Ids of the channels of each kind.
async fn channels(api: &Api) -> HashMap<String, Vec<i64>> {
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    for c in api.ok("/channels").await.as_array().unwrap() {
        out.entry(c["kind"].as_str().unwrap().to_string())
            .or_default()
            .push(c["id"].as_i64().unwrap());
    }
    out
}

/// A seeded conversation of `kind` a reply can reach now: with a reply window open
/// (Messenger, WhatsApp) and a contact with an address (form and call replies go by mail).
async fn reachable(api: &Api, kind: &str) -> i64 {
    let list = api
        .ok(&format!("/conversations?channel={kind}&limit=500"))
        .await;
    for c in list["items"].as_array().unwrap() {
        let id = c["id"].as_i64().unwrap();
        if id > SEEDED {
            continue;
        }
        if matches!(kind, "messenger" | "whatsapp") {
            let window = api.ok(&format!("/conversations/{id}/window")).await;
            if !matches!(window["state"].as_str(), Some("open" | "human_agent")) {
                continue;
            }
        }
        if matches!(kind, "form" | "call") {
            let detail = api.ok(&format!("/conversations/{id}")).await;
            if detail["contact"]["email"].is_null() {
                continue;
            }
        }
        return id;
    }
    panic!("no seeded {kind} conversation to reply to");
}

/// Replies on one conversation of every channel kind; form and call replies go by mail, as
/// their channels send nothing themselves. Answers (conversation, reply id) by kind.
async fn reply_everywhere(api: &Api) -> Vec<(String, i64, i64)> {
    let channels = channels(api).await;
    let email = channels["email"][0];
    let mut replies = Vec::new();
    for kind in [
        "email",
        "chat",
        "form",
        "messenger",
        "whatsapp",
        "call",
        "custom",
    ] {
        let conversation = reachable(api, kind).await;
        let mut body = json!({"body": format!("A reply on {kind}"), "internal": false,
                              "client_id": format!("demo-test-{kind}")});
        if matches!(kind, "form" | "call") {
            body["channel_id"] = json!(email);
        }
        let (status, message) = api
            .post(&format!("/conversations/{conversation}/messages"), body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {message}");
        replies.push((
            kind.to_string(),
            conversation,
            message["id"].as_i64().unwrap(),
        ));
    }
    replies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_on_every_seeded_channel_kind_are_delivered_and_read() {
    let (desk, api) = start(0.0).await;
    let since = api.seq().await;
    let mut stream = events(&desk, since).await;
    let replies = reply_everywhere(&api).await;
    let mut unread: HashMap<i64, String> = replies
        .iter()
        .map(|(kind, _, id)| (*id, kind.clone()))
        .collect();
    let mut seen: HashMap<i64, Vec<String>> = HashMap::new();
    let started = tokio::time::Instant::now();
    while !unread.is_empty() {
        let event = next_event(&mut stream, started).await;
        let message = &event["message"];
        let Some(kind) = message["id"].as_i64().and_then(|id| unread.get(&id)) else {
            continue;
        };
        let delivery = &message["delivery"];
        assert!(
            delivery["status"] != "failed" && delivery["error"].is_null(),
            "the {kind} reply did not go out: {delivery}"
        );
        let status = delivery["status"].as_str().unwrap().to_string();
        let id = message["id"].as_i64().unwrap();
        seen.entry(id).or_default().push(status.clone());
        if status == "read" {
            unread.remove(&id);
        }
    }
    for (kind, conversation, id) in &replies {
        let shown = api.message(*conversation, *id).await;
        assert_eq!(shown["delivery"]["status"], "read", "{kind}: {shown}");
        let steps = &seen[id];
        assert!(
            steps.iter().any(|s| s == "delivered"),
            "{kind} went {steps:?}"
        );
    }
    desk.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_answer_replies_on_the_channel_they_came_through() {
    let (desk, api) = start(1.0).await;
    let since = api.seq().await;
    let mut stream = events(&desk, since).await;
    let replies = reply_everywhere(&api).await;
    let mut waiting: HashMap<i64, (String, i64)> = replies
        .into_iter()
        .map(|(kind, conversation, id)| (conversation, (kind, id)))
        .collect();
    let started = tokio::time::Instant::now();
    while !waiting.is_empty() {
        let event = next_event(&mut stream, started).await;
        if event["type"] != "message.created" || event["message"]["kind"] != "inbound" {
            continue;
        }
        let conversation = event["conversation_id"].as_i64().unwrap();
        if let Some((kind, reply)) = waiting.get(&conversation)
            && event["message"]["id"].as_i64().unwrap() > *reply
        {
            let body = event["message"]["body"].as_str().unwrap();
            assert!(!body.trim().is_empty(), "{kind}: an empty answer");
            waiting.remove(&conversation);
        }
    }
    desk.stop().await.unwrap();
}

/// Every `host:port` of a URL, and every relay, in the channel settings, webhooks, Graph and
/// email settings and attachments of the desk behind `conn`.
fn far_sides(conn: &rusqlite::Connection) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for sql in [
        "SELECT coalesce(webhook_url, '') || ' ' || coalesce(settings, '') FROM channels",
        "SELECT base_url FROM graph_channels",
        "SELECT settings FROM email_settings",
        "SELECT url FROM attachments",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        texts.extend(rows.map(Result::unwrap));
    }
    let mut hosts = Vec::new();
    for text in &texts {
        for (at, _) in text.match_indices("://") {
            let rest = &text[at + 3..];
            let end = rest.find(['/', '"', ' ', '?']).unwrap_or(rest.len());
            hosts.push(rest[..end].to_string());
        }
        if let Ok(Value::Object(settings)) = serde_json::from_str::<Value>(text)
            && let Some(relay) = settings.get("relay")
        {
            hosts.push(format!(
                "{}:{}",
                relay["host"].as_str().unwrap(),
                relay["port"]
            ));
        }
    }
    hosts
}

fn loopback(authority: &str) -> bool {
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

#[test]
fn a_seeded_desk_points_at_nothing_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    common::run_ok(&[
        "seed",
        "--data",
        dir.path().to_str().unwrap(),
        "--conversations",
        "300",
    ]);
    let conn = rusqlite::Connection::open(dir.path().join("frontdesk.db")).unwrap();
    let hosts = far_sides(&conn);
    assert!(
        !hosts.is_empty(),
        "the seeded attachments name where they are"
    );
    let outside: Vec<&String> = hosts.iter().filter(|h| !loopback(h)).collect();
    assert!(
        outside.is_empty(),
        "seeded far sides off the machine: {outside:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_webhook_receiver_refuses_what_the_desk_did_not_sign() {
    let (desk, _) = start(0.0).await;
    let channels = desk.server.store().channels().await.unwrap();
    let custom = channels
        .iter()
        .find(|c| c.channel.webhook_url.is_some())
        .expect("a custom channel with a webhook");
    let url = custom.channel.webhook_url.clone().unwrap();
    let body = br#"{"type":"message.created"}"#.to_vec();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let http = reqwest::Client::new();
    let post = |timestamp: i64, secret: &str| {
        http.post(&url)
            .header("x-frontdesk-timestamp", timestamp.to_string())
            .header(
                "x-frontdesk-signature",
                frontdesk::server::channels::custom::webhook::signature(secret, timestamp, &body),
            )
            .body(body.clone())
            .send()
    };
    let status = |r: reqwest::Result<reqwest::Response>| r.unwrap().status();
    assert_eq!(status(post(now, &custom.secret).await), StatusCode::OK);
    assert_eq!(
        status(post(now, "not the secret").await),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(post(now - 3600, &custom.secret).await),
        StatusCode::UNAUTHORIZED,
        "an hour-old signature is a replay"
    );
    let unsigned = http.post(&url).body(body.clone()).send().await;
    assert_eq!(status(unsigned), StatusCode::UNAUTHORIZED);
    desk.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_desk_points_every_channel_at_loopback_and_stops_them_with_it() {
    let (desk, _) = start(0.0).await;
    let (hosts, unconnected) = desk
        .server
        .store()
        .read(|c| {
            let count = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
            let unconnected = [
                count(
                    "SELECT count(*) FROM channels WHERE kind = 'custom' AND webhook_url IS NULL",
                ),
                2 - count("SELECT count(*) FROM graph_channels"),
                1 - count(
                    "SELECT count(*) FROM email_settings WHERE settings LIKE '%\"relay\":{%'",
                ),
            ];
            Ok((far_sides(c), unconnected))
        })
        .await
        .unwrap();
    assert_eq!(
        unconnected,
        [0, 0, 0],
        "custom channels without a webhook, Graph channels without settings, an email channel without relay"
    );
    let outside: Vec<&String> = hosts.iter().filter(|h| !loopback(h)).collect();
    assert!(
        outside.is_empty(),
        "demo far sides off the machine: {outside:?}"
    );
    let listening = |a: &String| std::net::TcpStream::connect(a).is_ok();
    assert!(
        hosts.iter().filter(|a| !a.ends_with(":9")).all(listening),
        "the far sides listen while the demo runs: {hosts:?}"
    );
    desk.stop().await.unwrap();
    let open: Vec<&String> = hosts.iter().filter(|a| listening(a)).collect();
    assert!(
        open.is_empty(),
        "far sides still listening after the demo stopped: {open:?}"
    );
}
