//! Contact names from outside are one bounded line before they are stored, and a transport
//! that panics on a reply ends it as failed with the reason instead of leaving it queued.

mod common;
mod smtp_sink;

use base64::Engine;
use common::{Api, Desk};
use reqwest::StatusCode;
use serde_json::{Value, json};
use smtp_sink::Sink;

const SUPPORT: &str = "support@acme.example";

/// A desk with a custom channel and an email channel relaying to `sink`; returns the desk,
/// the custom channel (id, secret) and the email channel id.
async fn desk_with_mail(sink: &Sink) -> (Desk, (i64, String), i64) {
    let desk = Desk::start();
    let custom = desk.custom_channel("Bridge").await;
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
    (desk, custom, email)
}

/// A customer mails in as `name` (sent as one encoded word, as mail clients do): mail is a
/// path that cleans names rather than refusing them. Answers the conversation.
async fn mailed_in(desk: &Desk, email_channel: i64, name: &str) -> Value {
    let encoded = base64::engine::general_purpose::STANDARD.encode(name);
    let raw = format!(
        "From: =?utf-8?b?{encoded}?= <eve@client.example>\r\nTo: {SUPPORT}\r\n\
         Subject: Hi\r\nMessage-ID: <m1@client.example>\r\n\r\nhello\r\n"
    );
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/channels/{email_channel}/email/messages",
            desk.url
        ))
        .bearer_auth(&desk.admin)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let answer: Value = resp.json().await.unwrap();
    desk.api(&desk.agent)
        .ok(&format!("/conversations/{}", answer["conversation_id"]))
        .await
}

/// A customer writes in on the custom channel as `name`; answers the conversation.
async fn customer_named(desk: &Desk, (channel, secret): &(i64, String), name: &str) -> Value {
    let body = json!({"thread_id": "t1", "text": "hello",
        "sender": {"id": "eve-1", "name": name, "email": "eve@client.example"}});
    let (status, inbound) = desk.inbound(*channel, secret, &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{inbound}");
    desk.api(&desk.agent)
        .ok(&format!("/conversations/{}", inbound["conversation_id"]))
        .await
}

async fn mail_reply(api: &Api, conversation: i64, email_channel: i64) -> i64 {
    let (status, m) = api
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({"body": "We are on it.", "internal": false, "client_id": "r1", "channel_id": email_channel}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    m["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_name_with_crlf_is_stored_on_one_line_and_the_reply_mail_has_a_clean_to() {
    let sink = Sink::start().await;
    let (desk, _, email) = desk_with_mail(&sink).await;
    let conv = mailed_in(&desk, email, "Eve\r\nBcc: attacker@evil.example").await;
    assert_eq!(conv["contact"]["name"], "Eve Bcc: attacker@evil.example");
    let api = desk.api(&desk.agent);
    let id = conv["id"].as_i64().unwrap();
    let reply = mail_reply(&api, id, email).await;
    let sent = api
        .message_until(id, reply, |m| m["delivery"]["status"] != "queued")
        .await;
    assert_eq!(sent["delivery"]["status"], "sent", "{sent}");
    let mail = &sink.mails(1).await[0];
    assert_eq!(mail.rcpt_to, ["<eve@client.example>"]);
    let data = mail.data.replace("\n ", " ");
    let to: Vec<&str> = data.lines().filter(|l| l.starts_with("To: ")).collect();
    assert_eq!(to.len(), 1, "{data}");
    // The name goes out as one encoded word, since it holds a colon.
    let encoded =
        base64::engine::general_purpose::STANDARD.encode("Eve Bcc: attacker@evil.example");
    assert_eq!(
        to[0],
        format!("To: =?utf-8?b?{encoded}?= <eve@client.example>"),
        "{data}"
    );
    assert!(!data.lines().any(|l| l.starts_with("Bcc:")), "{data}");
}

#[tokio::test]
async fn names_are_bounded_to_200_characters() {
    let sink = Sink::start().await;
    let (desk, _, email) = desk_with_mail(&sink).await;
    let conv = mailed_in(&desk, email, &"Ü".repeat(500)).await;
    assert_eq!(
        conv["contact"]["name"].as_str().unwrap().chars().count(),
        200
    );
}

#[tokio::test]
async fn a_transport_panic_ends_the_reply_as_failed_with_the_reason() {
    let sink = Sink::start().await;
    let (desk, custom, email) = desk_with_mail(&sink).await;
    let conv = customer_named(&desk, &custom, "Eve").await;
    // A name stored before names were cleaned: the mail library panics on it.
    let db = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    db.execute(
        "UPDATE contacts SET name = ?1 WHERE id = ?2",
        (
            "Eve\r\nBcc: attacker@evil.example",
            conv["contact"]["id"].as_i64(),
        ),
    )
    .unwrap();
    let api = desk.api(&desk.agent);
    let id = conv["id"].as_i64().unwrap();
    let reply = mail_reply(&api, id, email).await;
    let failed = api
        .message_until(id, reply, |m| m["delivery"]["status"] != "queued")
        .await;
    assert_eq!(failed["delivery"]["status"], "failed", "{failed}");
    assert_eq!(failed["delivery"]["attempts"], 1);
    let error = failed["delivery"]["error"].as_str().unwrap();
    assert!(error.contains("crashed"), "{error}");
}
