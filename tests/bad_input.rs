//! Bad input gets a clear JSON error and changes nothing; retries are idempotent.

mod common;

use common::{Desk, customer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A desk with one conversation; returns it with the conversation id.
async fn desk_with_conversation(extra: &[&str]) -> (Desk, i64) {
    let desk = Desk::start_with(extra);
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, r) = desk
        .inbound(ch, &secret, &customer("t", "u", "hello"))
        .await;
    (desk, r["conversation_id"].as_i64().unwrap())
}

/// Everything an agent can see of a conversation, to prove nothing changed.
async fn snapshot(desk: &Desk, id: i64) -> (Value, i64) {
    let api = desk.api(&desk.agent);
    (
        api.ok(&format!("/conversations/{id}")).await,
        api.seq().await,
    )
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn malformed_json_is_400_and_changes_nothing() {
    let (desk, id) = desk_with_conversation(&[]).await;
    let before = snapshot(&desk, id).await;
    let api = desk.api(&desk.agent);
    for body in [&b"{\"body\": \"hi\", "[..], b"not json at all", b""] {
        let (s, r) = api
            .raw(
                Method::POST,
                &format!("/conversations/{id}/messages"),
                body.to_vec(),
            )
            .await;
        assert_error(s, &r, StatusCode::BAD_REQUEST, "invalid_json");
        let (s, r) = api
            .raw(
                Method::PATCH,
                &format!("/conversations/{id}"),
                body.to_vec(),
            )
            .await;
        assert_error(s, &r, StatusCode::BAD_REQUEST, "invalid_json");
    }
    assert_eq!(snapshot(&desk, id).await, before);
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let (desk, id) = desk_with_conversation(&[]).await;
    let before = snapshot(&desk, id).await;
    let api = desk.api(&desk.agent);
    for path in [
        "/conversations/999999",
        "/conversations/999999/messages",
        "/contacts/999999",
        "/channels/999999",
        "/conversations/abc",
    ] {
        let (s, r) = api.get(path).await;
        assert_error(s, &r, StatusCode::NOT_FOUND, "not_found");
    }
    let (s, r) = api
        .post(
            "/conversations/999999/messages",
            json!({"body": "x", "client_id": "c"}),
        )
        .await;
    assert_error(s, &r, StatusCode::NOT_FOUND, "not_found");
    let (s, r) = api
        .patch("/conversations/999999", json!({"status": "closed"}))
        .await;
    assert_error(s, &r, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(snapshot(&desk, id).await, before);
}

#[tokio::test]
async fn bad_enum_values_are_refused_and_change_nothing() {
    let (desk, id) = desk_with_conversation(&[]).await;
    let before = snapshot(&desk, id).await;
    let api = desk.api(&desk.agent);
    for body in [
        json!({"status": "pending"}),
        json!({"priority": "meh"}),
        json!({"status": "closed", "priority": "critical"}),
        json!({"owner_id": "me"}),
        json!({"owner_id": 424242}),
        json!({"stauts": "closed"}),
    ] {
        let (s, r) = api
            .patch(&format!("/conversations/{id}"), body.clone())
            .await;
        assert_error(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    }
    for query in [
        "status=pending",
        "assignee=someone",
        "channel=pigeon",
        "priority=meh",
        "limit=0",
        "limit=x",
        "cursor=garbage",
    ] {
        let (s, r) = api.get(&format!("/conversations?{query}")).await;
        assert_error(s, &r, StatusCode::BAD_REQUEST, "invalid_query");
    }
    let (s, r) = desk
        .api(&desk.admin)
        .post("/channels", json!({"kind": "carrier_pigeon", "name": "x"}))
        .await;
    assert_error(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(snapshot(&desk, id).await, before);
}

#[tokio::test]
async fn a_message_without_body_or_client_id_is_refused() {
    let (desk, id) = desk_with_conversation(&[]).await;
    let before = snapshot(&desk, id).await;
    let api = desk.api(&desk.agent);
    for body in [
        json!({"body": "x"}),
        json!({"client_id": "c"}),
        json!({"body": " ", "client_id": "c"}),
        json!({"body": "x", "client_id": ""}),
    ] {
        let (s, r) = api
            .post(&format!("/conversations/{id}/messages"), body.clone())
            .await;
        assert_error(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    }
    let (s, r) = api
        .post(
            &format!("/conversations/{id}/messages"),
            json!({"body": "x", "client_id": "c", "channel_id": 999}),
        )
        .await;
    assert_error(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(snapshot(&desk, id).await, before);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_stores_nothing() {
    let (desk, id) = desk_with_conversation(&["--body-limit", "4096"]).await;
    let before = snapshot(&desk, id).await;
    let api = desk.api(&desk.agent);
    let big = "x".repeat(5000);
    let (s, r) = api
        .post(
            &format!("/conversations/{id}/messages"),
            json!({"body": big, "client_id": "big"}),
        )
        .await;
    assert_error(s, &r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let (s, r) = desk
        .inbound_raw(
            1,
            Some("sha256=00"),
            serde_json::to_vec(&customer("t", "u", &big)).unwrap(),
        )
        .await;
    assert_error(s, &r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(snapshot(&desk, id).await, before);
    let (s, _) = api
        .post(
            &format!("/conversations/{id}/messages"),
            json!({"body": "small", "client_id": "small"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "a body under the limit still goes through"
    );
}

#[tokio::test]
async fn the_default_body_limit_is_one_mebibyte() {
    let (desk, id) = desk_with_conversation(&[]).await;
    let api = desk.api(&desk.agent);
    let (s, _) = api
        .post(
            &format!("/conversations/{id}/messages"),
            json!({"body": "y".repeat(1024 * 1024), "client_id": "huge"}),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, _) = api
        .post(
            &format!("/conversations/{id}/messages"),
            json!({"body": "y".repeat(1000 * 1000), "client_id": "ok"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn the_same_client_id_twice_answers_200_with_the_first_message_and_adds_nothing() {
    let (desk, id) = desk_with_conversation(&[]).await;
    let api = desk.api(&desk.agent);
    let path = format!("/conversations/{id}/messages");
    let (s1, first) = api
        .post(&path, json!({"body": "on it", "client_id": "retry-1"}))
        .await;
    assert_eq!(s1, StatusCode::CREATED);
    let seq = api.seq().await;
    let (s2, second) = api
        .post(&path, json!({"body": "on it", "client_id": "retry-1"}))
        .await;
    assert_eq!(s2, StatusCode::OK);
    assert_eq!(first, second);
    assert_eq!(api.seq().await, seq, "a retry logs no event");
    let messages = api.ok(&path).await;
    let with_key = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["client_id"] == "retry-1")
        .count();
    assert_eq!(with_key, 1);
    assert_eq!(
        api.ok(&format!("/conversations/{id}")).await["message_count"],
        2
    );
}

#[tokio::test]
async fn concurrent_retries_of_one_client_id_store_one_message() {
    let (desk, id) = desk_with_conversation(&[]).await;
    let path = format!("/conversations/{id}/messages");
    let tries = (0..20).map(|_| {
        let api = desk.api(&desk.agent);
        let path = path.clone();
        tokio::spawn(async move {
            api.post(&path, json!({"body": "once", "client_id": "burst"}))
                .await
        })
    });
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for t in tries {
        let (s, m) = t.await.unwrap();
        assert!(s == StatusCode::CREATED || s == StatusCode::OK, "{s}");
        created += usize::from(s == StatusCode::CREATED);
        ids.insert(m["id"].as_i64().unwrap());
    }
    assert_eq!((created, ids.len()), (1, 1));
    assert_eq!(
        desk.api(&desk.agent)
            .ok(&format!("/conversations/{id}"))
            .await["message_count"],
        2
    );
}
