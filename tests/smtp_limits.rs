//! The SMTP listener holds under abuse, over real SMTP conversations with the real binary:
//! one address cannot take every session, no-op commands do not keep a session alive,
//! sessions end, attachments are counted, and large mail is spooled rather than held in RAM.

mod common;

use base64::Engine;
use common::Desk;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;

const SUPPORT: &str = "support@acme.example";
/// Generous: the machine may be busy.
const PATIENCE: Duration = Duration::from_secs(300);

/// An SMTP client on a raw socket.
struct Smtp {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Smtp {
    /// Connects from `local` (any loopback address) to `server`; answers the greeting.
    async fn connect_from(local: &str, server: &str) -> (Smtp, Option<String>) {
        let socket = TcpSocket::new_v4().unwrap();
        socket
            .bind(format!("{local}:0").parse::<SocketAddr>().unwrap())
            .unwrap();
        let stream = socket.connect(server.parse().unwrap()).await.unwrap();
        Smtp::over(stream).await
    }

    async fn connect(server: &str) -> (Smtp, Option<String>) {
        Smtp::over(TcpStream::connect(server).await.unwrap()).await
    }

    async fn over(stream: TcpStream) -> (Smtp, Option<String>) {
        let (read, writer) = stream.into_split();
        let mut smtp = Smtp {
            reader: BufReader::new(read),
            writer,
        };
        let greeting = smtp.reply().await;
        (smtp, greeting)
    }

    /// The server's next full reply; `None` once it has closed the connection.
    async fn reply(&mut self) -> Option<String> {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let read = timeout(PATIENCE, self.reader.read_line(&mut line))
                .await
                .expect("a reply in time");
            if read.is_err() || line.is_empty() {
                return None;
            }
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return Some(all);
            }
        }
    }

    /// Sends one command; the reply, or `None` once the server has closed the connection.
    async fn say(&mut self, line: &str) -> Option<String> {
        if self
            .writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .is_err()
        {
            return None;
        }
        self.reply().await
    }

    /// Sends `commands` over and over until the server says goodbye (421) or closes;
    /// answers its last reply. Fails if the session is still open after `PATIENCE`.
    async fn repeat_until_closed(&mut self, commands: &[&str]) -> String {
        let mut last = String::new();
        timeout(PATIENCE, async {
            for command in commands.iter().cycle() {
                match self.say(command).await {
                    Some(reply) if reply.starts_with("421") => {
                        last = reply;
                        break;
                    }
                    Some(reply) => last = reply,
                    None => break,
                }
            }
        })
        .await
        .expect("the server ends the session");
        assert!(
            self.reply().await.is_none(),
            "the connection closes after {last}"
        );
        last
    }
}

fn starts(reply: &Option<String>, code: &str) -> bool {
    reply.as_deref().is_some_and(|r| r.starts_with(code))
}

fn mail_desk(extra: &[&str]) -> (Desk, String) {
    let mut args = vec!["--smtp-listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let desk = Desk::start_with(&args);
    let smtp = desk.smtp.clone().unwrap();
    (desk, smtp)
}

/// An email channel receiving at `SUPPORT`.
async fn email_channel(desk: &Desk) {
    let admin = desk.api(&desk.admin);
    let (status, channel) = admin
        .post(
            "/channels",
            json!({"kind": "email", "name": "Support mail"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let resp = reqwest::Client::new()
        .put(format!(
            "{}/api/v1/channels/{}/email",
            desk.url, channel["id"]
        ))
        .bearer_auth(&desk.admin)
        .json(&json!({"addresses": [SUPPORT], "company_name": "Acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

/// Sends `raw` (free of lines starting with a dot) in one transaction; the reply to the data.
async fn send_mail(smtp: &mut Smtp, raw: &[u8]) -> String {
    assert!(starts(&smtp.say("EHLO client.example").await, "250"));
    assert!(starts(
        &smtp.say("MAIL FROM:<ana@customer.example>").await,
        "250"
    ));
    assert!(starts(
        &smtp.say(&format!("RCPT TO:<{SUPPORT}>")).await,
        "250"
    ));
    assert!(starts(&smtp.say("DATA").await, "354"));
    smtp.writer.write_all(raw).await.unwrap();
    smtp.say(".").await.expect("a reply to the data")
}

/// A mail with `attachments` base64 attachments of `size` bytes each.
fn mail_with_attachments(id: &str, attachments: usize, size: usize) -> Vec<u8> {
    let mut raw = format!(
        "From: Ana <ana@customer.example>\r\nTo: {SUPPORT}\r\nSubject: Files {id}\r\n\
Message-ID: <{id}@customer.example>\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n\
--XYZ\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n"
    );
    for n in 0..attachments {
        let content: Vec<u8> = (0..size).map(|i| (i * 7 + n) as u8).collect();
        let encoded = base64::engine::general_purpose::STANDARD.encode(content);
        raw.push_str(&format!(
            "--XYZ\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"file{n}.bin\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
        ));
        for line in encoded.as_bytes().chunks(76) {
            raw.push_str(std::str::from_utf8(line).unwrap());
            raw.push_str("\r\n");
        }
    }
    raw.push_str("--XYZ--\r\n");
    raw.into_bytes()
}

async fn conversations(desk: &Desk) -> Value {
    desk.api(&desk.agent)
        .ok("/conversations?channel=email")
        .await["items"]
        .clone()
}

#[tokio::test]
async fn one_address_cannot_take_every_smtp_session() {
    let (_desk, server) = mail_desk(&[]);
    let mut held = Vec::new();
    for _ in 0..10 {
        let (smtp, greeting) = Smtp::connect_from("127.0.0.1", &server).await;
        assert!(starts(&greeting, "220"), "{greeting:?}");
        held.push(smtp);
    }
    let (_, refused) = Smtp::connect_from("127.0.0.1", &server).await;
    assert!(starts(&refused, "421"), "the 11th session: {refused:?}");
    assert!(refused.unwrap().contains("your address"));
    let (mut other, greeting) = Smtp::connect_from("127.0.0.2", &server).await;
    assert!(starts(&greeting, "220"), "another address: {greeting:?}");
    assert!(starts(&other.say("QUIT").await, "221"));

    // A session that ends frees its place.
    drop(held.pop());
    timeout(PATIENCE, async {
        loop {
            let (_, greeting) = Smtp::connect_from("127.0.0.1", &server).await;
            if starts(&greeting, "220") {
                break;
            }
            assert!(starts(&greeting, "421"), "{greeting:?}");
        }
    })
    .await
    .expect("the freed place is taken again");
}

#[tokio::test]
async fn noop_and_rset_do_not_keep_an_idle_smtp_session_open() {
    let (_desk, server) = mail_desk(&["--smtp-idle-timeout", "1"]);
    let (mut smtp, greeting) = Smtp::connect(&server).await;
    assert!(starts(&greeting, "220"));
    assert!(starts(&smtp.say("EHLO client.example").await, "250"));
    let goodbye = smtp
        .repeat_until_closed(&["NOOP", "RSET", "VRFY someone", "HELP"])
        .await;
    assert!(goodbye.contains("idle too long"), "{goodbye}");
}

#[tokio::test]
async fn an_smtp_session_ends_after_its_lifetime_even_while_it_makes_progress() {
    let (_desk, server) = mail_desk(&["--smtp-session-timeout", "2"]);
    let (mut smtp, greeting) = Smtp::connect(&server).await;
    assert!(starts(&greeting, "220"));
    assert!(starts(&smtp.say("EHLO client.example").await, "250"));
    let goodbye = smtp
        .repeat_until_closed(&["MAIL FROM:<ana@customer.example>", "RSET"])
        .await;
    assert!(goodbye.contains("too long"), "{goodbye}");
}

#[tokio::test]
async fn a_mail_with_too_many_attachments_is_refused_and_nothing_is_stored() {
    let (desk, server) = mail_desk(&["--mail-max-attachments", "5"]);
    email_channel(&desk).await;
    let (mut smtp, _) = Smtp::connect(&server).await;
    let refused = send_mail(&mut smtp, &mail_with_attachments("six", 6, 10)).await;
    assert!(refused.starts_with("552"), "{refused}");
    assert!(refused.contains("6 attachments"), "{refused}");
    assert_eq!(
        conversations(&desk).await,
        json!([]),
        "nothing may be stored"
    );

    let stored = send_mail(&mut smtp, &mail_with_attachments("five", 5, 10)).await;
    assert!(stored.starts_with("250"), "{stored}");
    let items = conversations(&desk).await;
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
}

/// The peak resident memory of process `pid`, in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/PID/status");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb * 1024
}

#[tokio::test]
async fn parallel_large_mails_are_spooled_to_disk_not_held_in_memory() {
    const MAILS: usize = 8;
    let (desk, server) = mail_desk(&[]);
    email_channel(&desk).await;
    // About 19 MB each: two 7 MB attachments, base64-encoded; only the Message-ID differs.
    let template = mail_with_attachments("big-X", 2, 7_000_000);
    let split = template.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let header = String::from_utf8(template[..split].to_vec()).unwrap();
    let mails: Vec<Vec<u8>> = (0..MAILS)
        .map(|i| {
            [
                header.replace("big-X", &format!("big-{i}")).as_bytes(),
                &template[split..],
            ]
            .concat()
        })
        .collect();
    let size = mails[0].len() as u64;
    let before = peak_rss(desk.pid());
    let sends = mails.into_iter().map(|raw| {
        let server = server.clone();
        tokio::spawn(async move {
            let (mut smtp, _) = Smtp::connect(&server).await;
            send_mail(&mut smtp, &raw).await
        })
    });
    for reply in futures_util::future::join_all(sends).await {
        let reply = reply.unwrap();
        assert!(reply.starts_with("250"), "{reply}");
    }
    assert_eq!(conversations(&desk).await.as_array().unwrap().len(), MAILS);
    let grown = peak_rss(desk.pid()).saturating_sub(before);
    // Parsing one mail takes two to three times its size; eight at once in memory would
    // take well over ten times.
    assert!(
        grown < 5 * size,
        "the server's peak memory grew by {} MB for {MAILS} mails of {} MB",
        grown >> 20,
        size >> 20
    );
}
