//! Files on replies from outside: uploaded over HTTP, carried by a reply, and arriving at an
//! SMTP relay as a MIME part, at a custom channel's webhook as a signed link that fetches the
//! bytes, and at the Graph API as uploaded media; refused with 422 `attachment_refused`
//! (nothing stored) when too many, too heavy, not the desk's own, or the channel cannot carry
//! files.

mod common;
mod graph_peer;
mod smtp_sink;
mod webhook_receiver;

use common::{Api, Desk, customer};
use frontdesk::client::api::Api as Client;
use graph_peer::{FakeGraph, channel, conversation_of, hook, hours_ago};
use mail_parser::MimeHeaders;
use reqwest::StatusCode;
use serde_json::{Value, json};
use smtp_sink::Sink;
use webhook_receiver::Receiver;

const SUPPORT: &str = "support@acme.example";

/// Bytes that differ for every `seed`, `len` long.
fn bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

/// Uploads `bytes` as `name`; answers the status and body.
async fn upload(api: &Api, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let resp = api
        .http
        .post(format!(
            "{}/files?name={}",
            api.base,
            name.replace(' ', "%20")
        ))
        .bearer_auth(&api.token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Posts a reply with `attachments` (upload answers); answers the status and body.
async fn reply_with(
    api: &Api,
    conversation: i64,
    client_id: &str,
    attachments: Vec<Value>,
) -> (StatusCode, Value) {
    api.post(
        &format!("/conversations/{conversation}/messages"),
        json!({"body": "Here is the file.", "client_id": client_id, "attachments": attachments}),
    )
    .await
}

async fn message_count(api: &Api, conversation: i64) -> usize {
    api.ok(&format!("/conversations/{conversation}/messages?limit=200"))
        .await["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_uploaded_file_reaches_the_relay_as_a_mime_part_with_its_bytes() {
    let sink = Sink::start().await;
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

    // The client library uploads; the answer names the file for a reply.
    let client = Client::new(&desk.url, &desk.agent).unwrap();
    let pdf = bytes(7, 70_000);
    let file = client
        .upload_file(pdf.clone(), "invoice 42.pdf")
        .await
        .unwrap();
    assert_eq!(file.name, "invoice 42.pdf");
    assert_eq!(file.mime_type, "application/pdf");
    assert_eq!(file.size, 70_000);
    assert_eq!(file.kind.as_str(), "file");
    let api = desk.api(&desk.agent);
    let (status, message) = reply_with(
        &api,
        conversation,
        "mail-1",
        vec![json!({"url": file.url, "name": file.name})],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(message["attachments"][0]["name"], "invoice 42.pdf");
    assert_eq!(message["attachments"][0]["size"], 70_000);
    assert_eq!(message["attachments"][0]["mime_type"], "application/pdf");
    // The same client_id again adds nothing.
    let (again, same) = reply_with(
        &api,
        conversation,
        "mail-1",
        vec![json!({"url": file.url, "name": file.name})],
    )
    .await;
    assert_eq!((again, &same["id"]), (StatusCode::OK, &message["id"]));

    let mail = &sink.mails(1).await[0];
    let parsed = mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .unwrap();
    assert_eq!(parsed.body_text(0).unwrap().trim(), "Here is the file.");
    let part = parsed.attachment(0).expect("the mail carries the file");
    assert_eq!(part.attachment_name(), Some("invoice 42.pdf"));
    assert_eq!(part.contents(), &pdf[..]);
    assert_eq!(
        part.content_type().map(|c| (c.ctype(), c.subtype())),
        Some(("application", Some("pdf")))
    );
}

/// A desk delivering to a webhook receiver through a custom channel declaring
/// `capabilities`; answers the desk, the receiver, the channel and a conversation on it.
async fn custom_desk(capabilities: Value) -> (Desk, Receiver, i64, i64) {
    let desk = Desk::start_with(&["--allow-private-targets", "--delivery-retry-ms", "50"]);
    let receiver = Receiver::start().await;
    let (status, channel) = desk
        .api(&desk.admin)
        .post(
            "/channels",
            json!({"kind": "custom", "name": "Bridge", "webhook_url": receiver.url(),
                   "capabilities": capabilities}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let secret = channel["secret"].as_str().unwrap().to_string();
    receiver.set_secret(&secret);
    let id = channel["id"].as_i64().unwrap();
    let (status, body) = desk
        .inbound(id, &secret, &customer("t-1", "cust-1", "send me the photo"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    (
        desk,
        receiver,
        id,
        body["conversation_id"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_custom_channel_gets_a_signed_link_that_fetches_the_bytes_and_nothing_else() {
    let (desk, receiver, channel, conversation) = custom_desk(json!(null)).await;
    let api = desk.api(&desk.agent);
    let png = bytes(3, 5_000);
    let (status, file) = upload(&api, "photo.png", png.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    assert_eq!(
        (file["kind"].as_str(), file["mime_type"].as_str()),
        (Some("image"), Some("image/png"))
    );
    let (status, message) = reply_with(&api, conversation, "c-1", vec![file.clone()]).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    let got = receiver.until(|r| !r.is_empty()).await;
    assert!(got[0].signature_ok);
    let sent = &got[0].body["message"]["attachments"][0];
    assert_eq!(sent["name"], "photo.png");
    assert_eq!(sent["kind"], "image");
    assert_eq!(sent["size"], 5_000);
    let link = sent["url"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/files/{channel}/", desk.url)),
        "{link}"
    );
    // The far side fetches it without a token.
    let fetched = reqwest::get(link).await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), png);
    // A link with another signature, or for another channel, is nothing.
    let (path, sig) = link.split_once("?sig=").unwrap();
    let flipped = if sig.starts_with('0') { "1" } else { "0" };
    for bad in [
        format!("{path}?sig={flipped}{}", &sig[1..]),
        path.to_string(),
        path.replace(
            &format!("/files/{channel}/"),
            &format!("/files/{}/", channel + 1),
        ) + "?sig="
            + sig,
    ] {
        let resp = reqwest::get(&bad).await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn whatsapp_replies_upload_the_file_as_graph_media_and_send_it_by_id() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "whatsapp", "1065", &graph, json!({})).await;
    let message = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "1065"},
            "contacts": [{"profile": {"name": "Lucia"}, "wa_id": "39333"}],
            "messages": [{"from": "39333", "id": "wamid.A", "timestamp": (hours_ago(0) / 1000).to_string(),
                          "type": "text", "text": {"body": "the manual?"}}]}}]}]});
    let (status, answer) = hook(&desk, "whatsapp", ch, &message).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let conversation = conversation_of(&desk, ch).await["id"].as_i64().unwrap();
    let api = desk.api(&desk.agent);
    let manual = bytes(9, 12_345);
    let (_, file) = upload(&api, "manual.pdf", manual.clone()).await;
    let (status, reply) = reply_with(&api, conversation, "wa-1", vec![file]).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let id = reply["id"].as_i64().unwrap();
    api.message_until(conversation, id, |m| m["delivery"]["status"] == "sent")
        .await;
    let uploads = graph.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].path, "/v19.0/1065/media");
    assert_eq!(uploads[0].bytes, manual);
    assert_eq!(uploads[0].file_name.as_deref(), Some("manual.pdf"));
    assert_eq!(uploads[0].fields["messaging_product"], "whatsapp");
    let sends = graph.sends();
    assert_eq!(sends.len(), 2, "the text, then the file: {sends:?}");
    assert_eq!(sends[0].body["text"]["body"], "Here is the file.");
    assert_eq!(sends[1].body["type"], "document");
    assert_eq!(sends[1].body["document"]["id"], uploads[0].id.as_str());
    assert_eq!(sends[1].body["document"]["filename"], "manual.pdf");
    assert_eq!(sends[1].body["to"], "39333");
}

#[tokio::test]
async fn too_many_too_heavy_foreign_or_uncarriable_files_are_refused_storing_nothing() {
    let (desk, _receiver, channel, conversation) =
        custom_desk(json!({"attachments": [{"kind": "image", "max_size": 1000}]})).await;
    let api = desk.api(&desk.agent);
    let before = message_count(&api, conversation).await;
    let refused = |(status, body): (StatusCode, Value), what: &str| {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert_eq!(
            body["error"]["code"], "attachment_refused",
            "{what}: {body}"
        );
        body["error"]["message"].as_str().unwrap().to_string()
    };

    // One byte over the desk's largest attachment: refused at the upload.
    let (status, body) = upload(&api, "big.bin", vec![1; 10 * 1024 * 1024 + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "too_large");

    let mut small = Vec::new();
    for i in 0..11u8 {
        let (status, f) = upload(&api, &format!("p{i}.png"), bytes(i, 100)).await;
        assert_eq!(status, StatusCode::CREATED, "{f}");
        small.push(f);
    }
    let m = refused(
        reply_with(&api, conversation, "r-many", small.clone()).await,
        "11 files",
    );
    assert!(m.contains("at most 10"), "{m}");

    let mut heavy = Vec::new();
    for i in 0..3u8 {
        let (status, f) = upload(&api, &format!("h{i}.png"), bytes(100 + i, 9 * 1024 * 1024)).await;
        assert_eq!(status, StatusCode::CREATED, "{f}");
        heavy.push(f);
    }
    let m = refused(
        reply_with(&api, conversation, "r-heavy", heavy).await,
        "27 MiB",
    );
    assert!(m.contains("together"), "{m}");

    let foreign = json!({"url": "https://cdn.example.com/x.png", "name": "x.png"});
    let m = refused(
        reply_with(&api, conversation, "r-foreign", vec![foreign]).await,
        "foreign",
    );
    assert!(m.contains("not a file uploaded to this desk"), "{m}");
    let unknown = json!({"url": format!("/api/v1/files/{}", "0".repeat(64)), "name": "x.png"});
    refused(
        reply_with(&api, conversation, "r-unknown", vec![unknown]).await,
        "unknown hash",
    );

    // The channel carries images up to 1000 bytes, and no other kind.
    let (_, pdf) = upload(&api, "terms.pdf", bytes(1, 50)).await;
    let m = refused(
        reply_with(&api, conversation, "r-kind", vec![pdf]).await,
        "a pdf",
    );
    assert!(m.contains("does not carry file files"), "{m}");
    let (_, photo) = upload(&api, "large.png", bytes(2, 1001)).await;
    let m = refused(
        reply_with(&api, conversation, "r-size", vec![photo.clone()]).await,
        "1001 bytes",
    );
    assert!(m.contains("up to 1000 bytes"), "{m}");
    assert_eq!(message_count(&api, conversation).await, before);

    // An internal note keeps any of the desk's files.
    let (status, note) = api
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({"body": "for the team", "internal": true, "client_id": "n-1",
                   "attachments": [photo.clone()]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    assert_eq!(note["attachments"][0]["size"], 1001);
    // A channel declaring no attachment kinds carries no files at all.
    let (status, patched) = desk
        .api(&desk.admin)
        .patch(
            &format!("/channels/{channel}"),
            json!({"capabilities": {"attachments": []}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let m = refused(
        reply_with(&api, conversation, "r-none", vec![small[0].clone()]).await,
        "a channel carrying no files",
    );
    assert!(m.contains("cannot carry files"), "{m}");
    assert_eq!(message_count(&api, conversation).await, before + 1);
}

#[tokio::test]
async fn messenger_replies_upload_the_picture_as_an_attachment_and_send_it_by_id() {
    let desk = Desk::start_with(&["--allow-private-targets"]);
    let graph = FakeGraph::start().await;
    let ch = channel(&desk, "messenger", "1001", &graph, json!({})).await;
    let message = json!({"object": "page", "entry": [{"id": "1001", "time": hours_ago(0), "messaging": [
        {"sender": {"id": "psid-1"}, "recipient": {"id": "1001"}, "timestamp": hours_ago(0),
         "message": {"mid": "m_in1", "text": "a photo please"}}]}]});
    let (status, answer) = hook(&desk, "messenger", ch, &message).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let conversation = conversation_of(&desk, ch).await["id"].as_i64().unwrap();
    let api = desk.api(&desk.agent);
    let photo = bytes(5, 4_321);
    let (_, file) = upload(&api, "shelf.jpg", photo.clone()).await;
    let (status, reply) = api
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({"body": " ", "client_id": "m-1", "attachments": [file]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let id = reply["id"].as_i64().unwrap();
    api.message_until(conversation, id, |m| m["delivery"]["status"] == "sent")
        .await;
    let uploads = graph.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].path, "/v19.0/1001/message_attachments");
    assert_eq!(uploads[0].bytes, photo);
    assert_eq!(uploads[0].content_type.as_deref(), Some("image/jpeg"));
    let declared: Value = serde_json::from_str(&uploads[0].fields["message"]).unwrap();
    assert_eq!(declared["attachment"]["type"], "image");
    let sends = graph.sends();
    assert_eq!(
        sends.len(),
        1,
        "a reply of only a file sends only the file: {sends:?}"
    );
    assert_eq!(sends[0].body["recipient"]["id"], "psid-1");
    assert_eq!(sends[0].body["message"]["attachment"]["type"], "image");
    assert_eq!(
        sends[0].body["message"]["attachment"]["payload"]["attachment_id"],
        uploads[0].id.as_str()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_attached_in_the_terminal_client_reaches_the_webhook_with_its_bytes() {
    let (desk, receiver, _, conversation) = custom_desk(json!(null)).await;
    let home = tempfile::tempdir().unwrap();
    let png = bytes(5, 3_000);
    let photo = home.path().join("photo.png");
    std::fs::write(&photo, &png).unwrap();
    let mut screen = common::pty::Pty::agent(&desk.url, &desk.agent, home.path()).await;
    screen.wait_for("send me the photo");
    screen.keys("\r");
    screen.keys("r");
    screen.wait_for("reply via");
    screen.keys("Here is the photo.");
    // Ctrl-O, the path, and Enter once the listing offers the file.
    screen.keys("\u{f}");
    screen.keys(photo.to_str().unwrap());
    screen.wait_for("photo.png  ");
    screen.keys("\r");
    screen.wait_for("attached photo.png");
    screen.keys("\u{13}");

    let got = receiver.until(|r| !r.is_empty()).await;
    let sent = &got[0].body["message"];
    assert_eq!(sent["body"], "Here is the photo.", "{sent}");
    assert_eq!(sent["attachments"][0]["name"], "photo.png", "{sent}");
    let link = sent["attachments"][0]["url"].as_str().unwrap();
    let fetched = reqwest::get(link).await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), png);
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
    assert_eq!(last["attachments"][0]["size"], 3_000, "{last}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_will_not_upload_puts_the_reply_back_in_its_draft() {
    let (desk, receiver, _, conversation) = custom_desk(json!(null)).await;
    let home = tempfile::tempdir().unwrap();
    let doomed = home.path().join("doomed.txt");
    std::fs::write(&doomed, b"soon gone").unwrap();
    let mut screen = common::pty::Pty::agent(&desk.url, &desk.agent, home.path()).await;
    screen.wait_for("send me the photo");
    screen.keys("\r");
    screen.keys("r");
    screen.wait_for("reply via");
    screen.keys("Keep this text");
    screen.keys("\u{f}");
    screen.keys(doomed.to_str().unwrap());
    screen.wait_for("doomed.txt  ");
    screen.keys("\r");
    screen.wait_for("attached doomed.txt");
    // The file goes away between attaching and sending.
    std::fs::remove_file(&doomed).unwrap();
    screen.keys("\u{13}");
    screen.wait_for("not sent: could not upload doomed.txt");
    screen.wait_for("Keep this text");
    screen.wait_for("doomed.txt");
    let thread = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{conversation}"))
        .await;
    assert_eq!(thread["message_count"], 1, "{thread}");
    assert!(receiver.received().is_empty());
}

/// The order promised: replies reach the server in the order the agent sent them. A short
/// reply sent while the reply before it is still uploading a large file waits for it.
#[tokio::test(flavor = "multi_thread")]
async fn a_short_reply_sent_during_a_large_upload_arrives_after_it() {
    let (desk, receiver, _, conversation) = custom_desk(json!(null)).await;
    let home = tempfile::tempdir().unwrap();
    let large = home.path().join("scan.png");
    std::fs::write(&large, bytes(9, 9_000_000)).unwrap();
    let mut screen = common::pty::Pty::agent(&desk.url, &desk.agent, home.path()).await;
    screen.wait_for("send me the photo");
    screen.keys("\r");
    screen.keys("r");
    screen.wait_for("reply via");
    screen.keys("First, the scan.");
    screen.keys("\u{f}");
    screen.keys(large.to_str().unwrap());
    screen.wait_for("scan.png  ");
    screen.keys("\r");
    screen.wait_for("attached scan.png");
    // Sent, and at once a second, short reply: it would be queued while the scan uploads.
    screen.keys("\u{13}rThen this.\u{13}");

    let got = receiver.until(|r| r.len() >= 2).await;
    let bodies: Vec<&Value> = got.iter().map(|r| &r.body["message"]["body"]).collect();
    assert_eq!(bodies, ["First, the scan.", "Then this."]);
    let thread = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{conversation}"))
        .await;
    let stored: Vec<&Value> = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|m| &m["body"])
        .collect();
    assert_eq!(stored, ["First, the scan.", "Then this."], "{thread}");
}
