//! Team email end to end: real SMTP into the real binary, raw uploads over HTTP, and replies
//! out through `deliver` to an SMTP sink on loopback.

mod common;

use base64::Engine;
use common::{Api, Desk, add_agent};
use frontdesk::server::signature::sign;
use lettre::address::Envelope;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const SUPPORT: &str = "support@acme.example";
/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
];

/// A desk with an SMTP listener and small mail limits (200 kB a mail, 50 kB an attachment).
fn mail_desk() -> Desk {
    Desk::start_with(&[
        "--smtp-listen",
        "127.0.0.1:0",
        "--mail-max-bytes",
        "200000",
        "--mail-max-attachment-bytes",
        "50000",
    ])
}

/// Creates an email channel receiving on `address` with `settings` merged over the basics;
/// returns (id, secret).
async fn email_channel(desk: &Desk, address: &str, settings: Value) -> (i64, String) {
    let admin = desk.api(&desk.admin);
    let (status, channel) = admin
        .post(
            "/channels",
            json!({"kind": "email", "name": "Support mail"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let id = channel["id"].as_i64().unwrap();
    let mut body = json!({"addresses": [address], "company_name": "Acme"});
    body.as_object_mut()
        .unwrap()
        .extend(settings.as_object().unwrap().clone());
    let (status, shown) = put(desk, &desk.admin, id, &body).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    (id, channel["secret"].as_str().unwrap().to_string())
}

async fn put(desk: &Desk, token: &str, channel: i64, body: &Value) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .put(format!("{}/api/v1/channels/{channel}/email", desk.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Sends `raw` over SMTP with lettre.
async fn smtp_send(
    addr: &str,
    from: &str,
    to: &str,
    raw: &[u8],
) -> Result<(), lettre::transport::smtp::Error> {
    let (host, port) = addr.rsplit_once(':').unwrap();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port.parse().unwrap())
        .tls(Tls::None)
        .build();
    let envelope = Envelope::new(Some(from.parse().unwrap()), vec![to.parse().unwrap()]).unwrap();
    transport.send_raw(&envelope, raw).await.map(|_| ())
}

/// Uploads `raw` as admin; returns status and body.
async fn upload(desk: &Desk, channel: i64, raw: &[u8], content_type: &str) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/channels/{channel}/email/messages",
            desk.url
        ))
        .bearer_auth(&desk.admin)
        .header("content-type", content_type)
        .body(raw.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The messages of the only conversation, which must exist.
async fn only_conversation(desk: &Desk) -> Value {
    let api = desk.api(&desk.agent);
    let list = api.ok("/conversations?channel=email").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    api.ok(&format!("/conversations/{}", items[0]["id"])).await
}

fn html_mail_with_png(message_id: &str) -> Vec<u8> {
    let png = base64::engine::general_purpose::STANDARD.encode(PNG);
    format!(
        "From: \"Carla Diaz\" <Carla@Client.example>\r\n\
To: Acme Support <{SUPPORT}>\r\n\
Subject: Printer on fire\r\n\
Message-ID: <{message_id}>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<html><body><p>Hello,</p><p>the printer is <b>on fire</b>.</p>\r\n\
.leading dot line</body></html>\r\n\
--outer\r\n\
Content-Type: image/png; name=\"fire.png\"\r\n\
Content-Disposition: attachment; filename=\"fire.png\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{png}\r\n\
--outer--\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn mail_over_smtp_opens_a_ticket_for_a_new_contact_with_html_as_text_and_the_attachment_kept()
{
    let desk = mail_desk();
    let smtp = desk.smtp.clone().expect("smtp listening line");
    email_channel(&desk, SUPPORT, json!({})).await;
    smtp_send(
        &smtp,
        "carla@client.example",
        SUPPORT,
        &html_mail_with_png("first@client.example"),
    )
    .await
    .unwrap();

    let detail = only_conversation(&desk).await;
    assert_eq!(detail["subject"], "Printer on fire");
    assert_eq!(detail["channel_kind"], "email");
    assert_eq!(detail["contact"]["email"], "carla@client.example");
    assert_eq!(detail["contact"]["name"], "Carla Diaz");
    let message = &detail["messages"][0];
    let body = message["body"].as_str().unwrap();
    assert!(body.contains("the printer is on fire"), "{body}");
    assert!(
        body.contains(".leading dot line"),
        "dot-unstuffing lost the dot: {body}"
    );
    assert!(!body.contains('<'), "HTML left in the body: {body}");
    let attachment = &message["attachments"][0];
    assert_eq!(attachment["name"], "fire.png");
    assert_eq!(attachment["kind"], "image");
    assert_eq!(attachment["mime_type"], "image/png");
    assert_eq!(attachment["size"], PNG.len());
    let bytes = reqwest::Client::new()
        .get(format!(
            "{}{}",
            desk.url,
            attachment["url"].as_str().unwrap()
        ))
        .bearer_auth(&desk.agent)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], PNG);
}

#[tokio::test]
async fn a_reply_by_mail_continues_its_conversation_without_the_quoted_history() {
    let desk = mail_desk();
    let smtp = desk.smtp.clone().unwrap();
    email_channel(&desk, SUPPORT, json!({})).await;
    let first = "From: ana@customer.example\r\nTo: support@acme.example\r\nSubject: Login fails\r\n\
Message-ID: <a1@customer.example>\r\n\r\nI cannot log in.\r\n";
    smtp_send(&smtp, "ana@customer.example", SUPPORT, first.as_bytes())
        .await
        .unwrap();
    let reply = "From: Ana <ana@customer.example>\r\nTo: support@acme.example\r\n\
Subject: Re: Login fails\r\nMessage-ID: <a2@customer.example>\r\nIn-Reply-To: <a1@customer.example>\r\n\
References: <a1@customer.example>\r\n\r\nIt works again, thanks.\r\n\r\n\
On Mon, 2 Mar 2026, Ana <ana@customer.example> wrote:\r\n> I cannot log in.\r\n";
    smtp_send(&smtp, "ana@customer.example", SUPPORT, reply.as_bytes())
        .await
        .unwrap();
    let unrelated = "From: ana@customer.example\r\nTo: support@acme.example\r\nSubject: New topic\r\n\
Message-ID: <a3@customer.example>\r\nIn-Reply-To: <unknown@elsewhere.example>\r\n\r\nAnother question.\r\n";
    smtp_send(&smtp, "ana@customer.example", SUPPORT, unrelated.as_bytes())
        .await
        .unwrap();

    let api = desk.api(&desk.agent);
    let list = api.ok("/conversations?channel=email").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let login = items
        .iter()
        .find(|c| c["subject"] == "Login fails")
        .unwrap();
    assert_eq!(login["message_count"], 2);
    let detail = api.ok(&format!("/conversations/{}", login["id"])).await;
    assert_eq!(detail["messages"][1]["body"], "It works again, thanks.");
    // The original mails stay available, quoted history included.
    let records = api
        .ok(&format!("/conversations/{}/email", login["id"]))
        .await;
    let items = &records["items"];
    assert_eq!(items[0]["header_id"], "a1@customer.example");
    assert_eq!(items[1]["header_id"], "a2@customer.example");
    assert_eq!(items[1]["direction"], "inbound");
    let raw = reqwest::Client::new()
        .get(format!(
            "{}{}",
            desk.url,
            items[1]["raw_url"].as_str().unwrap()
        ))
        .bearer_auth(&desk.agent)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(raw.trim_end(), reply.trim_end());
    assert_eq!(
        api.get("/conversations/999/email").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        items[0]["contact_id"], items[1]["contact_id"],
        "one contact for one address"
    );
}

fn forwarded_mail(id: &str) -> String {
    format!(
        "From: Bo Agent <bo@acme.example>\r\nTo: support@acme.example\r\nSubject: Fwd: Invoice wrong\r\n\
Message-ID: <{id}>\r\n\r\nCan someone take this?\r\n\r\n\
---------- Forwarded message ---------\r\nFrom: Dana Lee <dana@shop.example>\r\n\
Date: Mon, 2 Mar 2026 10:00\r\nSubject: Invoice wrong\r\nTo: <bo@acme.example>\r\n\r\n\
The invoice total is wrong.\r\n"
    )
}

#[tokio::test]
async fn forwarded_mail_is_logged_on_the_original_sender_unless_switched_off() {
    let desk = mail_desk();
    let smtp = desk.smtp.clone().unwrap();
    let (channel, _) = email_channel(&desk, SUPPORT, json!({})).await;
    smtp_send(
        &smtp,
        "bo@acme.example",
        SUPPORT,
        forwarded_mail("f1@acme.example").as_bytes(),
    )
    .await
    .unwrap();
    let detail = only_conversation(&desk).await;
    assert_eq!(detail["contact"]["email"], "dana@shop.example");
    assert_eq!(detail["contact"]["name"], "Dana Lee");
    assert_eq!(detail["subject"], "Invoice wrong");
    assert!(
        detail["messages"][0]["body"]
            .as_str()
            .unwrap()
            .contains("The invoice total is wrong.")
    );

    let (status, _) = put(
        &desk,
        &desk.admin,
        channel,
        &json!({"addresses": [SUPPORT], "company_name": "Acme", "forwarded_to_original_sender": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    smtp_send(
        &smtp,
        "bo@acme.example",
        SUPPORT,
        forwarded_mail("f2@acme.example").as_bytes(),
    )
    .await
    .unwrap();
    let api = desk.api(&desk.agent);
    let list = api.ok("/conversations?channel=email").await;
    let newest = &list["items"][0];
    assert_eq!(newest["subject"], "Fwd: Invoice wrong");
    let contact = api.ok(&format!("/contacts/{}", newest["contact_id"])).await;
    assert_eq!(contact["email"], "bo@acme.example");
}

/// A raw SMTP client: sends a line, answers the server's full reply.
struct RawSmtp {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl RawSmtp {
    async fn connect(addr: &str) -> (RawSmtp, String) {
        let (read, writer) = TcpStream::connect(addr).await.unwrap().into_split();
        let mut smtp = RawSmtp {
            reader: BufReader::new(read),
            writer,
        };
        let greeting = smtp.reply().await;
        (smtp, greeting)
    }

    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            assert!(!line.is_empty(), "connection closed; so far: {all:?}");
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }

    async fn say(&mut self, line: &str) -> String {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
        self.reply().await
    }
}

#[tokio::test]
async fn smtp_speaks_esmtp_and_refuses_unknown_recipients_and_oversized_mail_storing_nothing() {
    let desk = mail_desk();
    let smtp = desk.smtp.clone().unwrap();
    email_channel(&desk, SUPPORT, json!({})).await;
    let (mut c, greeting) = RawSmtp::connect(&smtp).await;
    assert!(greeting.starts_with("220 "), "{greeting}");
    assert!(c.say("MAIL FROM:<x@y.example>").await.starts_with("503"));
    let ehlo = c.say("EHLO client.example").await;
    assert!(ehlo.starts_with("250-"), "{ehlo}");
    assert!(ehlo.contains("SIZE 200000"), "{ehlo}");
    assert!(ehlo.contains("8BITMIME"), "{ehlo}");
    assert!(c.say("NOOP").await.starts_with("250"));
    assert!(
        c.say("MAIL FROM:<x@y.example> SIZE=900000")
            .await
            .starts_with("552")
    );
    assert!(
        c.say("MAIL FROM:<x@y.example> SIZE=1000 BODY=8BITMIME")
            .await
            .starts_with("250")
    );
    assert!(
        c.say("RCPT TO:<nobody@acme.example>")
            .await
            .starts_with("550")
    );
    assert!(
        c.say("DATA").await.starts_with("554"),
        "no valid recipient yet"
    );
    assert!(
        c.say(&format!("RCPT TO:<{}>", SUPPORT.to_uppercase()))
            .await
            .starts_with("250")
    );
    assert!(c.say("DATA").await.starts_with("354"));
    // 300 kB, over the 200 kB limit the SIZE line announced.
    let line = format!("{}\r\n", "a".repeat(998));
    let mut data = String::from("From: big@y.example\r\nSubject: big\r\n\r\n");
    for _ in 0..300 {
        data.push_str(&line);
    }
    c.writer.write_all(data.as_bytes()).await.unwrap();
    let refused = c.say(".").await;
    assert!(refused.starts_with("552"), "{refused}");
    // The session goes on: RSET, then a small mail to nobody known is refused at RCPT.
    assert!(c.say("RSET").await.starts_with("250"));
    assert!(c.say("MAIL FROM:<>").await.starts_with("250"));
    assert!(
        c.say("RCPT TO:<sales@acme.example>")
            .await
            .starts_with("550")
    );
    assert!(c.say("QUIT").await.starts_with("221"));

    let err = smtp_send(
        &smtp,
        "x@y.example",
        "nobody@acme.example",
        b"From: x@y.example\r\n\r\nhi\r\n",
    )
    .await
    .unwrap_err();
    assert!(err.is_permanent(), "{err}");
    let list = desk.api(&desk.agent).ok("/conversations").await;
    assert_eq!(list["items"], json!([]), "nothing may be stored");
}

#[tokio::test]
async fn malformed_or_oversized_uploads_get_clear_errors_and_store_nothing() {
    let desk = mail_desk();
    let (channel, secret) = email_channel(&desk, SUPPORT, json!({})).await;
    let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
        (
            b"Subject: who?\r\n\r\nno sender\r\n".to_vec(),
            "message/rfc822",
            StatusCode::UNPROCESSABLE_ENTITY,
            "From",
        ),
        (
            b"From: Support <support@acme.example>\r\nSubject: Auto\r\n\r\nout of office\r\n"
                .to_vec(),
            "message/rfc822",
            StatusCode::UNPROCESSABLE_ENTITY,
            "mail loop",
        ),
        (
            b"this is not mail at all".to_vec(),
            "message/rfc822",
            StatusCode::UNPROCESSABLE_ENTITY,
            "header",
        ),
        (
            b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n\
Content-Type: text/plain\r\n\r\ncut off here"
                .to_vec(),
            "message/rfc822",
            StatusCode::UNPROCESSABLE_ENTITY,
            "truncated",
        ),
        (
            format!(
                "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n\
Content-Type: text/plain\r\n\r\nsee attached\r\n--zz\r\nContent-Type: application/pdf; name=big.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--zz--\r\n",
                base64::engine::general_purpose::STANDARD.encode(vec![7u8; 60_000])
            )
            .into_bytes(),
            "message/rfc822",
            StatusCode::PAYLOAD_TOO_LARGE,
            "big.pdf",
        ),
        (
            b"From: a@b.example\r\n\r\nhi\r\n".to_vec(),
            "application/json",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "message/rfc822",
        ),
    ];
    for (raw, content_type, status, needle) in cases {
        let (got, body) = upload(&desk, channel, &raw, content_type).await;
        assert_eq!(got, status, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message:?} should name {needle}");
    }
    let (status, _) = upload(&desk, channel, &vec![b'x'; 400_000], "message/rfc822").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // Only admins or the channel's signature may upload.
    let good = b"From: a@b.example\r\nSubject: fine\r\n\r\nhello\r\n".to_vec();
    let post = |sig: Option<String>, token: Option<&str>| {
        let mut req = reqwest::Client::new()
            .post(format!(
                "{}/api/v1/channels/{channel}/email/messages",
                desk.url
            ))
            .header("content-type", "message/rfc822")
            .body(good.clone());
        if let Some(sig) = sig {
            req = req.header("x-frontdesk-signature", sig);
        }
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send()
    };
    assert_eq!(
        post(None, Some(&desk.agent)).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(Some(sign("wrong", &good)), None)
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        desk.api(&desk.agent).ok("/conversations").await["items"],
        json!([])
    );

    let accepted = post(Some(sign(&secret, &good)), None).await.unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let body: Value = accepted.json().await.unwrap();
    assert_eq!(body["duplicate"], false);
    assert_eq!(only_conversation(&desk).await["subject"], "fine");
}

#[tokio::test]
async fn the_same_message_id_twice_is_stored_once() {
    let desk = mail_desk();
    let smtp = desk.smtp.clone().unwrap();
    let (channel, _) = email_channel(&desk, SUPPORT, json!({})).await;
    let raw = html_mail_with_png("dup@client.example");
    smtp_send(&smtp, "carla@client.example", SUPPORT, &raw)
        .await
        .unwrap();
    smtp_send(&smtp, "carla@client.example", SUPPORT, &raw)
        .await
        .unwrap();
    let (status, body) = upload(&desk, channel, &raw, "message/rfc822").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["duplicate"], true);
    let detail = only_conversation(&desk).await;
    assert_eq!(detail["message_count"], 1);
    assert_eq!(body["conversation_id"], detail["id"]);

    // Without a Message-ID, the content itself names the mail.
    let bare = b"From: e@f.example\r\nSubject: no id\r\n\r\nsame bytes\r\n";
    assert_eq!(
        upload(&desk, channel, bare, "message/rfc822").await.0,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        upload(&desk, channel, bare, "message/rfc822").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn settings_are_validated_and_the_relay_password_never_shows() {
    let desk = mail_desk();
    let relay = json!({"host": "smtp.acme.example", "port": 2525, "tls": "starttls",
                       "username": "desk", "password": "hunter2-secret"});
    let (channel, _) = email_channel(&desk, SUPPORT, json!({"relay": relay})).await;
    let admin = desk.api(&desk.admin);
    let shown = admin.ok(&format!("/channels/{channel}/email")).await;
    assert_eq!(shown["relay"]["password_set"], true);
    assert_eq!(shown["relay"]["port"], 2525);
    assert_eq!(shown["sender_address"], SUPPORT);
    for (token, path) in [
        (&desk.admin, format!("/channels/{channel}/email")),
        (&desk.admin, format!("/channels/{channel}")),
        (&desk.agent, format!("/channels/{channel}")),
        (&desk.agent, "/channels".to_string()),
    ] {
        let text = desk.api(token).ok(&path).await.to_string();
        assert!(
            !text.contains("hunter2"),
            "{path} leaks the password: {text}"
        );
    }
    // Agents may not read or change the settings.
    assert_eq!(
        desk.api(&desk.agent)
            .get(&format!("/channels/{channel}/email"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(
            &desk,
            &desk.agent,
            channel,
            &json!({"addresses": [SUPPORT], "company_name": "X"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    for (bad, field) in [
        (
            json!({"addresses": [], "company_name": "Acme"}),
            "addresses",
        ),
        (
            json!({"addresses": ["not-an-address"], "company_name": "Acme"}),
            "addresses[0]",
        ),
        (
            json!({"addresses": [SUPPORT], "company_name": ""}),
            "company_name",
        ),
        (
            json!({"addresses": [SUPPORT], "company_name": "Acme", "sender_name_mode": "agent"}),
            "agent_and_company",
        ),
        (
            json!({"addresses": [SUPPORT], "company_name": "Acme", "signature": "{agent.nickname}"}),
            "{agent.nickname}",
        ),
        (
            json!({"addresses": [SUPPORT], "company_name": "Acme", "relay": {"host": "h", "username": "other"}}),
            "relay.password",
        ),
    ] {
        let (status, body) = put(&desk, &desk.admin, channel, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{bad}: {body}"
        );
    }
    // Keeping the username keeps the stored password.
    let (status, kept) = put(
        &desk,
        &desk.admin,
        channel,
        &json!({"addresses": [SUPPORT], "company_name": "Acme",
                "relay": {"host": "smtp.acme.example", "username": "desk"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    assert_eq!(kept["relay"]["password_set"], true);
    assert_eq!(kept["relay"]["port"], 587);

    // One address belongs to one channel.
    let (status, other) = admin
        .post("/channels", json!({"kind": "email", "name": "Sales"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = put(
        &desk,
        &desk.admin,
        other["id"].as_i64().unwrap(),
        &json!({"addresses": ["Support@Acme.example"], "company_name": "Acme"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Only email channels have email settings.
    let (custom, _) = desk.custom_channel("bridge").await;
    let (status, _) = put(
        &desk,
        &desk.admin,
        custom,
        &json!({"addresses": ["x@y.example"], "company_name": "A"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// What the sink received in one SMTP transaction.
#[derive(Debug, Clone, Default)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// How the sink answers RCPT.
#[derive(Clone, Copy)]
enum Sink {
    Accept,
    RefuseRecipient,
    Busy,
}

/// An SMTP relay on loopback that records every mail it accepts.
async fn sink(mode: Sink) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut current = Received::default();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        current = Received {
                            mail_from: line[10..].to_string(),
                            ..Default::default()
                        };
                        b"250 ok\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        current.rcpt_to.push(line[8..].to_string());
                        match mode {
                            Sink::Accept => b"250 ok\r\n",
                            Sink::RefuseRecipient => b"550 5.1.1 no such user\r\n",
                            Sink::Busy => b"451 4.3.0 try later\r\n",
                        }
                    } else if upper == "DATA" {
                        write.write_all(b"354 go\r\n").await.unwrap();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            current.data.push_str(l.strip_prefix('.').unwrap_or(&l));
                            current.data.push('\n');
                        }
                        store.lock().unwrap().push(current.clone());
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, got)
}

/// An in-process server (its store is what a delivery queue would hand the transport) with
/// an email channel relaying to `relay_port`. Returns the server, admin and agent tokens,
/// and the channel id.
async fn server_with_relay(
    dir: &tempfile::TempDir,
    relay_port: u16,
) -> (frontdesk::server::RunningServer, String, String, i64) {
    let admin = add_agent(dir.path(), "ada@desk.example", "Ada Admin", "admin");
    let agent = add_agent(dir.path(), "ana@desk.example", "Ana Maria Silva", "agent");
    let config = frontdesk::server::ServerConfig {
        smtp_listen: Some("127.0.0.1:0".into()),
        ..frontdesk::server::ServerConfig::new(dir.path(), "127.0.0.1:0")
    };
    let server = frontdesk::server::RunningServer::start(config)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://{}/api/v1", server.addr);
    let channel: Value = http
        .post(format!("{base}/channels"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "email", "name": "Support mail"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = channel["id"].as_i64().unwrap();
    let resp = http
        .put(format!("{base}/channels/{id}/email"))
        .bearer_auth(&admin)
        .json(&json!({
            "addresses": [SUPPORT], "company_name": "Acme",
            "signature": "Best,\n{agent.first_name} ({agent.last_name})\n{agent.full_name}, Acme support",
            "relay": {"host": "127.0.0.1", "port": relay_port, "tls": "none"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    (server, admin, agent, id)
}

/// The mails the relay has taken once it has `n` of them; panics after 10 seconds.
async fn mails(received: &Arc<Mutex<Vec<Received>>>, n: usize) -> Vec<Received> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let got = received.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the relay has {} mails, waiting for {n}",
            got.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The `Message-ID` a mail carries, without its angle brackets.
fn message_id_of(data: &str) -> String {
    let line = data
        .lines()
        .find(|l| l.starts_with("Message-ID: <"))
        .unwrap_or_else(|| panic!("no Message-ID in {data}"));
    line["Message-ID: <".len()..line.len() - 1].to_string()
}

/// The agent's view of the API of a server started in this process.
fn api(base: &str, agent: &str) -> Api {
    Api {
        base: base.to_string(),
        token: agent.to_string(),
        http: reqwest::Client::new(),
    }
}

/// Posts a reply as `agent`; answers its id.
async fn post_reply(agent: &Api, conversation: i64, body: Value) -> i64 {
    let (status, posted) = agent
        .post(&format!("/conversations/{conversation}/messages"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    posted["id"].as_i64().unwrap()
}

/// Waits until the delivery queue has handed reply `id` to the relay.
async fn sent(agent: &Api, conversation: i64, id: i64) {
    agent
        .message_until(conversation, id, |m| m["delivery"]["status"] == "sent")
        .await;
}

#[tokio::test]
async fn a_reply_goes_out_once_threaded_and_signed_through_the_relay_and_the_answer_threads_back() {
    let (relay_port, received) = sink(Sink::Accept).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, admin, agent, channel) = server_with_relay(&dir, relay_port).await;
    let smtp = server.smtp_addr.unwrap().to_string();
    let base = format!("http://{}/api/v1", server.addr);
    let agent_api = api(&base, &agent);
    let first = "From: Carla Diaz <carla@client.example>\r\nTo: support@acme.example\r\n\
Subject: Printer on fire\r\nMessage-ID: <c1@client.example>\r\n\r\nHelp!\r\n";
    smtp_send(&smtp, "carla@client.example", SUPPORT, first.as_bytes())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let list: Value = http
        .get(format!("{base}/conversations"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = list["items"][0]["id"].as_i64().unwrap();
    let reply = post_reply(
        &agent_api,
        conversation,
        json!({"body": "Unplug it.\n.\nThen call us.", "client_id": "r1"}),
    )
    .await;
    // The delivery queue hands the reply to the relay once.
    sent(&agent_api, conversation, reply).await;
    let first_mails = mails(&received, 1).await;
    assert_eq!(first_mails.len(), 1);
    let mail = &first_mails[0];
    let external = message_id_of(&mail.data);
    assert!(external.ends_with("@acme.example"), "{external}");
    assert_eq!(mail.mail_from.trim(), format!("<{SUPPORT}>"));
    assert_eq!(mail.rcpt_to, ["<carla@client.example>"]);
    let data = &mail.data;
    assert!(
        data.contains("From: \"Ana Maria Silva from Acme\" <support@acme.example>"),
        "{data}"
    );
    assert!(
        data.contains("To: \"Carla Diaz\" <carla@client.example>"),
        "{data}"
    );
    assert!(data.contains("Subject: Re: Printer on fire"), "{data}");
    assert!(data.contains("In-Reply-To: <c1@client.example>"), "{data}");
    assert!(data.contains("References: <c1@client.example>"), "{data}");
    assert!(data.contains("Unplug it.\n.\nThen call us."), "{data}");
    assert!(
        data.contains("Best,\nAna (Silva)\nAna Maria Silva, Acme support"),
        "{data}"
    );

    // The customer answers the reply: it lands in the same conversation.
    let answer = format!(
        "From: carla@client.example\r\nTo: support@acme.example\r\nSubject: Re: Printer on fire\r\n\
Message-ID: <c2@client.example>\r\nIn-Reply-To: <{external}>\r\nReferences: <c1@client.example> <{external}>\r\n\r\nDone, thanks.\r\n"
    );
    smtp_send(&smtp, "carla@client.example", SUPPORT, answer.as_bytes())
        .await
        .unwrap();
    let list: Value = http
        .get(format!("{base}/conversations"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["message_count"], 3);

    // Company-only sender name: the From shows the company alone.
    let resp = http
        .put(format!("{base}/channels/{channel}/email"))
        .bearer_auth(&admin)
        .json(
            &json!({"addresses": [SUPPORT], "company_name": "Acme", "sender_name_mode": "company",
                      "relay": {"host": "127.0.0.1", "port": relay_port, "tls": "none"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    post_reply(
        &agent_api,
        conversation,
        json!({"body": "Glad it works.", "client_id": "r2"}),
    )
    .await;
    // Long headers are folded onto continuation lines.
    let data = mails(&received, 2).await[1].data.replace("\n ", " ");
    assert!(data.contains("From: Acme <support@acme.example>"), "{data}");
    assert!(data.contains("In-Reply-To: <c2@client.example>"), "{data}");
    assert!(
        data.contains(&format!(
            "References: <c1@client.example> <{external}> <c2@client.example>"
        )),
        "{data}"
    );

    // An HTML signature makes a text and an HTML alternative; the body is escaped in HTML.
    let resp = http
        .put(format!("{base}/channels/{channel}/email"))
        .bearer_auth(&admin)
        .json(&json!({"addresses": [SUPPORT], "company_name": "Acme",
                      "signature": "<p><b>{agent.first_name}</b> at Acme</p>", "signature_format": "html",
                      "relay": {"host": "127.0.0.1", "port": relay_port, "tls": "none"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let third = post_reply(
        &agent_api,
        conversation,
        json!({"body": "Use <none> of it", "client_id": "r3"}),
    )
    .await;
    sent(&agent_api, conversation, third).await;
    let all = mails(&received, 3).await;
    assert_eq!(all.len(), 3, "each reply went out once");
    let data = all[2].data.clone();
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(data.contains("Content-Type: text/plain"), "{data}");
    assert!(data.contains("Content-Type: text/html"), "{data}");
    assert!(data.contains("Use <none> of it\n\nAna at Acme"), "{data}");
    assert!(data.contains("Use &lt;none&gt; of it"), "{data}");
    assert!(data.contains("<p><b>Ana</b> at Acme</p>"), "{data}");
    server.shutdown().await.unwrap();
}

/// A desk whose relay listens on `relay_port`, with one mail in; answers the desk, the
/// agent's API, the conversation and the reply the agent posted to it.
async fn desk_with_a_reply(
    dir: &tempfile::TempDir,
    relay_port: u16,
) -> (frontdesk::server::RunningServer, Api, i64, i64) {
    let (server, _, agent, _) = server_with_relay(dir, relay_port).await;
    let smtp = server.smtp_addr.unwrap().to_string();
    let agent_api = api(&format!("http://{}/api/v1", server.addr), &agent);
    smtp_send(
        &smtp,
        "x@client.example",
        SUPPORT,
        b"From: x@client.example\r\nSubject: Hi\r\nMessage-ID: <x1@client.example>\r\n\r\nHi\r\n",
    )
    .await
    .unwrap();
    let conversation = agent_api.ids("").await[0];
    let reply = post_reply(
        &agent_api,
        conversation,
        json!({"body": "Hello", "client_id": "r1"}),
    )
    .await;
    (server, agent_api, conversation, reply)
}

#[tokio::test]
async fn a_relay_refusal_fails_the_reply_and_relay_trouble_keeps_it_queued_with_the_reason() {
    let waiting = |m: &Value| {
        m["delivery"]["status"] == "queued" && m["delivery"]["attempts"].as_i64() >= Some(1)
    };
    // The relay refuses the recipient: final, with the relay's words.
    let (relay_port, received) = sink(Sink::RefuseRecipient).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, desk, conversation, reply) = desk_with_a_reply(&dir, relay_port).await;
    let failed = desk
        .message_until(conversation, reply, |m| m["delivery"]["status"] == "failed")
        .await;
    let why = failed["delivery"]["error"].as_str().unwrap();
    assert!(why.contains("no such user"), "{why}");
    assert!(received.lock().unwrap().is_empty());
    server.shutdown().await.unwrap();

    // The relay is busy: the reply waits for another try, showing why.
    let (relay_port, received) = sink(Sink::Busy).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, desk, conversation, reply) = desk_with_a_reply(&dir, relay_port).await;
    let queued = desk.message_until(conversation, reply, waiting).await;
    let why = queued["delivery"]["error"].as_str().unwrap();
    assert!(why.contains("try later"), "{why}");
    assert!(received.lock().unwrap().is_empty());
    server.shutdown().await.unwrap();

    // Nobody listens on the relay's port: worth another try too.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let (server, desk, conversation, reply) = desk_with_a_reply(&dir, port).await;
    let queued = desk.message_until(conversation, reply, waiting).await;
    assert!(queued["delivery"]["error"].is_string(), "{queued}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn mail_acknowledged_with_250_survives_a_crash_and_a_stopping_desk_says_421() {
    let mut desk = mail_desk();
    let smtp = desk.smtp.clone().unwrap();
    email_channel(&desk, SUPPORT, json!({})).await;
    smtp_send(
        &smtp,
        "carla@client.example",
        SUPPORT,
        b"From: carla@client.example\r\nSubject: Durable\r\nMessage-ID: <d1@client.example>\r\n\r\nKeep me\r\n",
    )
    .await
    .unwrap();
    // SIGKILL right after the 250: the mail must already be committed.
    desk.kill9();
    desk.spawn();
    assert_eq!(only_conversation(&desk).await["subject"], "Durable");

    // A session open while the desk stops is told so and the desk exits cleanly.
    let (mut c, _) = RawSmtp::connect(desk.smtp.as_deref().unwrap()).await;
    assert!(c.say("EHLO client.example").await.starts_with("250"));
    let stop = tokio::task::spawn_blocking(move || desk.terminate());
    assert!(c.reply().await.starts_with("421"));
    assert!(stop.await.unwrap(), "the desk exits with success");
}

#[tokio::test]
async fn an_answer_to_a_reply_sent_by_mail_from_another_channel_continues_that_conversation() {
    let (relay_port, received) = sink(Sink::Accept).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, admin, agent, email) = server_with_relay(&dir, relay_port).await;
    let smtp = server.smtp_addr.unwrap().to_string();
    let base = format!("http://{}/api/v1", server.addr);
    let agent_api = api(&base, &agent);
    let http = reqwest::Client::new();
    let custom: Value = http
        .post(format!("{base}/channels"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "custom", "name": "Shop chat"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let raw = serde_json::to_vec(&json!({"thread_id": "t1",
        "sender": {"id": "u1", "name": "Gil", "email": "gil@client.example"},
        "text": "Where is my order?"}))
    .unwrap();
    let accepted: Value = http
        .post(format!("{base}/channels/{}/inbound", custom["id"]))
        .header(
            "x-frontdesk-signature",
            sign(custom["secret"].as_str().unwrap(), &raw),
        )
        .header("content-type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = accepted["conversation_id"].as_i64().unwrap();
    let reply = post_reply(
        &agent_api,
        conversation,
        json!({"body": "It ships today.", "client_id": "m1", "channel_id": email}),
    )
    .await;
    sent(&agent_api, conversation, reply).await;
    let mail = mails(&received, 1).await.remove(0);
    assert_eq!(mail.rcpt_to, ["<gil@client.example>"]);
    let external = message_id_of(&mail.data);

    let answer = format!(
        "From: gil@client.example\r\nTo: support@acme.example\r\nSubject: Re: Where is my order?\r\n\
Message-ID: <g2@client.example>\r\nIn-Reply-To: <{external}>\r\n\r\nGreat, thanks!\r\n"
    );
    smtp_send(&smtp, "gil@client.example", SUPPORT, answer.as_bytes())
        .await
        .unwrap();
    let list: Value = http
        .get(format!("{base}/conversations"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["id"], conversation);
    assert_eq!(list["items"][0]["message_count"], 3);
    let detail: Value = http
        .get(format!("{base}/conversations/{conversation}"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = detail["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["body"], "Great, thanks!");
    assert_eq!(last["channel_id"], email);
    server.shutdown().await.unwrap();
}
