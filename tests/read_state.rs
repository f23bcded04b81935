//! The server is the truth for unread markers and knows the labels in use.

mod common;

use common::{Desk, customer};
use serde_json::json;

#[tokio::test]
async fn reading_an_unread_conversation_tells_that_agents_other_clients_once() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, r) = desk
        .inbound(ch, &secret, &customer("t1", "u1", "Hello"))
        .await;
    let id = r["conversation_id"].as_i64().unwrap();
    let api = desk.api(&desk.agent);
    let me = api.ok("/me").await["id"].as_i64().unwrap();
    let ids = |v: &serde_json::Value| v["unread"].as_bool().unwrap();
    assert!(ids(&api.ok(&format!("/conversations/{id}")).await));

    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;
    let (status, read) = api
        .post(&format!("/conversations/{id}/read"), json!({}))
        .await;
    assert!(status.is_success(), "{read}");
    assert!(!ids(&read));
    // Reading it again changes nothing and says nothing: the next event is the marker.
    api.post(&format!("/conversations/{id}/read"), json!({}))
        .await;
    api.patch(&format!("/conversations/{id}"), json!({"priority": "high"}))
        .await;
    let first = events.next().await;
    assert_eq!(first["type"], "conversation.read");
    assert_eq!(first["conversation_id"], id);
    assert_eq!(first["agent_id"], me);
    let second = events.next().await;
    assert_eq!(
        second["type"], "conversation.updated",
        "read once: {second}"
    );
    assert!(!ids(&api.ok(&format!("/conversations/{id}")).await));
}

#[tokio::test]
async fn the_labels_in_use_are_listed_most_used_first() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    for (i, labels) in [vec!["vip", "billing"], vec!["vip"], vec![]]
        .iter()
        .enumerate()
    {
        let (_, r) = desk
            .inbound(ch, &secret, &customer(&format!("t{i}"), "u1", "Hi"))
            .await;
        let id = r["conversation_id"].as_i64().unwrap();
        api.patch(&format!("/conversations/{id}"), json!({ "labels": labels }))
            .await;
    }
    let listed = api.ok("/labels").await;
    assert_eq!(
        listed,
        json!([{"label": "vip", "count": 2}, {"label": "billing", "count": 1}])
    );
}
