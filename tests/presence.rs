//! Presence from outside, over real websockets: a "writing" notice reaches the other agents'
//! streams (never its author's), ends when its stream closes, lapses without a refresh, and
//! is bounded per stream; the client library sends and receives it.

mod common;

use common::{Desk, Events};
use frontdesk::client::events::spawn_with_presence;
use frontdesk::client::tls::Trust;
use futures_util::SinkExt;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

async fn compose(events: &mut Events, conversation: i64, composing: bool) {
    let frame =
        json!({"type": "presence", "conversation_id": conversation, "composing": composing});
    events
        .ws
        .send(Message::text(frame.to_string()))
        .await
        .unwrap();
}

/// The next presence frame, skipping events.
async fn presence(events: &mut Events) -> Value {
    loop {
        let frame = events.next().await;
        if frame["type"] == "presence" {
            assert!(frame.get("seq").is_none(), "{frame}");
            return frame;
        }
    }
}

async fn id_of(desk: &Desk, token: &str) -> i64 {
    desk.api(token).ok("/me").await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_notice_reaches_the_other_agent_and_ends_when_the_socket_closes() {
    let desk = Desk::start();
    let ada_id = id_of(&desk, &desk.admin).await;
    let mut ada = desk.events(&desk.admin, None).await;
    let mut bo = desk.events(&desk.agent, None).await;
    compose(&mut ada, 7, true).await;
    let seen = presence(&mut bo).await;
    assert_eq!(
        seen,
        json!({"type": "presence", "conversation_id": 7, "agent_id": ada_id,
               "agent_name": "Ada Admin", "composing": true, "expires_in_ms": 10000})
    );
    // Ada's own stream does not echo it: the next frame she gets is Bo's notice.
    compose(&mut bo, 7, true).await;
    let echo = presence(&mut ada).await;
    assert_eq!(echo["agent_name"], "Bo Agent");

    ada.ws.close(None).await.unwrap();
    let ended = presence(&mut bo).await;
    assert_eq!(ended["agent_id"], ada_id);
    assert_eq!(ended["conversation_id"], 7);
    assert_eq!(ended["composing"], false);
    assert_eq!(ended["expires_in_ms"], 0);
}

#[tokio::test]
async fn a_notice_lapses_without_a_refresh_and_floods_are_cut_to_the_rate() {
    let desk = Desk::start_with(&["--presence-ttl-ms", "500"]);
    let mut ada = desk.events(&desk.admin, None).await;
    let mut bo = desk.events(&desk.agent, None).await;
    for _ in 0..20 {
        compose(&mut ada, 3, true).await;
    }
    let mut announced = 0;
    loop {
        let p = presence(&mut bo).await;
        assert_eq!(p["conversation_id"], 3);
        if p["composing"] == false {
            break;
        }
        announced += 1;
    }
    assert_eq!(announced, 10, "ten frames a second pass");
    // Ada's stream is still open: the notice lapsed by itself.
    compose(&mut bo, 4, true).await;
    assert_eq!(presence(&mut ada).await["conversation_id"], 4);
}

#[tokio::test]
async fn a_stream_writes_in_a_bounded_number_of_conversations() {
    let desk = Desk::start();
    let mut ada = desk.events(&desk.admin, None).await;
    let mut bo = desk.events(&desk.agent, None).await;
    for conversation in 1..=9 {
        compose(&mut ada, conversation, true).await;
    }
    compose(&mut ada, 1, false).await;
    let mut writing = Vec::new();
    loop {
        let p = presence(&mut bo).await;
        if p["composing"] == false {
            assert_eq!(p["conversation_id"], 1);
            break;
        }
        writing.push(p["conversation_id"].as_i64().unwrap());
    }
    assert_eq!(writing, (1..=8).collect::<Vec<_>>());
    // Junk is ignored and the stream stays up.
    ada.ws
        .send(Message::text("{\"type\": \"presence\"}"))
        .await
        .unwrap();
    ada.ws.send(Message::text("not json")).await.unwrap();
    compose(&mut bo, 9, true).await;
    assert_eq!(presence(&mut ada).await["conversation_id"], 9);
}

#[tokio::test]
async fn the_client_library_sends_refreshes_and_receives_presence() {
    let desk = Desk::start();
    let bo_id = id_of(&desk, &desk.agent).await;
    let mut bo = desk.events(&desk.agent, None).await;
    let (_live, _task, mut link) = spawn_with_presence(&desk.url, &desk.admin, 0, &Trust::system());
    assert!(link.composing(5, true));
    let seen = presence(&mut bo).await;
    assert_eq!(
        (seen["conversation_id"].clone(), seen["composing"].clone()),
        (json!(5), json!(true))
    );
    // Refreshed while held.
    let again = presence(&mut bo).await;
    assert_eq!(again["composing"], true);

    compose(&mut bo, 5, true).await;
    let heard = tokio::time::timeout(Duration::from_secs(10), link.frames.recv())
        .await
        .expect("a presence frame within 10 s")
        .expect("link open");
    assert_eq!(heard.agent_id, bo_id);
    assert_eq!(heard.conversation_id, 5);
    assert!(heard.composing);

    assert!(link.composing(5, false));
    loop {
        let p = presence(&mut bo).await;
        if p["composing"] == false {
            assert_eq!(p["conversation_id"], 5);
            break;
        }
    }
}
