//! A real `frontdesk serve` on a loopback port, driven over HTTP and websockets.
#![allow(dead_code)]

pub mod browser;
pub mod pty;

use frontdesk::server::signature::sign;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub const BIN: &str = env!("CARGO_BIN_EXE_frontdesk");

/// Runs the binary to completion; panics unless it succeeds. Returns stdout.
pub fn run_ok(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("run frontdesk");
    assert!(
        out.status.success(),
        "frontdesk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Creates an agent with the CLI and returns its token (the last line of stdout).
pub fn add_agent(data: &Path, email: &str, name: &str, role: &str) -> String {
    let out = run_ok(&[
        "agent",
        "add",
        "--data",
        data.to_str().unwrap(),
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
    ]);
    out.lines().last().unwrap().trim().to_string()
}

/// A server process over a desk in a temporary directory.
pub struct Desk {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub admin: String,
    pub agent: String,
    /// The SMTP listener's `HOST:PORT`, when served with `--smtp-listen`.
    pub smtp: Option<String>,
    child: Option<Child>,
    extra: Vec<String>,
    listen: String,
    /// Where every run of the server writes its stderr; printed when a test fails.
    log: tempfile::NamedTempFile,
}

impl Desk {
    /// A new desk with an admin and an agent, served with `extra` serve flags.
    pub fn start_with(extra: &[&str]) -> Desk {
        Desk::start_in_with(tempfile::tempdir().unwrap(), extra)
    }

    /// Serves the desk already in `dir`, adding an admin and an agent.
    pub fn start_in(dir: tempfile::TempDir) -> Desk {
        Desk::start_in_with(dir, &[])
    }

    /// Serves the desk already in `dir` with `extra` serve flags, adding an admin and an agent.
    pub fn start_in_with(dir: tempfile::TempDir, extra: &[&str]) -> Desk {
        let admin = add_agent(dir.path(), "ada@desk.example", "Ada Admin", "admin");
        let agent = add_agent(dir.path(), "bo@desk.example", "Bo Agent", "agent");
        let mut desk = Desk {
            dir,
            url: String::new(),
            admin,
            agent,
            smtp: None,
            child: None,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            listen: "127.0.0.1:0".into(),
            log: tempfile::NamedTempFile::new().unwrap(),
        };
        desk.spawn();
        desk
    }

    pub fn start() -> Desk {
        Desk::start_with(&[])
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// The server process's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Starts the server process and waits for its `listening on` line.
    pub fn spawn(&mut self) {
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--data",
                self.dir.path().to_str().unwrap(),
                "--listen",
                &self.listen,
            ])
            .args(&self.extra)
            .stdout(Stdio::piped())
            .stderr(
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(self.log.path())
                    .unwrap(),
            )
            .spawn()
            .expect("spawn server");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        if self.extra.iter().any(|a| a == "--smtp-listen") {
            let mut smtp = String::new();
            stdout.read_line(&mut smtp).unwrap();
            self.smtp = smtp
                .trim()
                .strip_prefix("smtp listening on ")
                .map(str::to_string);
        }
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        self.url = url;
        self.child = Some(child);
    }

    /// Kills the server with SIGKILL: no chance to flush anything.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// Sends SIGTERM and waits; returns whether it exited with success.
    pub fn terminate(&mut self) -> bool {
        let mut c = self.child.take().expect("running");
        Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status()
            .unwrap();
        c.wait().unwrap().success()
    }

    pub fn restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    /// Starts the server again on the address it had, so clients find it where they left it.
    pub fn spawn_same_port(&mut self) {
        self.listen = self.url.trim_start_matches("http://").to_string();
        self.spawn();
    }

    pub fn api(&self, token: &str) -> Api {
        Api {
            base: format!("{}/api/v1", self.url),
            token: token.to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// Creates a custom channel as admin; returns (id, secret).
    pub async fn custom_channel(&self, name: &str) -> (i64, String) {
        let (status, body) = self
            .api(&self.admin)
            .post("/channels", json!({"kind": "custom", "name": name}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["id"].as_i64().unwrap(),
            body["secret"].as_str().unwrap().to_string(),
        )
    }

    /// Posts a signed inbound message; returns the status and body.
    pub async fn inbound(&self, channel: i64, secret: &str, body: &Value) -> (StatusCode, Value) {
        let raw = serde_json::to_vec(body).unwrap();
        self.inbound_raw(channel, Some(&sign(secret, &raw)), raw)
            .await
    }

    /// Posts raw bytes to the inbound endpoint with an optional signature header.
    pub async fn inbound_raw(
        &self,
        channel: i64,
        signature: Option<&str>,
        raw: Vec<u8>,
    ) -> (StatusCode, Value) {
        let mut req = reqwest::Client::new()
            .post(format!("{}/api/v1/channels/{channel}/inbound", self.url))
            .header("content-type", "application/json")
            .body(raw);
        if let Some(sig) = signature {
            req = req.header("x-frontdesk-signature", sig);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Opens the event stream as `token` from `since`.
    pub async fn events(&self, token: &str, since: Option<i64>) -> Events {
        let mut url = format!(
            "{}/api/v1/events?token={token}",
            self.url.replace("http://", "ws://")
        );
        if let Some(s) = since {
            url.push_str(&format!("&since={s}"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connect events");
        Events { ws }
    }
}

impl Drop for Desk {
    /// Stops the server; when the test is failing, prints what the server wrote on stderr.
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.log.path()).unwrap_or_default();
            eprintln!("--- server stderr ---\n{log}--- end of server stderr ---");
        }
    }
}

/// A customer message as an integration would post it.
pub fn customer(thread: &str, sender: &str, text: &str) -> Value {
    json!({"thread_id": thread, "sender": {"id": sender, "name": format!("Customer {sender}")}, "text": text})
}

/// An HTTP client holding one agent's token.
pub struct Api {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.bearer_auth(&self.token).send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.patch(format!("{}{path}", self.base)).json(&body))
            .await
    }

    /// Sends raw bytes as a JSON body.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        self.send(
            self.http
                .request(method, format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    /// GET that must succeed.
    pub async fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// The ids of a conversation list.
    pub async fn ids(&self, query: &str) -> Vec<i64> {
        self.ok(&format!("/conversations?{query}")).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    }

    /// Message `id` of `conversation`, as its thread shows it.
    pub async fn message(&self, conversation: i64, id: i64) -> Value {
        let page = self
            .ok(&format!("/conversations/{conversation}/messages?limit=200"))
            .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("message {id} not in {page}"))
    }

    /// Polls message `id` of `conversation` until `done` holds (10 s at most); returns it.
    pub async fn message_until(
        &self,
        conversation: i64,
        id: i64,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        for _ in 0..400 {
            let m = self.message(conversation, id).await;
            if done(&m) {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!(
            "message {id} never got there: {}",
            self.message(conversation, id).await
        );
    }

    /// The newest event sequence number.
    pub async fn seq(&self) -> i64 {
        self.ok("/conversations?limit=1").await["seq"]
            .as_i64()
            .unwrap()
    }
}

/// A connected event stream.
pub struct Events {
    pub ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Events {
    /// The next event, skipping pings; panics after 10 s of silence.
    pub async fn next(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .expect("an event within 10 s")
                .expect("stream open")
                .expect("frame");
            match msg {
                Message::Text(t) => return serde_json::from_str(&t).unwrap(),
                Message::Close(f) => panic!("stream closed: {f:?}"),
                _ => continue,
            }
        }
    }

    /// The next `n` events.
    pub async fn take(&mut self, n: usize) -> Vec<Value> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.next().await);
        }
        out
    }

    /// Reads until an event of `kind` arrives, returning it.
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            let e = self.next().await;
            if e["type"] == kind {
                return e;
            }
        }
    }
}
