//! Shared canned replies from outside: admins write them over the API and the CLI, agents
//! read them and are refused writes, bad input is refused with nothing changed, and every
//! agent's stream hears of each change.

mod common;

use common::{BIN, Desk, run_ok};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::process::Command;

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn admins_write_agents_read_and_every_stream_hears() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let agent = desk.api(&desk.agent);
    let mut events = desk.events(&desk.agent, Some(agent.seq().await)).await;

    let (status, created) = admin
        .post(
            "/canned",
            json!({"name": "Refund issued", "body": "Hi {{contact.first_name}},\n\nRefund issued.{{cursor}}"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert!(created["created_by"].is_i64());
    let heard = events.until("canned.created").await;
    assert_eq!(heard["canned"]["id"], id);

    let (status, _) = admin
        .post(
            "/canned",
            json!({"name": "Apology", "body": "Sorry about that."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        names(&agent.ok("/canned").await),
        ["Apology", "Refund issued"]
    );

    let (status, patched) = admin
        .patch(&format!("/canned/{id}"), json!({"name": "Refund done"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["body"], created["body"], "absent fields stay");
    let heard = events.until("canned.updated").await;
    assert_eq!(heard["canned"]["name"], "Refund done");

    // Agents read but never write.
    let (status, body) = agent
        .post("/canned", json!({"name": "Mine", "body": "text"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = agent
        .patch(&format!("/canned/{id}"), json!({"body": "changed"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = agent
        .raw(Method::DELETE, &format!("/canned/{id}"), Vec::new())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = admin
        .raw(Method::DELETE, &format!("/canned/{id}"), Vec::new())
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let heard = events.until("canned.deleted").await;
    assert_eq!(heard["canned"]["id"], id);
    assert_eq!(names(&agent.ok("/canned").await), ["Apology"]);
    let (status, _) = admin
        .raw(Method::DELETE, &format!("/canned/{id}"), Vec::new())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_names_and_texts_are_refused_and_duplicates_conflict() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (status, _) = admin
        .post("/canned", json!({"name": "Greeting", "body": "Hello!"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for (bad, why) in [
        (json!({"name": "", "body": "x"}), "blank name"),
        (json!({"name": "n".repeat(101), "body": "x"}), "long name"),
        (json!({"name": "a\u{1b}[2J", "body": "x"}), "escape in name"),
        (json!({"name": "Empty", "body": "  "}), "blank body"),
        (
            json!({"name": "Huge", "body": "x".repeat(20_001)}),
            "long body",
        ),
        (
            json!({"name": "Beep", "body": "a\u{7}b"}),
            "control in body",
        ),
    ] {
        let (status, body) = admin.post("/canned", bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        assert!(body["error"]["code"].is_string(), "{why}: {body}");
    }
    let (status, body) = admin
        .post("/canned", json!({"name": "greeting", "body": "Hi"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = admin
        .post(
            "/canned",
            json!({"name": "Other", "body": "Hi", "extra": 1}),
        )
        .await;
    assert!(status.is_client_error());
    assert_eq!(names(&admin.ok("/canned").await), ["Greeting"]);
}

#[tokio::test]
async fn the_cli_lists_adds_edits_and_removes_on_a_served_desk() {
    let desk = Desk::start();
    let data = desk.data();
    let data = data.to_str().unwrap();
    let out = run_ok(&[
        "canned",
        "add",
        "--data",
        data,
        "--name",
        "Shipping",
        "--body",
        "It ships today.",
    ]);
    let id: i64 = out.lines().last().unwrap().trim().parse().unwrap();
    let agent = desk.api(&desk.agent);
    assert_eq!(names(&agent.ok("/canned").await), ["Shipping"]);

    let file = desk.dir.path().join("text.txt");
    std::fs::write(&file, "Line one\nLine two\n").unwrap();
    run_ok(&[
        "canned",
        "edit",
        "--data",
        data,
        &id.to_string(),
        "--body-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(agent.ok("/canned").await[0]["body"], "Line one\nLine two\n");

    let listed: Value =
        serde_json::from_str(&run_ok(&["canned", "list", "--data", data, "--json"])).unwrap();
    assert_eq!(names(&listed), ["Shipping"]);
    assert!(run_ok(&["canned", "list", "--data", data]).contains("Shipping"));

    let dup = Command::new(BIN)
        .args([
            "canned", "add", "--data", data, "--name", "shipping", "--body", "x",
        ])
        .output()
        .unwrap();
    assert!(!dup.status.success());
    assert!(
        String::from_utf8_lossy(&dup.stderr).contains("already called"),
        "{}",
        String::from_utf8_lossy(&dup.stderr)
    );

    run_ok(&["canned", "rm", "--data", data, &id.to_string()]);
    assert_eq!(agent.ok("/canned").await, json!([]));
}
