//! The command line: `serve`, `seed`, `agent add`, `agent token`, as a user runs them.

mod common;

use common::{BIN, Desk, run_ok};
use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn agent_add_prints_a_token_as_the_last_line_and_refuses_a_taken_email() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new-desk");
    let d = data.to_str().unwrap();
    let out = run_ok(&[
        "agent",
        "add",
        "--data",
        d,
        "--email",
        "ana@x.example",
        "--name",
        "Ana",
        "--role",
        "admin",
    ]);
    let token = out.lines().last().unwrap();
    assert!(token.starts_with("fdk_") && token.len() == 47, "{out}");
    assert!(
        data.join("frontdesk.db").exists(),
        "the data directory and database are created"
    );
    let (ok, _, err) = run(&[
        "agent",
        "add",
        "--data",
        d,
        "--email",
        "ANA@x.example",
        "--name",
        "Ana 2",
    ]);
    assert!(!ok);
    assert!(err.contains("already exists"), "{err}");
    let (ok, _, err) = run(&[
        "agent",
        "add",
        "--data",
        d,
        "--email",
        "x@y.example",
        "--name",
        "X",
        "--role",
        "boss",
    ]);
    assert!(!ok);
    assert!(err.contains("boss"), "{err}");
    let out = run_ok(&["agent", "token", "--data", d, "--email", "ana@x.example"]);
    assert_ne!(
        out.lines().last().unwrap(),
        token,
        "a fresh token each time"
    );
}

#[test]
fn seed_is_deterministic_and_refuses_a_desk_that_has_conversations() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let anchor = "2026-06-01T12:00:00Z";
    let dump = |dir: &tempfile::TempDir, seed: &str| {
        let d = dir.path().to_str().unwrap();
        let out = run_ok(&[
            "seed",
            "--data",
            d,
            "--conversations",
            "300",
            "--seed",
            seed,
            "--anchor",
            anchor,
        ]);
        assert!(out.contains("seeded 300 conversations"), "{out}");
        let conn = rusqlite::Connection::open(dir.path().join("frontdesk.db")).unwrap();
        let rows: Vec<String> = conn
            .prepare("SELECT c.subject || '|' || c.status || '|' || c.last_message_at || '|' || ct.name || '|' || \
                      (SELECT group_concat(body, '/') FROM messages WHERE conversation_id = c.id) \
                      FROM conversations c JOIN contacts ct ON ct.id = c.contact_id ORDER BY c.id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows
    };
    let a = dump(&dirs[0], "7");
    let b = dump(&dirs[1], "7");
    let c = dump(&dirs[2], "8");
    assert_eq!(a.len(), 300);
    assert_eq!(a, b, "same seed, same desk");
    assert_ne!(a, c, "another seed, another desk");
    let d = dirs[0].path().to_str().unwrap();
    let (ok, _, err) = run(&["seed", "--data", d, "--conversations", "5"]);
    assert!(!ok);
    assert!(err.contains("already holds 300 conversations"), "{err}");
    let (ok, _, err) = run(&[
        "seed",
        "--data",
        d,
        "--conversations",
        "5",
        "--anchor",
        "yesterday",
    ]);
    assert!(!ok);
    assert!(err.contains("RFC 3339"), "{err}");
}

#[tokio::test]
async fn a_seeded_desk_serves_every_channel_kind_and_finds_seeded_text() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(&[
        "seed",
        "--data",
        dir.path().to_str().unwrap(),
        "--conversations",
        "400",
    ]);
    let mut desk = Desk::start_in(dir);
    let api = desk.api(&desk.agent);
    for kind in [
        "email",
        "chat",
        "form",
        "messenger",
        "whatsapp",
        "call",
        "custom",
    ] {
        assert!(
            !api.ids(&format!("channel={kind}")).await.is_empty(),
            "no {kind} conversations"
        );
    }
    let first = &api.ok("/conversations?limit=1").await["items"][0];
    let detail = api.ok(&format!("/conversations/{}", first["id"])).await;
    let word = detail["messages"][0]["body"]
        .as_str()
        .unwrap()
        .split(|c: char| !c.is_alphanumeric())
        .max_by_key(|w| w.len())
        .unwrap()
        .to_string();
    let hits = api.ids(&format!("q={word}&limit=500")).await;
    assert!(
        hits.contains(&first["id"].as_i64().unwrap()),
        "{word} not found"
    );
    assert!(desk.terminate());
}

#[test]
fn serve_reports_an_address_it_cannot_listen_on() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(&[
        "serve",
        "--data",
        dir.path().to_str().unwrap(),
        "--listen",
        "256.1.1.1:80",
    ]);
    assert!(!ok);
    assert!(err.contains("cannot listen on 256.1.1.1:80"), "{err}");
}
