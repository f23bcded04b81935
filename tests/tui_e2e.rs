//! The real client binary in a real pseudo-terminal against a real server: live updates
//! without a key press, a reply typed on the keyboard, hostile text kept off the terminal,
//! silence when idle, and a clean exit.

mod common;

use common::pty::Pty;
use common::{BIN, Desk, customer};
use std::path::Path;
use std::time::Duration;

/// What every draw ends with when the screen shows no cursor.
const HIDE_CURSOR: &str = "\u{1b}[?25l";

/// Starts the client against `url` with `home` as its home and XDG directories.
fn client(url: &str, token: &str, home: &Path) -> Pty {
    client_env(url, token, home, &[])
}

/// [`client`] with extra environment variables.
fn client_env(url: &str, token: &str, home: &Path, env: &[(&str, &str)]) -> Pty {
    Pty::start_env(&["--server", url, "--token", token, "--notify"], home, env)
}

#[tokio::test(flavor = "multi_thread")]
async fn live_messages_appear_without_a_key_and_a_typed_reply_reaches_the_server() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    desk.inbound(ch, &secret, &customer("old", "u1", "Invoice question"))
        .await;
    let home = tempfile::tempdir().unwrap();
    // The bell rings for conversations nobody owns yet, too (the default is only mine).
    std::fs::create_dir_all(home.path().join("frontdesk")).unwrap();
    std::fs::write(
        home.path().join("frontdesk/config.toml"),
        "bell = \"unassigned\"\n",
    )
    .unwrap();
    let (url, token, h) = (
        desk.url.clone(),
        desk.agent.clone(),
        home.path().to_path_buf(),
    );
    let mut screen = tokio::task::spawn_blocking(move || client(&url, &token, &h))
        .await
        .unwrap();
    screen.wait_for("Invoice question");
    screen.wait_for("live");

    // A customer writes in, with text that tries to take over the terminal.
    let hostile = "Printer on fire\u{1b}]0;pwned\u{7}\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}[2J\u{202e}";
    let (_, r) = desk
        .inbound(ch, &secret, &customer("new", "u2", hostile))
        .await;
    let conv = r["conversation_id"].as_i64().unwrap();
    screen.wait_for("Printer on fire");

    // Open it (the newest row is at the top), reply, send with Ctrl-S.
    screen.keys("gg");
    screen.keys("k");
    screen.keys("\r");
    screen.wait_for("┏ Printer on fire");
    screen.keys("r");
    screen.wait_for("reply via");
    screen.keys("Sending a technician today.");
    screen.keys("\u{13}");
    let api = desk.api(&desk.agent);
    let mut found = false;
    for _ in 0..100 {
        let page = api.ok(&format!("/conversations/{conv}/messages")).await;
        found = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body"] == "Sending a technician today." && m["kind"] == "outbound");
        if found {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        found,
        "the reply never reached the server:\n{}",
        screen.text()
    );
    let messages = api.ok(&format!("/conversations/{conv}/messages")).await;
    let replies = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "outbound")
        .count();
    assert_eq!(replies, 1, "exactly once");

    // Nothing a customer wrote reached the terminal as a control sequence.
    let raw = String::from_utf8_lossy(&screen.raw()).into_owned();
    for bad in ["]0;pwned", "]52;", "\u{202e}", "\u{1b}[2J"] {
        assert!(!raw.contains(bad), "{bad:?} reached the terminal");
    }
    // The bell and the desktop notification announced it, with the text made harmless.
    let notice = raw
        .split("\u{1b}]9;")
        .nth(1)
        .and_then(|rest| rest.split('\u{7}').next())
        .expect("a desktop notification");
    assert!(
        notice.starts_with("Customer u2: Printer on fire"),
        "{notice:?}"
    );
    assert!(!notice.contains('\u{1b}'), "{notice:?}");
    assert!(raw.contains('\u{7}'));

    // Idle: no event, no key, no output. The client is left alone for a while (the wait only
    // widens the window), then a key toggles the help: if everything written since is that
    // one frame, nothing was written while idle. Answers still arriving after the reply (the
    // views counted again) are activity, not idleness: then the window is tried again.
    screen.wait_for("Mine 1");
    screen.wait_gone("reply via");
    let mut help_open = false;
    let mut quiet = false;
    for _ in 0..10 {
        let before = screen.written();
        tokio::time::sleep(Duration::from_secs(2)).await;
        if help_open {
            screen.keys("\u{1b}");
            screen.wait_gone("keys: type to filter");
        } else {
            screen.keys("?");
            screen.wait_for("keys: type to filter");
        }
        help_open = !help_open;
        let written = String::from_utf8_lossy(&screen.raw()[before..]).into_owned();
        if written.matches(HIDE_CURSOR).count() == 1 && written.ends_with(HIDE_CURSOR) {
            quiet = true;
            break;
        }
    }
    assert!(
        quiet,
        "the client kept writing while idle:\n{}",
        screen.text()
    );
    if help_open {
        screen.keys("\u{1b}");
        screen.wait_gone("keys: type to filter");
    }

    // q quits cleanly and gives the terminal back.
    screen.keys("q");
    let status = tokio::task::spawn_blocking(move || {
        let status = screen.child.wait().unwrap();
        (status, screen.raw())
    })
    .await
    .unwrap();
    assert!(status.0.success(), "exit status {:?}", status.0);
    let tail =
        String::from_utf8_lossy(&status.1[status.1.len().saturating_sub(200)..]).into_owned();
    assert!(
        tail.contains("\u{1b}[?1049l"),
        "the alternate screen was not left: {tail:?}"
    );
}

#[test]
fn a_wrong_token_is_a_clear_message_and_the_terminal_is_untouched() {
    let desk = Desk::start();
    let out = std::process::Command::new(BIN)
        .args(["--server", &desk.url, "--token", "fdk_wrong"])
        .env("HOME", desk.data())
        .env("XDG_STATE_HOME", desk.data())
        .env("XDG_DATA_HOME", desk.data())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("token"), "{err}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains('\u{1b}'),
        "no escape codes before the error"
    );
}

#[test]
fn an_unreachable_server_is_a_clear_message() {
    let out = std::process::Command::new(BIN)
        .args(["--server", "http://127.0.0.1:9", "--token", "fdk_x"])
        .env("HOME", std::env::temp_dir())
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .env("XDG_DATA_HOME", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unreachable"), "{err}");
}

/// The outbound replies of a conversation once there is at least one (within 10 s).
async fn first_replies(desk: &Desk, conv: i64) -> Vec<String> {
    for _ in 0..100 {
        let got = replies(desk, conv).await;
        if !got.is_empty() {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Vec::new()
}

/// The outbound replies of a conversation, as the server stores them.
async fn replies(desk: &Desk, conv: i64) -> Vec<String> {
    let page = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{conv}/messages"))
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "outbound")
        .map(|m| m["body"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_survives_kill_9_of_the_client_while_the_server_is_down() {
    let mut desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, r) = desk
        .inbound(ch, &secret, &customer("t", "u", "Where is my parcel?"))
        .await;
    let conv = r["conversation_id"].as_i64().unwrap();
    let home = tempfile::tempdir().unwrap();
    let start = |url: String, token: String, home: std::path::PathBuf| {
        tokio::task::spawn_blocking(move || client(&url, &token, &home))
    };
    let mut screen = start(desk.url.clone(), desk.agent.clone(), home.path().into())
        .await
        .unwrap();
    screen.wait_for("Where is my parcel?");
    screen.keys("\r");
    screen.wait_for("┏ Where is my parcel?");
    // The thread has loaded (its message shows in the focused pane) before the server goes.
    screen.wait_for("┃Where is my parcel?");

    // The server goes away; the agent replies anyway, then the client is killed.
    desk.kill9();
    screen.keys("r");
    screen.wait_for("reply via");
    screen.keys("It left the warehouse this morning.");
    screen.keys("\u{13}");
    screen.wait_for("sending");
    screen.child.kill().unwrap();
    screen.child.wait().unwrap();

    // Server back on the same address, client started again: the reply goes out, once.
    desk.spawn_same_port();
    let mut again = start(desk.url.clone(), desk.agent.clone(), home.path().into())
        .await
        .unwrap();
    let got = first_replies(&desk, conv).await;
    let log =
        std::fs::read_to_string(home.path().join("frontdesk/frontdesk.log")).unwrap_or_default();
    assert_eq!(
        got,
        vec!["It left the warehouse this morning."],
        "{}\n{log}",
        again.text()
    );
    // A reply typed after it reaches the server after it, and the first is still there once.
    again.wait_for("Where is my parcel?");
    again.keys("\r");
    again.wait_for("┏ Where is my parcel?");
    again.keys("r");
    again.wait_for("reply via");
    again.keys("Tracking number follows.");
    again.keys("\u{13}");
    let mut got = Vec::new();
    for _ in 0..200 {
        got = replies(&desk, conv).await;
        if got.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        got,
        [
            "It left the warehouse this morning.",
            "Tracking number follows."
        ],
        "exactly once, in order:\n{}",
        again.text()
    );
    drop(again);
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_e_hands_the_draft_to_the_editor_and_takes_back_its_text() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, r) = desk
        .inbound(ch, &secret, &customer("t", "u", "Can I get an invoice?"))
        .await;
    let conv = r["conversation_id"].as_i64().unwrap();
    let home = tempfile::tempdir().unwrap();
    // An "editor" that appends to whatever draft it is given.
    let editor = home.path().join("fake-editor");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf '%s, attached to this mail.' \"$(cat \"$1\")\" > \"$1\"\n",
    )
    .unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&editor).unwrap().permissions(),
        0o755,
    );
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (url, token, h, e) = (
        desk.url.clone(),
        desk.agent.clone(),
        home.path().to_path_buf(),
        editor.display().to_string(),
    );
    let mut screen = tokio::task::spawn_blocking(move || {
        client_env(&url, &token, &h, &[("EDITOR", &e), ("VISUAL", &e)])
    })
    .await
    .unwrap();
    screen.wait_for("Can I get an invoice?");
    screen.keys("\r");
    screen.wait_for("┏ Can I get an invoice?");
    screen.keys("r");
    screen.wait_for("reply via");
    screen.keys("Here it is");
    screen.keys("\u{1b}e");
    screen.wait_for("attached to this mail.");
    screen.keys("\u{13}");
    let got = first_replies(&desk, conv).await;
    assert_eq!(
        got,
        vec!["Here it is, attached to this mail."],
        "{}",
        screen.text()
    );
}

#[test]
fn the_server_and_token_can_come_from_the_config_file() {
    let desk = Desk::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("server = \"{}\"\ntoken = \"fdk_from_config\"\n", desk.url),
    )
    .unwrap();
    let out = std::process::Command::new(BIN)
        .args(["--config", config.to_str().unwrap()])
        .env("HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("FRONTDESK_SERVER")
        .env_remove("FRONTDESK_TOKEN")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("token was refused"),
        "the config's server was asked: {err}"
    );
    // A flag wins over the file.
    let out = std::process::Command::new(BIN)
        .args([
            "--config",
            config.to_str().unwrap(),
            "--server",
            "http://127.0.0.1:9",
        ])
        .env("HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unreachable") && err.contains("127.0.0.1:9"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mouse_click_opens_a_conversation_and_its_attachment_is_saved_from_the_keyboard() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let hash = frontdesk::server::files::Files::new(&desk.data())
        .put(b"%PDF-1.7 march invoice".to_vec())
        .await
        .unwrap();
    let mut with_file = customer("inv", "u1", "Here is the invoice");
    with_file["attachments"] = serde_json::json!([{
        "kind": "file",
        "name": "march.pdf",
        "url": "https://files.example/placeholder",
        "size": 22
    }]);
    desk.inbound(ch, &secret, &with_file).await;
    // Integrations may not link the desk's own files, nor send names with control
    // characters: the stored file and a hostile name (as older desks may hold) are put in
    // their place.
    rusqlite::Connection::open(desk.data().join("frontdesk.db"))
        .unwrap()
        .execute(
            "UPDATE attachments SET url = ?1, name = ?2",
            [
                frontdesk::server::files::Files::url(&hash),
                "../march\u{1b}[2J.pdf".to_string(),
            ],
        )
        .unwrap();
    desk.inbound(ch, &secret, &customer("other", "u2", "Newest question"))
        .await;
    let home = tempfile::tempdir().unwrap();
    let downloads = home.path().join("saved");
    let (url, token, h, d) = (
        desk.url.clone(),
        desk.agent.clone(),
        home.path().to_path_buf(),
        downloads.display().to_string(),
    );
    let mut screen = tokio::task::spawn_blocking(move || {
        client_env(&url, &token, &h, &[("FRONTDESK_DOWNLOADS", &d)])
    })
    .await
    .unwrap();
    screen.wait_for("Here is the invoice");
    // The list's rows start on the fourth line; the invoice is the second row. One click
    // picks it, a second opens it (SGR mouse reports, 1-based, press then release).
    let click = "\u{1b}[<0;20;5M\u{1b}[<0;20;5m";
    screen.keys(click);
    screen.keys(click);
    screen.wait_for("march.pdf");
    // Opening it gave the thread the keyboard: Enter lists its attachments.
    screen.keys("\r");
    screen.wait_for("attachments: Enter save");
    screen.keys("\r");
    screen.wait_for("saved to");
    let saved = downloads.join("march.pdf");
    assert_eq!(
        std::fs::read(&saved).unwrap_or_default(),
        b"%PDF-1.7 march invoice",
        "{}",
        screen.text()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_sent_by_another_agent_while_a_draft_is_open_is_shown_before_sending() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, r) = desk
        .inbound(ch, &secret, &customer("t", "u", "Where is my parcel?"))
        .await;
    let conv = r["conversation_id"].as_i64().unwrap();
    let (home_a, home_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let start = |token: &str, home: &Path| {
        let (url, token, home) = (desk.url.clone(), token.to_string(), home.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let screen = client(&url, &token, &home);
            screen.wait_for("Where is my parcel?");
            screen
        })
    };
    let (bo, ada) = (
        start(&desk.agent, home_a.path()),
        start(&desk.admin, home_b.path()),
    );
    let (mut bo, mut ada) = (bo.await.unwrap(), ada.await.unwrap());
    for screen in [&mut bo, &mut ada] {
        screen.keys("\r");
        screen.wait_for("┏ Where is my parcel?");
        screen.keys("r");
        screen.wait_for("reply via");
    }

    // Bo starts a draft; Ada replies meanwhile.
    bo.keys("Checking with the courier.");
    bo.wait_for("Checking with the courier.");
    ada.keys("It ships today.");
    ada.keys("\u{13}");
    assert_eq!(first_replies(&desk, conv).await, ["It ships today."]);
    bo.wait_for("It ships today.");

    // Bo's Ctrl-S shows Ada's reply and asks; nothing is sent until Bo says yes.
    bo.keys("\u{13}");
    bo.wait_for("send yours anyway?");
    bo.wait_for("Ada Admin just replied");
    assert_eq!(replies(&desk, conv).await, ["It ships today."]);
    bo.keys("y");
    bo.wait_gone("send yours anyway?");
    let mut got = Vec::new();
    for _ in 0..100 {
        got = replies(&desk, conv).await;
        if got.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(got, ["It ships today.", "Checking with the courier."]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_writing_a_reply_shows_as_replying_to_the_other_agent_viewing_it() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    desk.inbound(ch, &secret, &customer("t", "u", "Refund for order 1182"))
        .await;
    let (home_a, home_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let start = |token: &str, home: &Path| {
        let (url, token, home) = (desk.url.clone(), token.to_string(), home.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let mut screen = client(&url, &token, &home);
            screen.wait_for("Refund for order 1182");
            screen.wait_for("live");
            screen.keys("\r");
            screen.wait_for("┏ Refund for order 1182");
            screen
        })
    };
    let (bo, ada) = (
        start(&desk.agent, home_a.path()),
        start(&desk.admin, home_b.path()),
    );
    let (bo, mut ada) = (bo.await.unwrap(), ada.await.unwrap());
    ada.keys("r");
    ada.wait_for("reply via");
    bo.wait_for("Ada Admin is replying…");
    // Leaving the editor ends it at once for the others.
    ada.keys("\u{1b}");
    bo.wait_gone("is replying…");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mention_typed_in_a_note_reaches_the_other_agents_client() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    desk.inbound(ch, &secret, &customer("t", "u", "Chargeback on invoice 77"))
        .await;
    let (home_a, home_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let start = |token: &str, home: &Path| {
        let (url, token, home) = (desk.url.clone(), token.to_string(), home.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let screen = client(&url, &token, &home);
            screen.wait_for("Chargeback on invoice 77");
            screen.wait_for("live");
            screen
        })
    };
    let (bo, ada) = (
        start(&desk.agent, home_a.path()),
        start(&desk.admin, home_b.path()),
    );
    let (mut bo, ada) = (bo.await.unwrap(), ada.await.unwrap());
    bo.keys("\r");
    bo.wait_for("┏ Chargeback on invoice 77");
    bo.keys("n");
    bo.wait_for("internal note");
    bo.keys("can you look @");
    bo.wait_for("Enter mentions");
    bo.keys("ada");
    bo.wait_for("ada@desk.example");
    bo.keys("\r");
    bo.wait_for("can you look @Ada Admin");
    bo.keys("\u{13}");
    ada.wait_for("Bo Agent mentioned you in #");
    ada.wait_for("@1");
}
