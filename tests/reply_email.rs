//! E-mail fields on replies from outside: To, Cc, Bcc and Subject default from the thread,
//! are kept on the message, and address the mail the relay receives; bad fields are refused
//! with 422, storing nothing. The terminal client writes the fields as header lines and
//! attaches files that reach the relay as MIME parts.

mod common;
mod smtp_sink;

use common::{Api, Desk};
use mail_parser::MimeHeaders;
use reqwest::StatusCode;
use serde_json::{Value, json};
use smtp_sink::Sink;

const SUPPORT: &str = "support@acme.example";

/// A desk with an email channel relaying to `sink` and one conversation mailed in by Eve
/// about "Invoice"; answers the desk and the conversation.
async fn mailed_in(sink: &Sink) -> (Desk, i64) {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (status, email) = admin
        .post("/channels", json!({"kind": "email", "name": "Mail"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{email}");
    let email = email["id"].as_i64().unwrap();
    let resp = admin
        .http
        .put(format!("{}/channels/{email}/email", admin.base))
        .bearer_auth(&admin.token)
        .json(&json!({"addresses": [SUPPORT], "company_name": "Acme",
            "relay": {"host": "127.0.0.1", "port": sink.port, "tls": "none"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let raw = format!(
        "From: Eve <eve@client.example>\r\nTo: {SUPPORT}\r\nSubject: Invoice\r\n\
         Message-ID: <m1@client.example>\r\n\r\nwhere is my invoice?\r\n"
    );
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/channels/{email}/email/messages",
            desk.url
        ))
        .bearer_auth(&desk.admin)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let conversation = resp.json::<Value>().await.unwrap()["conversation_id"]
        .as_i64()
        .unwrap();
    (desk, conversation)
}

async fn post(api: &Api, conversation: i64, body: Value) -> (StatusCode, Value) {
    api.post(&format!("/conversations/{conversation}/messages"), body)
        .await
}

/// The header `name` of a raw mail, unfolded.
fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\n\n").next().unwrap();
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    unfolded.lines().find_map(|l| {
        l.split_once(':')
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    })
}

#[tokio::test]
async fn to_cc_bcc_and_subject_address_the_mail_and_show_on_the_message() {
    let sink = Sink::start().await;
    let (desk, conversation) = mailed_in(&sink).await;
    let api = desk.api(&desk.agent);
    let (status, message) = post(
        &api,
        conversation,
        json!({"body": "Attached.", "client_id": "e-1", "email": {
            "to": ["eve@client.example", "ap@client.example"],
            "cc": ["boss@client.example"],
            "bcc": ["audit@acme.example"],
            "subject": "Your invoice 42"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(
        message["email"],
        json!({"to": ["eve@client.example", "ap@client.example"], "cc": ["boss@client.example"],
               "bcc": ["audit@acme.example"], "subject": "Your invoice 42"})
    );
    let id = message["id"].as_i64().unwrap();
    assert_eq!(
        api.message(conversation, id).await["email"],
        message["email"]
    );

    let mail = &sink.mails(1).await[0];
    let mut rcpt = mail.rcpt_to.clone();
    rcpt.sort();
    assert_eq!(
        rcpt,
        [
            "<ap@client.example>",
            "<audit@acme.example>",
            "<boss@client.example>",
            "<eve@client.example>"
        ]
    );
    assert_eq!(
        header(&mail.data, "To").as_deref(),
        Some("Eve <eve@client.example>, ap@client.example")
    );
    assert_eq!(
        header(&mail.data, "Cc").as_deref(),
        Some("boss@client.example")
    );
    assert_eq!(header(&mail.data, "Bcc"), None, "{}", mail.data);
    assert_eq!(
        header(&mail.data, "Subject").as_deref(),
        Some("Your invoice 42")
    );
}

#[tokio::test]
async fn fields_default_from_the_thread_and_bad_ones_are_refused_storing_nothing() {
    let sink = Sink::start().await;
    let (desk, conversation) = mailed_in(&sink).await;
    let api = desk.api(&desk.agent);
    let count = |v: Value| v["items"].as_array().unwrap().len();
    let before = count(
        api.ok(&format!("/conversations/{conversation}/messages"))
            .await,
    );
    let many: Vec<String> = (0..21).map(|i| format!("p{i}@client.example")).collect();
    for (email, code, what) in [
        (
            json!({"to": ["not an address"]}),
            "invalid_email",
            "malformed",
        ),
        (
            json!({"cc": ["eve@client.example\r\nBcc: x@evil.example"]}),
            "invalid_email",
            "header injection",
        ),
        (json!({"to": many}), "invalid_email", "21 addresses"),
        (json!({"subject": "a\nb"}), "invalid_email", "a line break"),
        (
            json!({"subject": "x".repeat(256)}),
            "invalid_email",
            "256 characters",
        ),
    ] {
        let (status, body) = post(
            &api,
            conversation,
            json!({"body": "hi", "client_id": format!("bad-{what}"), "email": email}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
    }
    let (status, body) = post(
        &api,
        conversation,
        json!({"body": "note", "internal": true, "client_id": "n-1", "email": {"to": ["a@b.example"]}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a note: {body}");
    assert_eq!(
        count(
            api.ok(&format!("/conversations/{conversation}/messages"))
                .await
        ),
        before
    );

    let (status, message) = post(
        &api,
        conversation,
        json!({"body": "On it.", "client_id": "d-1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(
        message["email"],
        json!({"to": ["eve@client.example"], "cc": [], "bcc": [], "subject": "Re: Invoice"})
    );
    let mail = &sink.mails(1).await[0];
    assert_eq!(
        header(&mail.data, "Subject").as_deref(),
        Some("Re: Invoice")
    );
    assert_eq!(mail.rcpt_to, ["<eve@client.example>"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_terminal_client_writes_header_lines_above_the_body_and_the_relay_gets_them() {
    let sink = Sink::start().await;
    let (desk, conversation) = mailed_in(&sink).await;
    let home = tempfile::tempdir().unwrap();
    let pdf: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let invoice = home.path().join("invoice.pdf");
    std::fs::write(&invoice, &pdf).unwrap();
    let mut screen = common::pty::Pty::agent(&desk.url, &desk.agent, home.path()).await;
    screen.wait_for("Invoice");
    screen.keys("\r");
    screen.wait_for("where is my invoice?");
    screen.keys("r");
    // The defaults come from the thread; the title says where the reply goes.
    screen.wait_for("Subject: Re: Invoice");
    screen.wait_for("reply via Mail to eve@client");
    screen.keys("Attached again.");
    // Up to the Cc line, to its end, and an address.
    screen.keys("\u{1b}[A\u{1b}[A\u{1b}[A\u{1b}[A\u{1b}[F");
    screen.keys("ap@client.example");
    screen.wait_for("Cc: ap@client.example");
    // Ctrl-O, the path, and Enter once the listing offers the file.
    screen.keys("\u{f}");
    screen.keys(invoice.to_str().unwrap());
    screen.wait_for("invoice.pdf  ");
    screen.keys("\r");
    screen.wait_for("attached invoice.pdf");
    screen.keys("\u{13}");

    let mail = &sink.mails(1).await[0];
    assert_eq!(
        header(&mail.data, "Cc").as_deref(),
        Some("ap@client.example"),
        "{}",
        mail.data
    );
    assert_eq!(
        header(&mail.data, "Subject").as_deref(),
        Some("Re: Invoice")
    );
    assert!(mail.data.contains("Attached again."), "{}", mail.data);
    assert!(!mail.data.contains("Bcc:"), "{}", mail.data);
    // The attached file travels as a MIME part with its bytes.
    let parsed = mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .unwrap();
    assert_eq!(parsed.body_text(0).unwrap().trim(), "Attached again.");
    let part = parsed.attachment(0).expect("the mail carries the file");
    assert_eq!(part.attachment_name(), Some("invoice.pdf"));
    assert_eq!(part.contents(), &pdf[..]);
    // The thread shows the fields on the sent message.
    screen.wait_for("To: eve@client.example · Cc:");
    screen.wait_for("ap@client.example · Subject: Re:");
    let thread = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{conversation}"))
        .await;
    let last = thread["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["body"], "Attached again.", "{last}");
    assert_eq!(last["attachments"][0]["size"], 20_000, "{last}");
}
