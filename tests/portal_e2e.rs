//! The customer portal in a real headless Chromium (phone-sized window, no test-only
//! shortcuts): sign up through the mailed link, sign out and in, open a ticket with a file,
//! see the agent's reply, answer it; the agents get the answer over the API and live.

mod common;
mod portal_support;

use common::browser::Browser;
use fantoccini::{Client, Locator};
use portal_support::{contact, desk_with_mail, portal};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// Waits (10 s at most) until the page's source contains `text`; answers the source.
async fn wait_text(client: &Client, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let source = client.source().await.unwrap();
        if source.contains(text) {
            return source;
        }
        assert!(
            Instant::now() < deadline,
            "{text:?} never appeared in:\n{source}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// The page fits a phone's width, and every visible field has a label.
async fn fits_and_is_labelled(client: &Client) {
    let fits = client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fits,
        serde_json::Value::Bool(true),
        "the page scrolls sideways"
    );
    let unlabelled = client
        .execute(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]), textarea'))\
             .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unlabelled, serde_json::json!([]), "fields without a label");
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_customer_signs_up_opens_a_ticket_sees_the_reply_and_answers_in_a_browser() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(
        &desk,
        (channel.0, &channel.1),
        "nina@acme.example",
        "earlier chat",
    )
    .await;
    portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    let browser = Browser::start().await;
    let c = &browser.client;
    let base = format!("{}/portal/acme", desk.url);

    // Sign up: the answer is neutral, the link comes by mail.
    c.goto(&format!("{base}/signup")).await.unwrap();
    assert_eq!(c.title().await.unwrap(), "Create your account · Acme Help");
    fits_and_is_labelled(c).await;
    fill(c, "#email", "nina@acme.example").await;
    click(c, "main button[type=submit]").await;
    wait_text(c, "Check your inbox").await;
    let mail = sink.wait_for("nina@acme.example", 1).await;
    assert!(mail.subject.contains("Acme Help"));
    c.goto(&mail.link()).await.unwrap();
    fill(c, "#password", "my secret password").await;
    fill(c, "#confirm", "my secret password").await;
    click(c, "main button[type=submit]").await;
    wait_text(c, "Your password is saved").await;

    // Sign out, then in again.
    click(c, "nav button[type=submit]").await;
    wait_text(c, "You have signed out.").await;
    fill(c, "#email", "nina@acme.example").await;
    fill(c, "#password", "my secret password").await;
    click(c, "main button[type=submit]").await;
    wait_text(c, "Your tickets").await;

    // Open a ticket with the support form, with a file.
    let api = desk.api(&desk.agent);
    let seq = api.seq().await;
    let mut events = desk.events(&desk.agent, Some(seq)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("error-log.txt");
    std::fs::write(&file, "E042 printer on fire").unwrap();
    click(c, "main a.button").await;
    wait_text(c, "How can we help?").await;
    fits_and_is_labelled(c).await;
    fill(c, "#subject", "Printer does not print").await;
    fill(c, "#body", "It shows error E042.").await;
    fill(c, "#files", file.to_str().unwrap()).await;
    click(c, "main button[type=submit]").await;
    wait_text(c, "Your ticket was sent").await;
    let page = wait_text(c, "error-log.txt").await;
    assert!(page.contains("Received"));
    let created = events.until("conversation.created").await;
    let ticket = created["conversation"]["id"].as_i64().unwrap();
    assert_eq!(created["conversation"]["subject"], "Printer does not print");
    let portal_channel = created["conversation"]["channel_id"].as_i64().unwrap();
    assert_ne!(
        portal_channel, channel.0,
        "opened in the portal's own channel"
    );

    // An agent replies; the customer sees it with the agent's name on the next load.
    let (status, _) = api
        .post(
            &format!("/conversations/{ticket}/messages"),
            json!({"body": "Hi Nina, please switch it off and on.", "client_id": "r1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    c.refresh().await.unwrap();
    let page = wait_text(c, "Hi Nina, please switch it off and on.").await;
    assert!(page.contains("Bo Agent · Support"));
    assert!(page.contains("Waiting for your reply"));
    fits_and_is_labelled(c).await;

    // The customer answers; agents get it on the API and live on the event stream.
    fill(c, "#body", "Done, it prints again. Thanks!").await;
    click(c, "main button[type=submit]").await;
    wait_text(c, "Your reply was sent.").await;
    let live = loop {
        let e = events.until("message.created").await;
        if e["message"]["body"] == "Done, it prints again. Thanks!" {
            break e;
        }
    };
    assert_eq!(live["conversation_id"], ticket);
    assert_eq!(live["message"]["sender"]["kind"], "contact");
    assert_eq!(live["conversation"]["status"], "waiting_on_us");
    let messages = api.ok(&format!("/conversations/{ticket}/messages")).await;
    let bodies: Vec<&str> = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "It shows error E042.",
            "Hi Nina, please switch it off and on.",
            "Done, it prints again. Thanks!"
        ]
    );
    let file = &messages["items"][0]["attachments"][0];
    assert_eq!(file["name"], "error-log.txt");
    assert_eq!(file["size"], 20);
    browser.close().await;
}
