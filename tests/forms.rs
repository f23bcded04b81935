//! Web forms: admin definitions, the public HTML page and its posts (also in headless
//! Chromium), JSON submissions, and every refusal storing nothing.

mod common;

use common::Desk;
use common::browser::Browser;
use fantoccini::Locator;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Creates a channel of `kind` as admin and returns its id.
async fn channel(desk: &Desk, kind: &str) -> i64 {
    let (status, body) = desk
        .api(&desk.admin)
        .post(
            "/channels",
            json!({"kind": kind, "name": format!("{kind} channel")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// A support form using every field type and mapping.
fn support_form(channel_id: i64) -> Value {
    json!({
        "channel_id": channel_id,
        "name": "Contact <support>",
        "description": "We answer within a day.\n\nNo <script>alert(1)</script> here.",
        "fields": [
            {"name": "name", "label": "Your <b>name</b>", "type": "text", "maps_to": "contact_name"},
            {"name": "email", "label": "Email", "type": "email", "required": true, "maps_to": "contact_email"},
            {"name": "phone", "label": "Phone", "type": "tel", "maps_to": "contact_phone"},
            {"name": "subject", "label": "Subject", "type": "text", "required": true, "maps_to": "subject"},
            {"name": "urgency", "label": "Urgency", "type": "select", "options": ["low", "high", "urgent"], "maps_to": "priority"},
            {"name": "message", "label": "Message", "type": "textarea", "required": true, "maps_to": "body", "help": "Tell us what happened."},
            {"name": "order", "label": "Order number", "type": "number", "min": 1, "max": 99999},
            {"name": "topic", "label": "Topic", "type": "select", "options": ["Billing", "Shipping"], "required": true},
            {"name": "consent", "label": "You may email me", "type": "checkbox", "required": true}
        ],
        "presets": {"status": "waiting_on_us", "priority": "low", "labels": ["from-web-form"]},
        "submit_label": "Send request",
        "thank_you": "Got it, we'll write soon."
    })
}

async fn create_form(desk: &Desk, definition: Value) -> i64 {
    let (status, body) = desk.api(&desk.admin).post("/forms", definition).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

fn count(desk: &Desk, table: &str) -> i64 {
    let db = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn turn_off(desk: &Desk, id: i64) {
    let db = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    db.execute("UPDATE channels SET enabled = 0 WHERE id = ?1", [id])
        .unwrap();
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `application/x-www-form-urlencoded`, as a browser encodes a form.
fn urlencode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn post_form(desk: &Desk, id: i64, pairs: &[(&str, &str)]) -> reqwest::Response {
    no_redirects()
        .post(format!("{}/forms/{id}", desk.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(urlencode(pairs))
        .send()
        .await
        .unwrap()
}

async fn post_json(desk: &Desk, id: i64, body: Vec<u8>) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/forms/{id}", desk.url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn good_answers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "Ana Souza"),
        ("email", "ana@example.com"),
        ("phone", "+55 11 5555-0101"),
        ("subject", "Parcel never arrived"),
        ("urgency", "urgent"),
        ("message", "It has been two weeks."),
        ("order", "4242"),
        ("topic", "Shipping"),
        ("consent", "on"),
    ]
}

#[tokio::test]
async fn admins_define_edit_and_delete_forms_and_agents_read_them() {
    let desk = Desk::start();
    let ch = channel(&desk, "form").await;
    let other = channel(&desk, "form").await;
    let admin = desk.api(&desk.admin);
    let agent = desk.api(&desk.agent);

    let (status, _) = agent.post("/forms", support_form(ch)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = desk.api("fdk_nope").get("/forms").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, form) = admin.post("/forms", support_form(ch)).await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    let id = form["id"].as_i64().unwrap();
    assert_eq!(form["public_path"], format!("/forms/{id}"));
    assert_eq!(form["fields"].as_array().unwrap().len(), 9);
    assert_eq!(form["presets"]["status"], "waiting_on_us");

    assert_eq!(agent.ok(&format!("/forms/{id}")).await, form);
    assert_eq!(agent.ok("/forms").await, json!([form.clone()]));
    assert_eq!(
        agent.ok(&format!("/forms?channel_id={other}")).await,
        json!([])
    );

    let mut edited = support_form(other);
    edited["name"] = json!("Returns");
    let resp = reqwest::Client::new()
        .put(format!("{}/api/v1/forms/{id}", desk.url))
        .bearer_auth(&desk.admin)
        .json(&edited)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let after = agent.ok(&format!("/forms/{id}")).await;
    assert_eq!(after["name"], "Returns");
    assert_eq!(after["channel_id"], other);
    assert_eq!(after["created_at"], form["created_at"]);

    let delete = |token: &str| {
        reqwest::Client::new()
            .delete(format!("{}/api/v1/forms/{id}", desk.url))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        delete(&desk.agent).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        delete(&desk.admin).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(&desk.admin).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let (status, _) = agent.get(&format!("/forms/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_definitions_are_refused_with_the_reason_and_store_nothing() {
    let desk = Desk::start();
    let ch = channel(&desk, "form").await;
    let chat = channel(&desk, "chat").await;
    let admin = desk.api(&desk.admin);
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut d = support_form(ch);
        edit(&mut d);
        d
    };
    for (bad, says) in [
        (with(&|d| d["channel_id"] = json!(chat)), "kind form"),
        (with(&|d| d["channel_id"] = json!(9999)), "not a channel"),
        (with(&|d| d["name"] = json!("  ")), "name"),
        (with(&|d| d["fields"] = json!([])), "fields"),
        (
            with(&|d| {
                d["fields"].as_array_mut().unwrap().remove(1);
            }),
            "contact_email",
        ),
        (
            with(&|d| d["fields"][0]["name"] = json!("Full Name")),
            "fields[0]",
        ),
        (
            with(&|d| d["fields"][2]["name"] = json!("name")),
            "used twice",
        ),
        (
            with(&|d| d["fields"][4]["options"] = json!(["low", "soon"])),
            "priority",
        ),
        (with(&|d| d["fields"][7]["options"] = json!([])), "options"),
        (
            with(&|d| d["fields"][6]["min"] = json!(100000)),
            "fields[6]",
        ),
        (
            with(&|d| d["fields"][0]["type"] = json!("color")),
            "unknown variant",
        ),
        (
            with(&|d| d["presets"]["status"] = json!("pending")),
            "unknown variant",
        ),
        (with(&|d| d["presets"]["owner"] = json!(1)), "unknown field"),
        (with(&|d| d["secret"] = json!(true)), "unknown field"),
    ] {
        let (status, body) = admin.post("/forms", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{says:?} not in {message:?}");
    }
    let (status, body) = admin
        .raw(
            reqwest::Method::POST,
            "/forms",
            b"{\"channel_id\": ".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_json");
    assert_eq!(count(&desk, "forms"), 0);
}

#[tokio::test]
async fn the_public_page_is_accessible_escaped_and_hides_the_presets() {
    let desk = Desk::start();
    let id = create_form(&desk, support_form(channel(&desk, "form").await)).await;
    let resp = reqwest::get(format!("{}/forms/{id}", desk.url))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("<title>Contact &lt;support&gt;</title>"),
        "{page}"
    );
    assert!(page.contains("<label for=\"f-name\">Your &lt;b&gt;name&lt;/b&gt;</label>"));
    assert!(page.contains("No &lt;script&gt;alert(1)&lt;/script&gt; here."));
    assert!(!page.contains("<script"), "no script from definitions");
    assert!(page.contains("<input id=\"f-email\" name=\"email\" type=\"email\""));
    assert!(page.contains("aria-describedby=\"f-message-help\""));
    assert!(page.contains("<option value=\"Shipping\">Shipping</option>"));
    assert!(page.contains(">Send request</button>"));
    for hidden in ["waiting_on_us", "from-web-form", "presets"] {
        assert!(!page.contains(hidden), "{hidden} leaked into the page");
    }
    let public: Value = reqwest::get(format!("{}/forms/{id}/definition", desk.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["fields"].as_array().unwrap().len(), 9);
    assert_eq!(public["accepting_submissions"], true);
    assert!(!public.to_string().contains("waiting_on_us"));
    assert!(!public.to_string().contains("maps_to"));
}

#[tokio::test]
async fn an_html_post_opens_a_ticket_with_the_mapped_fields_and_presets() {
    let desk = Desk::start();
    let id = create_form(&desk, support_form(channel(&desk, "form").await)).await;
    let resp = post_form(&desk, id, &good_answers()).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("/forms/{id}/thanks"));
    let thanks = reqwest::get(format!("{}{location}", desk.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(thanks.contains("Got it, we&#39;ll write soon."), "{thanks}");

    let api = desk.api(&desk.agent);
    let ids = api.ids("channel=form").await;
    assert_eq!(ids.len(), 1);
    let ticket = api.ok(&format!("/conversations/{}", ids[0])).await;
    assert_eq!(ticket["subject"], "Parcel never arrived");
    assert_eq!(ticket["status"], "waiting_on_us", "status preset applied");
    assert_eq!(
        ticket["priority"], "urgent",
        "the priority field beats the preset"
    );
    assert_eq!(ticket["labels"], json!(["from-web-form"]));
    assert_eq!(ticket["contact"]["name"], "Ana Souza");
    assert_eq!(ticket["contact"]["email"], "ana@example.com");
    assert_eq!(ticket["contact"]["phone"], "+55 11 5555-0101");
    assert_eq!(
        ticket["messages"][0]["body"],
        "It has been two weeks.\n\nOrder number: 4242\nTopic: Shipping\nYou may email me: yes"
    );

    // Without a priority answer the preset applies; a second post is a second ticket.
    let mut answers = good_answers();
    answers.retain(|(k, _)| *k != "urgency");
    assert_eq!(
        post_form(&desk, id, &answers).await.status(),
        StatusCode::SEE_OTHER
    );
    let ids = api.ids("channel=form").await;
    assert_eq!(ids.len(), 2);
    let second = api.ok(&format!("/conversations/{}", ids[0])).await;
    assert_eq!(second["priority"], "low");
    assert_eq!(
        second["contact"]["id"], ticket["contact"]["id"],
        "same contact by email"
    );
    assert_eq!(count(&desk, "form_submissions"), 2);
}

#[tokio::test]
async fn an_html_post_with_errors_shows_each_beside_its_field_keeps_values_and_stores_nothing() {
    let desk = Desk::start();
    let id = create_form(&desk, support_form(channel(&desk, "form").await)).await;
    let hostile = "\"><script>alert(1)</script>";
    let resp = post_form(
        &desk,
        id,
        &[
            ("name", hostile),
            ("email", "ana-at-example"),
            ("phone", "call me maybe"),
            ("subject", ""),
            ("urgency", "whenever"),
            ("message", "Help"),
            ("order", "0"),
            ("topic", "Billing"),
            ("status", "closed"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = resp.text().await.unwrap();
    assert!(!page.contains("<script>"), "the visitor's text is escaped");
    assert!(page.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
    assert!(page.contains("Please correct 6 fields"), "{page}");
    for (field, error) in [
        ("email", "Enter an email address like name@example.com."),
        ("phone", "Enter a phone number"),
        ("subject", "This field is required."),
        ("urgency", "Choose one of the options."),
        ("order", "Enter a number of at least 1."),
        ("consent", "Tick this box to continue."),
    ] {
        let at = page
            .find(&format!(
                "<p class=\"error\" id=\"f-{field}-error\">{error}"
            ))
            .unwrap_or_else(|| panic!("no error for {field}"));
        let input = page.find(&format!("id=\"f-{field}\"")).unwrap();
        assert!(input < at, "the error of {field} follows its input");
    }
    assert!(page.contains("id=\"f-email\" name=\"email\" type=\"email\" value=\"ana-at-example\""));
    assert!(page.contains("<textarea id=\"f-message\" name=\"message\" rows=\"6\" maxlength=\"5000\" required aria-required=\"true\" aria-describedby=\"f-message-help\">Help</textarea>"));
    assert!(page.contains("<option value=\"Billing\" selected>"));
    assert_eq!(count(&desk, "conversations"), 0);
    assert_eq!(count(&desk, "contacts"), 0);

    // The hidden trap: a bot is thanked, nothing is stored.
    let mut trapped = good_answers();
    trapped.push(("fd_website", "http://spam.example"));
    assert_eq!(
        post_form(&desk, id, &trapped).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(count(&desk, "conversations"), 0);
}

#[tokio::test]
async fn a_json_post_answers_201_or_422_with_field_errors() {
    let desk = Desk::start_with(&["--body-limit", "8192"]);
    let id = create_form(&desk, support_form(channel(&desk, "form").await)).await;
    let (status, body) = post_json(
        &desk,
        id,
        json!({
            "email": "nope",
            "subject": "Hi",
            "message": "x".repeat(5001),
            "order": "many",
            "topic": ["Billing"],
            "consent": "maybe",
            "status": "closed"
        })
        .to_string()
        .into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_submission");
    assert_eq!(
        body["error"]["fields"]["status"],
        "Not a field of this form."
    );
    assert_eq!(body["error"]["fields"]["topic"], "Must be text.");
    assert_eq!(
        body["error"]["fields"]["email"], "Enter an email address like name@example.com.",
        "shape errors and answer errors come together"
    );

    let (status, body) = post_json(
        &desk,
        id,
        json!({"email": "nope", "subject": "Hi", "message": "x".repeat(5001), "order": "many", "topic": "Food", "consent": false})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = body["error"]["fields"].as_object().unwrap();
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        ["consent", "email", "message", "order", "topic"]
    );
    assert_eq!(fields["message"], "Use at most 5000 characters.");
    assert_eq!(fields["order"], "Enter a number.");

    for (raw, expected) in [
        (b"{\"email\":".to_vec(), StatusCode::BAD_REQUEST),
        (b"[1, 2]".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
        (vec![b' '; 10_000], StatusCode::PAYLOAD_TOO_LARGE),
    ] {
        let (status, body) = post_json(&desk, id, raw).await;
        assert_eq!(status, expected, "{body}");
        assert!(body["error"]["message"].is_string());
    }
    let resp = reqwest::Client::new()
        .post(format!("{}/forms/{id}", desk.url))
        .header("content-type", "text/plain")
        .body("email=a@b.c")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(count(&desk, "conversations"), 0);

    let (status, body) = post_json(
        &desk,
        id,
        json!({"email": "bo@example.com", "subject": "Invoice", "message": "Wrong VAT", "order": 17, "topic": "Billing", "consent": true})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let conversation = body["conversation_id"].as_i64().unwrap();
    let ticket = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{conversation}"))
        .await;
    assert_eq!(ticket["contact"]["email"], "bo@example.com");
    assert_eq!(ticket["status"], "waiting_on_us");
    assert_eq!(ticket["priority"], "low");
    assert!(
        ticket["messages"][0]["body"]
            .as_str()
            .unwrap()
            .contains("Order number: 17")
    );
}

#[tokio::test]
async fn unknown_forms_and_turned_off_channels_refuse_and_store_nothing() {
    let desk = Desk::start();
    let ch = channel(&desk, "form").await;
    let id = create_form(&desk, support_form(ch)).await;
    for path in ["/forms/9999", "/forms/abc"] {
        let resp = reqwest::get(format!("{}{path}", desk.url)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert!(resp.text().await.unwrap().contains("Form not found"));
    }
    assert_eq!(
        post_form(&desk, 9999, &good_answers()).await.status(),
        StatusCode::NOT_FOUND
    );
    let (status, body) = post_json(&desk, 9999, b"{}".to_vec()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");

    turn_off(&desk, ch);
    let resp = reqwest::get(format!("{}/forms/{id}", desk.url))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("not taking submissions")
    );
    assert_eq!(
        post_form(&desk, id, &good_answers()).await.status(),
        StatusCode::CONFLICT
    );
    let (status, body) = post_json(
        &desk,
        id,
        json!({"email": "bo@example.com", "subject": "S", "message": "M", "topic": "Billing", "consent": true})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("turned off")
    );
    assert_eq!(count(&desk, "conversations"), 0);
    assert_eq!(count(&desk, "contacts"), 0);
}

#[tokio::test]
async fn a_visitor_fills_the_form_in_chromium_fixes_an_error_and_is_thanked() {
    let desk = Desk::start();
    let id = create_form(&desk, support_form(channel(&desk, "form").await)).await;
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/forms/{id}", desk.url)).await.unwrap();
    for (field, value) in [
        ("f-name", "Zé <Silva>"),
        ("f-email", "ze@example.com"),
        // A phone the browser lets through and the server refuses.
        ("f-phone", "ring ring"),
        ("f-subject", "Broken lamp"),
        ("f-message", "It flickers."),
        ("f-order", "12"),
    ] {
        c.find(Locator::Id(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    c.find(Locator::Id("f-topic"))
        .await
        .unwrap()
        .select_by_value("Billing")
        .await
        .unwrap();
    c.find(Locator::Id("f-consent"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = c
        .wait()
        .for_element(Locator::Id("f-phone-error"))
        .await
        .unwrap();
    assert!(
        error
            .text()
            .await
            .unwrap()
            .starts_with("Enter a phone number")
    );
    let kept = c.find(Locator::Id("f-name")).await.unwrap();
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("Zé <Silva>")
    );
    assert_eq!(count(&desk, "conversations"), 0);

    let phone = c.find(Locator::Id("f-phone")).await.unwrap();
    phone.clear().await.unwrap();
    phone.send_keys("+34 600 123 456").await.unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let thanks = c.wait().for_element(Locator::Id("thanks")).await.unwrap();
    assert_eq!(thanks.text().await.unwrap(), "Got it, we'll write soon.");
    assert!(c.current_url().await.unwrap().path().ends_with("/thanks"));
    let ids = desk.api(&desk.agent).ids("channel=form").await;
    assert_eq!(ids.len(), 1);
    let ticket = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{}", ids[0]))
        .await;
    assert_eq!(ticket["contact"]["name"], "Zé <Silva>");
    assert_eq!(ticket["contact"]["phone"], "+34 600 123 456");
    browser.close().await;
}
