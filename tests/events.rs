//! The resumable event stream: replay then live, resume, slow clients, heartbeats.

mod common;

use common::{Desk, customer};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["seq"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn replays_everything_after_since_in_order_then_streams_live() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    for i in 0..3 {
        desk.inbound(ch, &secret, &customer(&format!("t{i}"), "u", "hi"))
            .await;
    }
    let head = desk.api(&desk.agent).seq().await;
    let mut events = desk.events(&desk.agent, Some(0)).await;
    let replayed = events.take(head as usize).await;
    assert_eq!(seqs(&replayed), (1..=head).collect::<Vec<_>>());
    let types: Vec<&str> = replayed
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"conversation.created") && types.contains(&"message.created"),
        "{types:?}"
    );

    let (_, r) = desk
        .inbound(ch, &secret, &customer("t0", "u", "live one"))
        .await;
    let live = events.until("message.created").await;
    assert!(live["seq"].as_i64().unwrap() > head);
    assert_eq!(live["message"]["body"], "live one");
    assert_eq!(live["conversation_id"], r["conversation_id"]);
    // The event carries the conversation as it is after the message.
    assert_eq!(live["conversation"]["preview"], "live one");
    assert_eq!(live["conversation"]["message_count"], 2);
    let (_, r) = desk
        .inbound(ch, &secret, &customer("t9", "u", "a new thread"))
        .await;
    let created = events.next().await;
    assert_eq!(created["type"], "conversation.created");
    assert_eq!(
        created["seq"].as_i64().unwrap(),
        live["seq"].as_i64().unwrap() + 1
    );
    assert_eq!(created["conversation"]["id"], r["conversation_id"]);
    assert_eq!(events.next().await["type"], "message.created");
}

#[tokio::test]
async fn without_since_the_stream_starts_at_the_head() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    desk.inbound(ch, &secret, &customer("old", "u", "old news"))
        .await;
    let head = desk.api(&desk.agent).seq().await;
    // The stream's start is fixed when the handshake is answered; whatever is committed later
    // reaches it, replayed or live.
    let mut events = desk.events(&desk.agent, None).await;
    desk.inbound(ch, &secret, &customer("new", "u", "fresh"))
        .await;
    let first = events.next().await;
    assert_eq!(first["seq"].as_i64().unwrap(), head + 1);
}

#[tokio::test]
async fn a_client_that_reconnects_with_its_last_seq_gets_exactly_what_it_missed() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    desk.inbound(ch, &secret, &customer("t", "u", "before"))
        .await;
    let mut events = desk.events(&desk.agent, Some(0)).await;
    let head = api.seq().await;
    let seen = events.take(head as usize).await;
    let last = seqs(&seen).last().copied().unwrap();
    drop(events);

    // While away: a reply, a patch, new customer messages.
    let conv = api.ids("").await[0];
    api.post(
        &format!("/conversations/{conv}/messages"),
        json!({"body": "reply", "client_id": "a"}),
    )
    .await;
    api.patch(
        &format!("/conversations/{conv}"),
        json!({"priority": "high"}),
    )
    .await;
    desk.inbound(ch, &secret, &customer("t", "u", "after 1"))
        .await;
    desk.inbound(ch, &secret, &customer("t2", "u", "after 2"))
        .await;
    let new_head = api.seq().await;

    let mut resumed = desk.events(&desk.agent, Some(last)).await;
    let missed = resumed.take((new_head - last) as usize).await;
    assert_eq!(seqs(&missed), ((last + 1)..=new_head).collect::<Vec<_>>());
    let bodies: Vec<&str> = missed
        .iter()
        .filter(|e| e["type"] == "message.created")
        .map(|e| e["message"]["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, vec!["reply", "after 1", "after 2"]);
    let updates: Vec<&Value> = missed
        .iter()
        .filter(|e| e["type"] == "conversation.updated")
        .collect();
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["changes"], json!(["priority"]));
    assert_eq!(updates[0]["conversation"]["priority"], "high");
    // Frames are the same as a fresh replay of the same range.
    let mut fresh = desk.events(&desk.agent, Some(last)).await;
    assert_eq!(fresh.take(missed.len()).await, missed);
    // Nothing is sent twice: the next frame is the next change.
    desk.inbound(ch, &secret, &customer("t3", "u", "later"))
        .await;
    assert_eq!(resumed.next().await["seq"].as_i64().unwrap(), new_head + 1);
}

/// Waits (30 s at most) until the server's end of the TCP connection to the client at
/// `client` is no longer established (Linux: its state in `/proc/net/tcp`), even while the
/// client has not read what is queued for it.
async fn server_side_closed(client: std::net::SocketAddr) {
    let remote = format!("0100007F:{:04X}", client.port());
    for _ in 0..1200 {
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let established = table.lines().skip(1).any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields[2] == remote && fields[3] == "01"
        });
        if !established {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server never gave up on the stalled client");
}

/// Reads frames until the stream ends; returns the events' seqs and the close frame, if any.
async fn drain(ws: &mut common::Events) -> (Vec<i64>, Option<(CloseCode, String)>) {
    let mut got = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                let e: Value = serde_json::from_str(&t).unwrap();
                got.push(e["seq"].as_i64().unwrap());
            }
            Ok(Some(Ok(Message::Close(f)))) => {
                return (got, f.map(|f| (f.code, f.reason.to_string())));
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_))) | Ok(None) => return (got, None),
            Err(_) => panic!("the server never ended a stalled stream"),
        }
    }
}

#[tokio::test]
async fn a_stalled_client_is_cut_off_without_holding_up_the_others_and_resumes() {
    let desk = Desk::start_with(&["--heartbeat", "1"]);
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let start = api.seq().await;
    let mut stalled = desk.events(&desk.agent, Some(start)).await;
    let mut reader = desk.events(&desk.admin, Some(start)).await;
    // 40 new threads, 3 events each (contact, conversation, message).
    let expected = 40 * 3;
    let reading = tokio::spawn(async move { reader.take(expected).await });

    // About 8 MB of events: more than loopback socket buffers hold for a reader that stops.
    let big = "z".repeat(200_000);
    for i in 0..40 {
        let (s, _) = desk
            .inbound(
                ch,
                &secret,
                &customer(&format!("t{i}"), &format!("u{i}"), &big),
            )
            .await;
        assert_eq!(s, reqwest::StatusCode::ACCEPTED);
    }
    let head = api.seq().await;
    assert_eq!(head - start, expected as i64);
    // The client that reads gets every event while the other one does not read at all.
    let got = reading.await.unwrap();
    assert_eq!(seqs(&got), ((start + 1)..=head).collect::<Vec<_>>());

    // The server gives up on the stalled client after a heartbeat without progress and closes
    // its end; only then does the client read again.
    let client = match stalled.ws.get_ref() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp.local_addr().unwrap(),
        _ => unreachable!("a plain loopback stream"),
    };
    server_side_closed(client).await;
    let (prefix, _) = drain(&mut stalled).await;
    assert!(
        (prefix.len() as i64) < head - start,
        "the stalled client was cut off early"
    );
    assert_eq!(
        prefix,
        ((start + 1)..=start + prefix.len() as i64).collect::<Vec<_>>()
    );
    let last = prefix.last().copied().unwrap_or(start);
    let mut resumed = desk.events(&desk.agent, Some(last)).await;
    let rest = resumed.take((head - last) as usize).await;
    assert_eq!(seqs(&rest), ((last + 1)..=head).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_client_that_answers_pings_stays_connected_across_heartbeats() {
    let desk = Desk::start_with(&["--heartbeat", "1"]);
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let mut events = desk.events(&desk.agent, None).await;
    // Three pings answered: longer than the two silent heartbeats a client is allowed.
    let mut pings = 0;
    while pings < 3 {
        let msg = tokio::time::timeout(Duration::from_secs(10), events.ws.next())
            .await
            .expect("a ping within 10 s")
            .expect("stream open")
            .expect("frame");
        match msg {
            Message::Ping(_) => pings += 1,
            Message::Close(f) => panic!("closed: {f:?}"),
            _ => {}
        }
    }
    desk.inbound(ch, &secret, &customer("t", "u", "still there?"))
        .await;
    assert_eq!(
        events.until("message.created").await["message"]["body"],
        "still there?"
    );
}

#[tokio::test]
async fn a_negative_since_or_a_plain_http_request_is_refused() {
    let desk = Desk::start();
    let api = desk.api(&desk.agent);
    let (s, body) = api.get("/events?since=-1").await;
    assert!(s.is_client_error(), "{s} {body}");
    let (s, body) = api.get("/events?since=999").await;
    assert_eq!(
        s,
        reqwest::StatusCode::CONFLICT,
        "a since ahead of the log: {body}"
    );
    assert_eq!(body["error"]["code"], "since_ahead");
    let (s, body) = api.get("/events").await;
    assert_eq!(s, reqwest::StatusCode::UPGRADE_REQUIRED, "{body}");
    let err = tokio_tungstenite::connect_async(format!(
        "{}/api/v1/events?token=nope",
        desk.url.replace("http", "ws")
    ))
    .await
    .unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn a_client_that_falls_behind_the_live_buffer_is_closed_with_the_seq_to_resume_from() {
    use frontdesk::api::EventKind;
    use frontdesk::server::{RunningServer, ServerConfig};
    let dir = tempfile::tempdir().unwrap();
    let (agent, token) = frontdesk::server::admin::add_agent(
        dir.path(),
        "a@b.example",
        "A",
        frontdesk::domain::Role::Agent,
    )
    .await
    .unwrap();
    let config = ServerConfig {
        live_buffer: 16,
        ..ServerConfig::new(dir.path(), "127.0.0.1:0")
    };
    let server = RunningServer::start(config).await.unwrap();
    // From 0: the first event replayed proves the stream has subscribed to live events.
    let url = format!("ws://{}/api/v1/events?token={token}&since=0", server.addr);
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut events = common::Events { ws };
    assert_eq!(events.next().await["seq"], 1);
    // One commit of 100 events: more than the 16 a client may lag behind.
    server
        .store()
        .write(move |ctx| {
            for _ in 0..100 {
                ctx.emit(EventKind::AgentUpdated {
                    agent: agent.clone(),
                })?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let (got, close) = drain(&mut events).await;
    let (code, reason) = close.expect("a close frame");
    assert_eq!(u16::from(code), 4008);
    let resume: i64 = reason.rsplit("since=").next().unwrap().parse().unwrap();
    assert_eq!(resume, got.last().copied().unwrap_or(1));
    let url = format!(
        "ws://{}/api/v1/events?token={token}&since={resume}",
        server.addr
    );
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut resumed = common::Events { ws };
    let rest = resumed.take((101 - resume) as usize).await;
    assert_eq!(seqs(&rest), ((resume + 1)..=101).collect::<Vec<_>>());
    server.shutdown().await.unwrap();
}
