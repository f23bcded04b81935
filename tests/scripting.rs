//! The scripting commands as a shell runs them: the real binary against a real server.

mod common;

use common::{BIN, Desk, customer};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The binary, pointed at `desk` as Bo (an agent) and at an empty config directory.
fn frontdesk(desk: &Desk, config: &tempfile::TempDir) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("FRONTDESK_SERVER", &desk.url)
        .env("FRONTDESK_TOKEN", &desk.agent)
        .env("XDG_CONFIG_HOME", config.path())
        .env_remove("FRONTDESK_DATA");
    cmd
}

/// Runs `cmd` with `stdin` as standard input.
fn run(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

struct Shell {
    desk: Desk,
    config: tempfile::TempDir,
}

impl Shell {
    async fn start() -> Shell {
        Shell {
            desk: Desk::start(),
            config: tempfile::tempdir().unwrap(),
        }
    }

    /// `frontdesk ARGS < stdin`.
    fn with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut cmd = frontdesk(&self.desk, &self.config);
        cmd.args(args);
        run(cmd, stdin)
    }

    fn out(&self, args: &[&str]) -> Output {
        self.with_stdin(args, "")
    }

    /// Stdout of a command that must succeed.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.out(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Opens conversations from customers; returns their ids.
    async fn conversations(&self, texts: &[&str]) -> Vec<i64> {
        let (channel, secret) = self.desk.custom_channel("Bridge").await;
        let mut ids = vec![];
        for (i, text) in texts.iter().enumerate() {
            let (status, body) = self
                .desk
                .inbound(
                    channel,
                    &secret,
                    &customer(&format!("t{i}"), &format!("s{i}"), text),
                )
                .await;
            assert_eq!(status, 202, "{body}");
            ids.push(body["conversation_id"].as_i64().unwrap());
        }
        ids
    }

    async fn conversation(&self, id: i64) -> Value {
        self.desk
            .api(&self.desk.admin)
            .ok(&format!("/conversations/{id}"))
            .await
    }
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn conversations_print_a_clean_table_or_ndjson_with_the_api_field_names() {
    let shell = Shell::start().await;
    let ids = shell
        .conversations(&[
            "Backups fail \u{1b}]0;pwned\u{7}\u{1b}[31mred",
            "Invoice is wrong",
            "Cannot log in",
        ])
        .await;
    let table = shell.ok(&["conversations"]);
    assert!(!table.contains('\u{1b}'), "{table:?}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].contains("ID") && lines[0].contains("SUBJECT"),
        "{table}"
    );
    assert_eq!(lines.len(), 4, "{table}");
    assert!(
        lines[1].contains("Cannot log in") && lines[1].contains("new"),
        "{table}"
    );
    assert!(lines[3].contains("Backups fail red"), "{table}");

    let rows = ndjson(&shell.ok(&["conversations", "--json"]));
    let got: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(got, ids.iter().rev().copied().collect::<Vec<_>>());
    for field in [
        "subject",
        "status",
        "priority",
        "owner_id",
        "channel_id",
        "contact_id",
    ] {
        assert!(rows[0].get(field).is_some(), "{field} in {}", rows[0]);
    }
    assert_eq!(
        ndjson(&shell.ok(&["conversations", "--json", "--limit", "1"])).len(),
        1
    );
    let found = ndjson(&shell.ok(&["conversations", "--json", "--q", "invoice"]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], ids[1]);
    assert_eq!(
        ndjson(&shell.ok(&["conversations", "--json", "--all"])).len(),
        3
    );
}

#[tokio::test]
async fn ids_piped_from_a_search_are_closed_and_the_rest_untouched() {
    let shell = Shell::start().await;
    let ids = shell
        .conversations(&[
            "Outage INC-4211 took our shop down",
            "Unrelated question",
            "Still down, INC-4211",
        ])
        .await;
    let found = shell.ok(&["conversations", "--q", "INC-4211", "--json"]);
    let out = shell.with_stdin(&["close", "--stdin", "--json"], &found);
    assert!(out.status.success(), "{}", stderr(&out));
    let closed = ndjson(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(closed.len(), 2);
    assert!(closed.iter().all(|c| c["status"] == "closed"));
    for (id, want) in [(ids[0], "closed"), (ids[1], "new"), (ids[2], "closed")] {
        assert_eq!(shell.conversation(id).await["status"], want, "#{id}");
    }
    // Plain ids work too, and each change is printed.
    let out = shell.with_stdin(
        &["reopen", "--stdin"],
        &format!("{}\n#{}\n", ids[0], ids[2]),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("#{}: status waiting_on_us", ids[0])),
        "{text}"
    );
    assert_eq!(shell.conversation(ids[2]).await["status"], "waiting_on_us");
}

#[tokio::test]
async fn a_reply_retried_with_the_same_client_id_is_stored_once() {
    let shell = Shell::start().await;
    let id = shell.conversations(&["Where is my parcel?"]).await[0].to_string();
    let first = shell.with_stdin(&["reply", &id, "--client-id", "retry-1"], "On its way.\n");
    assert!(first.status.success(), "{}", stderr(&first));
    let again = shell.with_stdin(
        &["reply", &id, "--client-id", "retry-1", "--json"],
        "On its way.\n",
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let message: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(message["client_id"], "retry-1");
    let thread = shell.conversation(id.parse().unwrap()).await;
    let replies: Vec<&Value> = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "outbound")
        .collect();
    assert_eq!(replies.len(), 1, "{thread}");
    assert_eq!(replies[0]["id"], message["id"]);

    // A note from a file, with a generated client id.
    let file = shell.config.path().join("note.txt");
    std::fs::write(&file, "Checked the courier.").unwrap();
    let out = shell.ok(&["note", &id, "--body-file", file.to_str().unwrap()]);
    assert!(
        out.starts_with(&format!("noted on #{id}: message")),
        "{out}"
    );
    let thread = shell.conversation(id.parse().unwrap()).await;
    let last = thread["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["internal"].clone(), last["body"].clone()),
        (json!(true), json!("Checked the courier."))
    );

    // Nothing to send is a usage error, and nothing is stored.
    let empty = shell.with_stdin(&["note", &id], "  \n");
    assert_eq!(empty.status.code(), Some(2), "{}", stderr(&empty));
    let after = shell.conversation(id.parse().unwrap()).await;
    assert_eq!(after["message_count"], thread["message_count"]);
}

#[tokio::test]
async fn files_attached_on_the_command_line_travel_with_the_reply() {
    let shell = Shell::start().await;
    let id = shell.conversations(&["Send me the invoice"]).await[0].to_string();
    let dir = shell.config.path();
    let invoice = dir.join("invoice.pdf");
    std::fs::write(&invoice, b"%PDF-1.4 fake invoice").unwrap();
    let photo = dir.join("box.png");
    std::fs::write(&photo, b"\x89PNG not really").unwrap();

    let out = shell.ok(&[
        "reply",
        &id,
        "--body",
        "Here it is.",
        "--attach",
        invoice.to_str().unwrap(),
        "--attach",
        photo.to_str().unwrap(),
        "--json",
    ]);
    let message: Value = serde_json::from_str(&out).unwrap();
    let files: Vec<(Value, Value, Value)> = message["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].clone(), a["mime_type"].clone(), a["size"].clone()))
        .collect();
    assert_eq!(
        files,
        vec![
            (json!("invoice.pdf"), json!("application/pdf"), json!(21)),
            (json!("box.png"), json!("image/png"), json!(15)),
        ],
        "{message}"
    );
    let url = message["attachments"][0]["url"].as_str().unwrap();
    let stored = reqwest::Client::new()
        .get(format!("{}{url}", shell.desk.url))
        .bearer_auth(&shell.desk.agent)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stored.bytes().await.unwrap().as_ref(),
        b"%PDF-1.4 fake invoice"
    );

    // A note may be only a file.
    let note = shell.ok(&["note", &id, "--attach", invoice.to_str().unwrap(), "--json"]);
    let note: Value = serde_json::from_str(&note).unwrap();
    assert_eq!(note["internal"], true);
    assert_eq!(note["attachments"][0]["name"], "invoice.pdf");

    // A missing file or too many files are usage errors, refused before anything is sent.
    let before = shell.conversation(id.parse().unwrap()).await["message_count"].clone();
    let missing = dir.join("nope.txt");
    let out = shell.out(&[
        "reply",
        &id,
        "--body",
        "x",
        "--attach",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nope.txt"), "{}", stderr(&out));
    let mut many = vec!["reply", id.as_str(), "--body", "x"];
    for _ in 0..11 {
        many.extend(["--attach", invoice.to_str().unwrap()]);
    }
    let out = shell.out(&many);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("at most 10 files"),
        "{}",
        stderr(&out)
    );
    let after = shell.conversation(id.parse().unwrap()).await["message_count"].clone();
    assert_eq!(before, after);
}

#[tokio::test]
async fn assign_label_snooze_and_status_change_what_they_say() {
    let shell = Shell::start().await;
    let ids = shell.conversations(&["One", "Two"]).await;
    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    let out = shell.ok(&["assign", &a, &b, "ada@desk.example"]);
    assert!(out.contains(&format!("#{a}: owner Ada Admin")), "{out}");
    assert!(shell.conversation(ids[1]).await["owner_id"].is_number());
    shell.ok(&["assign", &a, "--nobody"]);
    assert!(shell.conversation(ids[0]).await["owner_id"].is_null());
    shell.ok(&["assign", &a, "--me"]);
    let me = shell.desk.api(&shell.desk.agent).ok("/me").await;
    assert_eq!(shell.conversation(ids[0]).await["owner_id"], me["id"]);

    shell.ok(&["label", &a, "+vip", "+billing"]);
    let out = shell.ok(&["label", "--json", &a, "-billing", "+urgent"]);
    assert_eq!(ndjson(&out)[0]["labels"], json!(["urgent", "vip"]));

    let out = shell.ok(&["snooze", &b, "4h"]);
    assert!(out.contains("snoozed until"), "{out}");
    assert!(shell.conversation(ids[1]).await["snoozed_until"].is_string());
    shell.ok(&["snooze", &b, "off"]);
    assert!(shell.conversation(ids[1]).await["snoozed_until"].is_null());

    shell.ok(&["status", &a, &b, "waiting_on_contact"]);
    assert_eq!(
        shell.conversation(ids[1]).await["status"],
        "waiting_on_contact"
    );
}

#[tokio::test]
async fn show_folds_quotes_and_prints_json() {
    let shell = Shell::start().await;
    let id = shell
        .conversations(&[
            "Thanks, that worked!\n\nOn Mon, 3 Jun 2024, Ana <ana@x.example> wrote:\n> Try again\n> please",
        ])
        .await[0]
        .to_string();
    let text = shell.ok(&["show", &id]);
    assert!(text.contains("Thanks, that worked!"), "{text}");
    assert!(
        text.contains("… 3 quoted lines") && !text.contains("Try again"),
        "{text}"
    );
    assert!(shell.ok(&["show", &id, "--quotes"]).contains("> Try again"));
    let detail: Value = serde_json::from_str(&shell.ok(&["show", &id, "--json"])).unwrap();
    assert_eq!(detail["id"].to_string(), id);
    assert_eq!(detail["messages"].as_array().unwrap().len(), 1);
    assert!(detail["contact"]["name"].is_string());
}

#[tokio::test]
async fn exit_codes_tell_refused_usage_and_unreachable_apart() {
    let shell = Shell::start().await;
    let id = shell.conversations(&["Hello"]).await[0].to_string();

    let refused = shell.out(&["status", "999999", "closed"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not found"), "{err}");

    // One refused among several: the others are done, the exit says something failed.
    let some = shell.out(&["close", &id, "999999"]);
    assert_eq!(some.status.code(), Some(1));
    assert!(stderr(&some).contains("#999999"), "{}", stderr(&some));
    assert_eq!(
        shell.conversation(id.parse().unwrap()).await["status"],
        "closed"
    );

    for usage in [
        vec!["close"],
        vec!["status", &id, "pending"],
        vec!["conversations", "--bogus"],
        vec!["snooze", &id, "soon"],
        vec!["label", &id],
    ] {
        let out = shell.out(&usage);
        assert_eq!(out.status.code(), Some(2), "{usage:?}: {}", stderr(&out));
    }

    let mut bad_token = frontdesk(&shell.desk, &shell.config);
    bad_token
        .env("FRONTDESK_TOKEN", "fdk_not_a_token")
        .args(["show", &id]);
    let out = run(bad_token, "");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("token"), "{}", stderr(&out));

    let mut nowhere = frontdesk(&shell.desk, &shell.config);
    nowhere
        .env("FRONTDESK_SERVER", "http://127.0.0.1:1")
        .args(["conversations"]);
    let out = run(nowhere, "");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("unreachable"), "{}", stderr(&out));
}

#[tokio::test]
async fn the_local_desk_is_used_without_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    common::run_ok(&["seed", "--data", data, "--conversations", "4"]);
    let out = Command::new(BIN)
        .args(["conversations", "--json", "--data", data])
        .env_remove("FRONTDESK_SERVER")
        .env_remove("FRONTDESK_TOKEN")
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = ndjson(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(rows.len(), 4);
    let id = rows[0]["id"].to_string();
    let out = Command::new(BIN)
        .args(["close", &id, "--data", data])
        .env_remove("FRONTDESK_SERVER")
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("status closed"));
}

#[tokio::test]
async fn completions_offer_the_servers_agents_and_teams() {
    let shell = Shell::start().await;
    let script = shell.ok(&["completions", "zsh"]);
    assert!(script.contains("bo@desk.example"), "{script}");
    let mut nowhere = frontdesk(&shell.desk, &shell.config);
    nowhere
        .env("FRONTDESK_SERVER", "http://127.0.0.1:1")
        .args(["completions", "zsh"]);
    let out = run(nowhere, "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("bo@desk.example"));
}

#[test]
fn completions_and_man_pages_are_generated() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("conversations") && script.contains("watch"),
            "{shell}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["man", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(dir.path().join("frontdesk.1")).unwrap();
    assert!(page.contains(".TH frontdesk"), "{page}");
    let close = std::fs::read_to_string(dir.path().join("frontdesk-close.1")).unwrap();
    assert!(close.contains("stdin"), "{close}");
    let bad = Command::new(BIN)
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test]
async fn output_to_a_closed_pipe_ends_quietly() {
    let shell = Shell::start().await;
    let id = shell.conversations(&["One", "Two", "Three"]).await[0].to_string();
    for args in [
        vec!["conversations"],
        vec!["conversations", "--json"],
        vec!["show", &id],
        vec!["watch", "--since", "0"],
    ] {
        let mut child = frontdesk(&shell.desk, &shell.config)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "{args:?}: {}", stderr(&out));
    }
}
