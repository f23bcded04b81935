//! Access control over the real binary: revoking tokens, deactivating and demoting agents
//! through the API and the CLI (also while a stream is open), the last admin, and the desk's
//! files kept private to their owner.

mod common;

use common::{BIN, Desk, Events, customer};
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Runs the binary; answers (success, stdout, stderr).
fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `frontdesk agent ARGS --data DESK`, which must succeed; answers stdout.
fn agent_cli(desk: &Desk, args: &[&str]) -> String {
    let data = desk.data();
    let mut all = vec!["agent"];
    all.extend_from_slice(args);
    all.extend(["--data", data.to_str().unwrap()]);
    let (ok, out, err) = cli(&all);
    assert!(ok, "frontdesk {all:?} failed: {err}");
    out
}

/// Waits (10 s at most) for the stream to be closed; answers the close code and reason.
async fn closed(events: &mut Events) -> (u16, String) {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), events.ws.next())
            .await
            .expect("the stream is closed within 10 s");
        match frame {
            Some(Ok(Message::Close(Some(f)))) => return (f.code.into(), f.reason.to_string()),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

async fn id_of(desk: &Desk, token: &str) -> i64 {
    desk.api(token).ok("/me").await["id"].as_i64().unwrap()
}

async fn me_status(desk: &Desk, token: &str) -> StatusCode {
    desk.api(token).get("/me").await.0
}

/// Creates an agent through the API; answers (id, token).
async fn new_agent(desk: &Desk, email: &str, role: &str) -> (i64, String) {
    let (status, body) = desk
        .api(&desk.admin)
        .post(
            "/agents",
            json!({"email": email, "name": email, "role": role}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_token_revoked_over_the_api_answers_401_at_once_and_its_open_stream_is_closed() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let bo = id_of(&desk, &desk.agent).await;
    let (_, other) = new_agent(&desk, "cy@desk.example", "agent").await;
    let mut stream = desk.events(&desk.agent, None).await;
    let mut bystander = desk.events(&other, None).await;

    // Only admins revoke, and a refusal changes nothing.
    let (status, _) = desk
        .api(&other)
        .post(&format!("/agents/{bo}/revoke-token"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(me_status(&desk, &desk.agent).await, StatusCode::OK);
    let (status, body) = admin.post("/agents/999/revoke-token", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let (status, body) = admin
        .post(&format!("/agents/{bo}/revoke-token"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"agent_id": bo, "revoked": 1}));
    assert_eq!(
        me_status(&desk, &desk.agent).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(closed(&mut stream).await, (4001, "token revoked".into()));

    // The bystander's stream stays open: it sees the next event.
    let (status, _) = admin
        .patch(&format!("/agents/{bo}"), json!({"available": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bystander.until("agent.updated").await["agent"]["id"], bo);

    // A new token is issued only when asked, shown once, and works.
    let (status, issued) = admin.post(&format!("/agents/{bo}/tokens"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let token = issued["token"].as_str().unwrap();
    assert_eq!(id_of(&desk, token).await, bo);
    assert_eq!(
        me_status(&desk, &desk.agent).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_token_revoked_with_the_cli_beside_the_running_server_stops_working_and_its_stream_closes()
 {
    let desk = Desk::start();
    let mut stream = desk.events(&desk.agent, None).await;
    let out = agent_cli(&desk, &["revoke-token", "--email", "bo@desk.example"]);
    assert!(out.contains("revoked 1 token"), "{out}");
    assert_eq!(
        me_status(&desk, &desk.agent).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(closed(&mut stream).await, (4001, "token revoked".into()));

    let out = agent_cli(&desk, &["token", "--email", "bo@desk.example"]);
    let token = out.lines().last().unwrap().trim();
    assert_eq!(me_status(&desk, token).await, StatusCode::OK);
}

#[tokio::test]
async fn a_deactivated_agent_gets_401_loses_its_stream_and_leaves_the_rotation_until_reactivated() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (a, _) = new_agent(&desk, "ann@desk.example", "agent").await;
    let (b, b_token) = new_agent(&desk, "ben@desk.example", "agent").await;
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let (status, body) = admin
        .raw(
            reqwest::Method::PUT,
            &format!("/channels/{channel}/routing"),
            serde_json::to_vec(
                &json!({"mode": "users_and_teams", "agent_ids": [a, b], "only_available": false}),
            )
            .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut n = 0;
    let mut owners = async |count: usize| {
        let mut owners = Vec::new();
        for _ in 0..count {
            n += 1;
            let (status, opened) = desk
                .inbound(channel, &secret, &customer(&format!("t{n}"), "u", "hi"))
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{opened}");
            let id = opened["conversation_id"].as_i64().unwrap();
            let conversation = admin.ok(&format!("/conversations/{id}")).await;
            owners.push(conversation["owner_id"].as_i64().unwrap_or(0));
        }
        owners
    };
    assert_eq!(owners(2).await, [a, b]);

    let mut stream = desk.events(&b_token, None).await;
    let mut watcher = desk.events(&desk.agent, None).await;
    let (status, ben) = admin
        .patch(&format!("/agents/{b}"), json!({"active": false}))
        .await;
    assert_eq!(status, StatusCode::OK, "{ben}");
    assert_eq!(ben["active"], false);
    let updated = watcher.until("agent.updated").await;
    assert_eq!(
        (
            updated["agent"]["id"].clone(),
            updated["agent"]["active"].clone()
        ),
        (json!(b), json!(false))
    );
    assert_eq!(me_status(&desk, &b_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        closed(&mut stream).await,
        (4001, "agent deactivated".into())
    );
    assert_eq!(owners(3).await, [a, a, a], "Ben is out of the rotation");
    // Nobody assigns him work, nor names him in a rule, nor mints him a token.
    let conversation = admin.ids("").await[0];
    let (status, body) = admin
        .patch(
            &format!("/conversations/{conversation}"),
            json!({"owner_id": b}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = admin
        .raw(
            reqwest::Method::PUT,
            &format!("/channels/{channel}/routing"),
            serde_json::to_vec(&json!({"mode": "users_and_teams", "agent_ids": [b]})).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = admin.post(&format!("/agents/{b}/tokens"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Activated again (here with the CLI): his token works and his turn comes again.
    agent_cli(&desk, &["activate", "--email", "ben@desk.example"]);
    assert_eq!(me_status(&desk, &b_token).await, StatusCode::OK);
    assert_eq!(owners(2).await, [b, a]);
}

#[tokio::test]
async fn an_agent_deactivated_with_the_cli_is_shut_out_and_its_stream_closed() {
    let desk = Desk::start();
    let mut stream = desk.events(&desk.agent, None).await;
    let out = agent_cli(&desk, &["deactivate", "--email", "bo@desk.example"]);
    assert!(out.contains("deactivated"), "{out}");
    assert_eq!(
        me_status(&desk, &desk.agent).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        closed(&mut stream).await,
        (4001, "agent deactivated".into())
    );
    let listed: Value = serde_json::from_str(&agent_cli(&desk, &["list", "--json"])).unwrap();
    let bo = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "bo@desk.example")
        .unwrap();
    assert_eq!(bo["active"], false);
    let (ok, _, err) = cli(&[
        "agent",
        "token",
        "--email",
        "bo@desk.example",
        "--data",
        desk.data().to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("deactivated"), "{err}");
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_demoted_nor_deactivated() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let ada = id_of(&desk, &desk.admin).await;
    let seq = admin.seq().await;
    for patch in [json!({"role": "agent"}), json!({"active": false})] {
        let (status, body) = admin.patch(&format!("/agents/{ada}"), patch).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("last active admin"),
            "{body}"
        );
    }
    let data = desk.data();
    let d = data.to_str().unwrap();
    let (ok, _, err) = cli(&[
        "agent",
        "set-role",
        "--email",
        "ada@desk.example",
        "--role",
        "agent",
        "--data",
        d,
    ]);
    assert!(!ok && err.contains("last active admin"), "{err}");
    let (ok, _, err) = cli(&[
        "agent",
        "deactivate",
        "--email",
        "ada@desk.example",
        "--data",
        d,
    ]);
    assert!(!ok && err.contains("last active admin"), "{err}");
    assert_eq!(admin.seq().await, seq, "refusals store nothing");
    assert_eq!(admin.ok("/me").await["role"], "admin");

    // With a second admin, Ada can step down, and her token no longer administers.
    let out = agent_cli(
        &desk,
        &["set-role", "--email", "bo@desk.example", "--role", "admin"],
    );
    assert!(out.contains("admin"), "{out}");
    let (status, body) = desk
        .api(&desk.agent)
        .patch(&format!("/agents/{ada}"), json!({"role": "agent"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = admin
        .post(&format!("/agents/{ada}/tokens"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_agent_changes_get_clear_errors_and_change_nothing() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let bo = id_of(&desk, &desk.agent).await;
    let before = admin.ok("/agents").await;
    let seq = admin.seq().await;
    for (body, status) in [
        (json!({"role": "boss"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"active": "no"}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"active": false, "colour": "red"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (got, answer) = admin.patch(&format!("/agents/{bo}"), body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert!(answer["error"]["code"].is_string(), "{answer}");
    }
    let (status, _) = admin.patch("/agents/999", json!({"active": false})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin.post("/agents/999/tokens", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = desk
        .api(&desk.agent)
        .patch(&format!("/agents/{bo}"), json!({"role": "admin"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(admin.ok("/agents").await, before);
    assert_eq!(admin.seq().await, seq);
    assert_eq!(me_status(&desk, &desk.agent).await, StatusCode::OK);
}

#[cfg(unix)]
mod file_modes {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    }

    /// Serves the desk in `data`; answers the server and its URL.
    fn serve(data: &Path) -> (std::process::Child, String) {
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--data",
                data.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_string();
        (child, url)
    }

    #[tokio::test]
    async fn a_new_desk_its_database_and_its_file_store_are_private_to_their_owner() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("new").join("desk");
        let admin = common::add_agent(&data, "ada@desk.example", "Ada", "admin");
        let (mut server, url) = serve(&data);
        let http = reqwest::Client::new();
        let channel: Value = http
            .post(format!("{url}/api/v1/channels"))
            .bearer_auth(&admin)
            .json(&json!({"kind": "email", "name": "Mail"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let channel = channel["id"].as_i64().unwrap();
        let settings = http
            .put(format!("{url}/api/v1/channels/{channel}/email"))
            .bearer_auth(&admin)
            .json(&json!({"addresses": ["help@acme.example"], "company_name": "Acme"}))
            .send()
            .await
            .unwrap();
        assert_eq!(settings.status(), StatusCode::OK);
        // A raw mail is kept in the desk's file store.
        let mail = "From: Carla <carla@client.example>\r\nTo: help@acme.example\r\n\
                    Subject: Hello\r\nMessage-ID: <m1@client.example>\r\n\r\nHi there\r\n";
        let uploaded = http
            .post(format!("{url}/api/v1/channels/{channel}/email/messages"))
            .bearer_auth(&admin)
            .header("content-type", "message/rfc822")
            .body(mail)
            .send()
            .await
            .unwrap();
        assert_eq!(uploaded.status(), StatusCode::ACCEPTED);

        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(data.parent().unwrap()), 0o700, "created parents too");
        for file in ["frontdesk.db", "frontdesk.db-wal", "frontdesk.db-shm"] {
            assert_eq!(mode(&data.join(file)), 0o600, "{file}");
        }
        let files = data.join("files");
        assert_eq!(mode(&files), 0o700);
        let folder = std::fs::read_dir(&files).unwrap().next().unwrap().unwrap();
        assert_eq!(mode(&folder.path()), 0o700);
        let stored = std::fs::read_dir(folder.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(mode(&stored.path()), 0o600);
        server.kill().unwrap();
        server.wait().unwrap();
    }

    /// Serves `data` until it listens; answers its warnings about open files.
    fn start_and_read_warnings(data: &Path) -> Vec<String> {
        let (mut child, _) = serve(data);
        child.kill().unwrap();
        child.wait().unwrap();
        BufReader::new(child.stderr.take().unwrap())
            .lines()
            .map(Result::unwrap)
            .filter(|l| l.contains("open to other users"))
            .collect()
    }

    #[test]
    fn a_server_warns_at_start_about_a_desk_open_to_other_users() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("desk");
        common::add_agent(&data, "ada@desk.example", "Ada", "admin");
        assert!(
            start_and_read_warnings(&data).is_empty(),
            "a private desk gets no warning"
        );

        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = data.join("frontdesk.db");
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warnings = start_and_read_warnings(&data);
        for (path, mode) in [(&data, "755"), (&db, "644")] {
            let needle = format!("{} is open to other users (mode {mode})", path.display());
            assert!(
                warnings.iter().any(|w| w.contains(&needle)),
                "{needle} in {warnings:?}"
            );
        }
    }
}
