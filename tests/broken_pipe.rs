//! Every command that prints stops quietly when its reader has gone (`| head -1`): no panic,
//! nothing on stderr, a successful exit.

mod common;

use common::{BIN, add_agent};
use std::process::{Command, Stdio};

/// Runs `frontdesk args` with a stdout pipe whose reading end is closed before the command
/// writes anything; asserts a quiet, successful exit.
fn assert_quiet_on_closed_stdout(args: &[&str]) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn frontdesk");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for frontdesk");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    assert!(out.status.success(), "{args:?} exited with {}", out.status);
}

#[test]
fn printing_commands_exit_quietly_when_stdout_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    add_agent(dir.path(), "ada@desk.example", "Ada Admin", "admin");
    assert_quiet_on_closed_stdout(&["seed", "--data", data, "--conversations", "3"]);
    assert_quiet_on_closed_stdout(&["channel", "list", "--data", data, "--json"]);
    assert_quiet_on_closed_stdout(&["channel", "list", "--data", data]);
    assert_quiet_on_closed_stdout(&["portal", "list", "--data", data]);
    assert_quiet_on_closed_stdout(&[
        "agent",
        "add",
        "--data",
        data,
        "--email",
        "cy@desk.example",
        "--name",
        "Cy",
    ]);
    assert_quiet_on_closed_stdout(&[
        "agent",
        "token",
        "--data",
        data,
        "--email",
        "cy@desk.example",
    ]);
}

#[test]
fn serve_stops_quietly_when_nobody_reads_its_listening_line() {
    let dir = tempfile::tempdir().unwrap();
    // A desk private to its owner, so the server has no warning to give either.
    let desk = dir.path().join("desk");
    let data = desk.to_str().unwrap();
    assert_quiet_on_closed_stdout(&["serve", "--data", data, "--listen", "127.0.0.1:0"]);
}
