//! `frontdesk watch` as a script runs it: every event once, in order, across a server restart,
//! and the position to continue from printed when it is stopped.

mod common;

use common::{BIN, Desk, customer};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `frontdesk watch` whose output lines arrive on a channel.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watch {
    fn start(desk: &Desk, config: &tempfile::TempDir, args: &[&str]) -> Watch {
        let mut child = Command::new(BIN)
            .arg("watch")
            .args(args)
            .env("FRONTDESK_SERVER", &desk.url)
            .env("FRONTDESK_TOKEN", &desk.agent)
            .env("XDG_CONFIG_HOME", config.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap()).is_err() {
                    return;
                }
            }
        });
        Watch {
            child,
            lines,
            seen: vec![],
        }
    }

    /// Reads lines until one satisfies `done` (30 s at most); returns it.
    fn until(&mut self, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no such line; saw {:#?}", self.seen));
            self.seen.push(line.clone());
            if done(&line) {
                return line;
            }
        }
    }

    /// Stops it with SIGINT; returns its exit success and stderr.
    fn interrupt(mut self) -> (bool, String, Vec<String>) {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        let status = self.child.wait().unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        self.seen.extend(self.lines.try_iter());
        (status.success(), stderr, self.seen)
    }
}

fn seq(line: &str) -> i64 {
    let event: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    event["seq"].as_i64().unwrap()
}

#[tokio::test]
async fn watch_resumes_across_a_server_restart_without_a_gap_and_says_where_it_stopped() {
    let mut desk = Desk::start();
    let config = tempfile::tempdir().unwrap();
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let (_, first) = desk
        .inbound(channel, &secret, &customer("a", "a", "Before the restart"))
        .await;
    let mut watch = Watch::start(&desk, &config, &["--since", "0", "--json"]);
    let before = desk.api(&desk.admin).seq().await;
    watch.until(|l| seq(l) == before);

    // The server dies; the desk changes while nobody serves it; it comes back on its port.
    desk.kill9();
    let data = desk.data();
    common::run_ok(&[
        "channel",
        "add",
        "--data",
        data.to_str().unwrap(),
        "--name",
        "Added while down",
    ]);
    desk.spawn_same_port();
    let (_, second) = desk
        .inbound(channel, &secret, &customer("b", "b", "After the restart"))
        .await;
    let last = desk.api(&desk.admin).seq().await;
    watch.until(|l| seq(l) == last);

    let (ok, stderr, lines) = watch.interrupt();
    assert!(ok, "{stderr}");
    let seqs: Vec<i64> = lines.iter().map(|l| seq(l)).collect();
    let expected: Vec<i64> = (seqs[0]..=last).collect();
    assert_eq!(seqs, expected, "every event once, in order");
    assert_eq!(seqs[0], 1);
    let text = lines.join("\n");
    assert!(text.contains("Added while down"), "{text}");
    for id in [&first["conversation_id"], &second["conversation_id"]] {
        assert!(
            text.contains(&format!(
                "\"type\":\"message.created\",\"conversation_id\":{id}"
            )),
            "{text}"
        );
    }
    assert!(
        stderr.contains(&format!("resume with --since {last}")),
        "{stderr}"
    );

    // Continuing from the printed position starts with the next event.
    desk.inbound(channel, &secret, &customer("c", "c", "Later"))
        .await;
    let since = last.to_string();
    let mut again = Watch::start(&desk, &config, &["--since", &since, "--json"]);
    let next = again.until(|_| true);
    assert_eq!(seq(&next), last + 1);
    again.interrupt();
}

#[tokio::test]
async fn watch_prints_readable_lines_and_filters_by_type_and_conversation() {
    let desk = Desk::start();
    let config = tempfile::tempdir().unwrap();
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let (_, one) = desk
        .inbound(
            channel,
            &secret,
            &customer("a", "a", "First \u{1b}[2Jthread"),
        )
        .await;
    let (_, two) = desk
        .inbound(channel, &secret, &customer("b", "b", "Second thread"))
        .await;
    let (one, two) = (&one["conversation_id"], &two["conversation_id"]);
    let last = desk.api(&desk.admin).seq().await;

    let mut text = Watch::start(&desk, &config, &["--since", "0"]);
    text.until(|l| l.starts_with(&format!("{last} ")));
    let (_, _, lines) = text.interrupt();
    let created = lines
        .iter()
        .find(|l| l.contains("message.created") && l.contains(&format!("#{one} ")))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        created.contains("First thread") && !created.contains('\u{1b}'),
        "{created}"
    );

    let id = two.to_string();
    let mut only = Watch::start(
        &desk,
        &config,
        &[
            "--since",
            "0",
            "--json",
            "--type",
            "message.created",
            "--conversation",
            &id,
        ],
    );
    let line = only.until(|_| true);
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (&event["type"], &event["conversation_id"]),
        (&Value::from("message.created"), two)
    );
    let (ok, stderr, lines) = only.interrupt();
    assert!(ok, "{stderr}");
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let stopped: i64 = stderr
        .rsplit_once("resume with --since ")
        .and_then(|(_, n)| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{stderr}"));
    // It had read at least up to the event it printed, and nothing beyond the desk's newest.
    assert!(
        stopped >= event["seq"].as_i64().unwrap() && stopped <= last,
        "{stderr}"
    );
}
