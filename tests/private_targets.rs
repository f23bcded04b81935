//! Admin-set outbound URLs (custom webhooks, Graph base URLs) may not reach loopback,
//! link-local or private addresses unless the server runs with `--allow-private-targets`:
//! refused when set, and again when a reply would connect.

mod common;
mod webhook_receiver;

use common::{Desk, customer, run_ok};
use reqwest::StatusCode;
use serde_json::{Value, json};
use webhook_receiver::Receiver;

const PRIVATE: [&str; 4] = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.20.30.40:8080/hook",
    "http://127.0.0.1:9/hook",
    "http://[::1]:9/hook",
];

#[tokio::test]
async fn private_webhook_urls_are_refused_when_set_and_nothing_is_stored() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (status, ch) = admin
        .post(
            "/channels",
            json!({"kind": "custom", "name": "Bridge", "webhook_url": "https://bridge.example/hook"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ch}");
    let id = ch["id"].as_i64().unwrap();
    let before = admin.ok("/channels").await;
    for url in PRIVATE {
        let (status, body) = admin
            .post(
                "/channels",
                json!({"kind": "custom", "name": "Sneaky", "webhook_url": url}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert_eq!(body["error"]["code"], "private_target", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("--allow-private-targets"),
            "{body}"
        );
        let (status, body) = admin
            .patch(&format!("/channels/{id}"), json!({"webhook_url": url}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
    }
    assert_eq!(admin.ok("/channels").await, before, "nothing changed");
}

#[tokio::test]
async fn private_targets_are_accepted_with_the_flag() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let admin = desk.api(&desk.admin);
    for url in PRIVATE {
        let (status, body) = admin
            .post(
                "/channels",
                json!({"kind": "custom", "name": "Local bridge", "webhook_url": url}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{url}: {body}");
        assert_eq!(body["webhook_url"], url);
    }
}

#[tokio::test]
async fn a_private_graph_base_url_is_refused_without_the_flag() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (status, ch) = admin
        .post("/channels", json!({"kind": "messenger", "name": "Page"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ch}");
    let settings = json!({"verify_token": "v", "app_secret": "s", "access_token": "t",
        "page_id": "104857600123", "base_url": "http://169.254.169.254/v19.0"});
    let url = format!("{}/channels/{}/graph", admin.base, ch["id"]);
    let put = |body: Value| {
        admin
            .http
            .put(&url)
            .bearer_auth(&admin.token)
            .json(&body)
            .send()
    };
    let refused = put(settings.clone()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "private_target", "{body}");
    let (status, _) = admin.get(&format!("/channels/{}/graph", ch["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no settings were stored");
}

#[tokio::test]
async fn a_private_webhook_stored_behind_the_servers_back_is_refused_at_connect_time() {
    let desk = Desk::start();
    let receiver = Receiver::start().await;
    // The command line writes to the desk directly; the server checks again when it sends.
    let out = run_ok(&[
        "channel",
        "add",
        "--data",
        desk.data().to_str().unwrap(),
        "--name",
        "Local bridge",
        "--webhook-url",
        &receiver.url(),
        "--json",
    ]);
    let ch: Value = serde_json::from_str(out.trim()).unwrap();
    let (channel, secret) = (ch["id"].as_i64().unwrap(), ch["secret"].as_str().unwrap());
    let (status, inbound) = desk
        .inbound(channel, secret, &customer("t1", "c1", "hello"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{inbound}");
    let conv = inbound["conversation_id"].as_i64().unwrap();
    let api = desk.api(&desk.agent);
    let (status, reply) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "hi", "internal": false, "client_id": "r1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let failed = api
        .message_until(conv, reply["id"].as_i64().unwrap(), |m| {
            m["delivery"]["status"] == "failed"
        })
        .await;
    let error = failed["delivery"]["error"].as_str().unwrap();
    assert!(
        error.contains("refused") && error.contains("127.0.0.1"),
        "{error}"
    );
    assert!(
        receiver.received().is_empty(),
        "the attempt ended without a connection"
    );
}
