//! What the portal tests share: an SMTP sink on loopback that catches the portal's mail, a
//! customer's browser-less HTTP client with its own cookies, and a desk with a portal.
#![allow(dead_code)]

use crate::common::Desk;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One mail the sink received.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

impl Mail {
    /// The first http(s) link of the body.
    pub fn link(&self) -> String {
        let start = self.body.find("http").expect("a link in the mail");
        self.body[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    }
}

/// A minimal SMTP server on loopback that keeps every message.
#[derive(Clone)]
pub struct SmtpSink {
    pub url: String,
    mails: Arc<Mutex<Vec<Mail>>>,
    arrived: Arc<Notify>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let sink = SmtpSink {
            url,
            mails: Arc::default(),
            arrived: Arc::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move { s.session(tcp).await });
            }
        });
        sink
    }

    async fn session(&self, tcp: tokio::net::TcpStream) {
        let (read, mut write) = tcp.into_split();
        let mut lines = BufReader::new(read);
        let _ = write.write_all(b"220 sink ESMTP\r\n").await;
        let mut to = Vec::new();
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let upper = line.to_ascii_uppercase();
            let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250 sink\r\n"
            } else if upper.starts_with("RCPT TO:") {
                let addr = line[8..].trim().trim_matches(['<', '>']).to_string();
                to.push(addr);
                b"250 OK\r\n"
            } else if upper.starts_with("DATA") {
                let _ = write.write_all(b"354 go on\r\n").await;
                let mut raw = String::new();
                loop {
                    let mut l = String::new();
                    if lines.read_line(&mut l).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if l == ".\r\n" {
                        break;
                    }
                    raw.push_str(l.strip_prefix('.').unwrap_or(&l));
                }
                let parsed = mail_parser::MessageParser::default()
                    .parse(raw.as_bytes())
                    .expect("a parsable mail");
                let mail = Mail {
                    to: std::mem::take(&mut to),
                    subject: parsed.subject().unwrap_or("").to_string(),
                    body: parsed.body_text(0).unwrap_or_default().to_string(),
                };
                self.mails.lock().unwrap().push(mail);
                self.arrived.notify_waiters();
                b"250 OK queued\r\n"
            } else if upper.starts_with("QUIT") {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            } else {
                b"250 OK\r\n"
            };
            if write.write_all(answer).await.is_err() {
                return;
            }
        }
    }

    /// Every mail received so far to `to`.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        self.mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .cloned()
            .collect()
    }

    /// Waits (10 s at most) for the `n`th mail to `to` (1-based).
    pub async fn wait_for(&self, to: &str, n: usize) -> Mail {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.arrived.notified();
            if let Some(m) = self.mails_to(to).get(n - 1) {
                return m.clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("no mail #{n} to {to} within 10 s");
            }
        }
    }
}

/// A customer's browser without JavaScript: cookies kept, redirects not followed.
pub struct Customer {
    pub base: String,
    pub http: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

/// An answer: status, `Location` header, body.
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Answer {
    /// The anti-forgery token of the page's forms.
    pub fn csrf(&self) -> String {
        hidden(&self.body, "csrf")
    }
}

/// Percent-encodes a form value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The value of the hidden input `name` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

impl Customer {
    pub fn new(desk: &Desk) -> Customer {
        Customer {
            base: desk.url.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Answer {
        let resp = req
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        for value in resp.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let body = resp.text().await.unwrap();
        Answer {
            status,
            location,
            body,
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let req = self.http.get(self.url(path));
        self.send(req).await
    }

    /// Raw bytes of a GET (downloads).
    pub async fn bytes(&mut self, path: &str) -> (StatusCode, Vec<u8>) {
        let resp = self
            .http
            .get(self.url(path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        (resp.status(), resp.bytes().await.unwrap().to_vec())
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = self
            .http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// A multipart form with text fields and files (name, bytes).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: Vec<(&str, Vec<u8>)>,
    ) -> Answer {
        const BOUNDARY: &str = "----portal-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; \
                     filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(&bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let req = self
            .http
            .post(self.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
        self.send(req).await
    }

    /// Signs up on portal `slug`, follows the mailed link and chooses `password`.
    pub async fn sign_up(&mut self, sink: &SmtpSink, slug: &str, email: &str, password: &str) {
        let before = sink.mails_to(email).len();
        let page = self.get(&format!("/portal/{slug}/signup")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let answer = self
            .post(
                &format!("/portal/{slug}/signup"),
                &[("csrf", &page.csrf()), ("email", email)],
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let mail = sink.wait_for(email, before + 1).await;
        self.choose_password(&mail.link(), slug, password).await;
    }

    /// Opens an e-mailed link and sets `password`; ends signed in.
    pub async fn choose_password(&mut self, link: &str, slug: &str, password: &str) {
        let page = self.get(link).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let token = hidden(&page.body, "token");
        let done = self
            .post(
                &format!("/portal/{slug}/password"),
                &[
                    ("csrf", &page.csrf()),
                    ("token", &token),
                    ("password", password),
                    ("confirm", password),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(self.cookies.contains_key("fd_session"));
    }

    /// Signs in; answers the sign-in POST.
    pub async fn sign_in(&mut self, slug: &str, email: &str, password: &str) -> Answer {
        let page = self.get(&format!("/portal/{slug}/signin")).await;
        self.post(
            &format!("/portal/{slug}/signin"),
            &[
                ("csrf", &page.csrf()),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// Opens a ticket with the support form; answers its id.
    pub async fn open_ticket(
        &mut self,
        slug: &str,
        subject: &str,
        body: &str,
        files: Vec<(&str, Vec<u8>)>,
    ) -> i64 {
        let page = self.get(&format!("/portal/{slug}/tickets/new")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let answer = self
            .post_multipart(
                &format!("/portal/{slug}/tickets/new"),
                &[("csrf", &page.csrf()), ("subject", subject), ("body", body)],
                files,
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let location = answer.location.unwrap();
        location
            .split("/tickets/")
            .nth(1)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// Answers a ticket from its page; answers the POST.
    pub async fn reply(&mut self, slug: &str, ticket: i64, text: &str) -> Answer {
        let csrf = self.csrf_of(slug).await;
        self.post_multipart(
            &format!("/portal/{slug}/tickets/{ticket}/reply"),
            &[("csrf", &csrf), ("body", text)],
            vec![],
        )
        .await
    }

    /// The session's anti-forgery token, read from the ticket list.
    pub async fn csrf_of(&mut self, slug: &str) -> String {
        self.get(&format!("/portal/{slug}/tickets")).await.csrf()
    }
}

/// A desk serving portal mail through a fresh SMTP sink.
pub async fn desk_with_mail() -> (Desk, SmtpSink) {
    let sink = SmtpSink::start().await;
    let desk = Desk::start_with(&[
        "--smtp-relay",
        &sink.url,
        "--mail-from",
        "Acme Support <support@acme.example>",
    ]);
    (desk, sink)
}

/// Creates a portal as admin; answers it.
pub async fn portal(desk: &Desk, body: Value) -> Value {
    let (status, portal) = desk.api(&desk.admin).post("/portals", body).await;
    assert_eq!(status, StatusCode::CREATED, "{portal}");
    portal
}

/// Makes a contact with `email` exist by a message on a custom channel; answers the
/// conversation and contact ids.
pub async fn contact(desk: &Desk, channel: (i64, &str), email: &str, subject: &str) -> (i64, i64) {
    let (status, body) = desk
        .inbound(
            channel.0,
            channel.1,
            &json!({
                "thread_id": format!("thread-{email}"),
                "sender": {"id": email, "name": email.split('@').next().unwrap(), "email": email},
                "text": subject,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let conversation = body["conversation_id"].as_i64().unwrap();
    let detail = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{conversation}"))
        .await;
    (conversation, detail["contact_id"].as_i64().unwrap())
}

/// Puts contacts in one company, straight in the database (the API has no company editing).
pub fn same_company(desk: &Desk, contacts: &[i64]) {
    let db = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    db.execute(
        "INSERT INTO companies (name, domain) VALUES ('Acme', 'acme.example')",
        [],
    )
    .unwrap();
    let company = db.last_insert_rowid();
    for c in contacts {
        db.execute(
            "UPDATE contacts SET company_id = ?1 WHERE id = ?2",
            (company, c),
        )
        .unwrap();
    }
}

/// How many messages a conversation has, as agents see it.
pub async fn message_count(desk: &Desk, conversation: i64) -> usize {
    desk.api(&desk.agent)
        .ok(&format!("/conversations/{conversation}/messages?limit=500"))
        .await["items"]
        .as_array()
        .unwrap()
        .len()
}
