//! Input bounds and wire correctness of the HTTP API: paging parameters, timestamps,
//! free-text sizes, search limits and file downloads, against the real server binary.

mod common;

use common::{Desk, customer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A desk with one conversation; returns it with the channel id, secret and conversation id.
async fn desk_with_conversation(extra: &[&str]) -> (Desk, i64, String, i64) {
    let desk = Desk::start_with(extra);
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (s, r) = desk
        .inbound(ch, &secret, &customer("t", "u", "hello"))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{r}");
    (desk, ch, secret, r["conversation_id"].as_i64().unwrap())
}

/// Everything an agent can see of a conversation and the event log's head.
async fn snapshot(desk: &Desk, id: i64) -> (Value, i64) {
    let api = desk.api(&desk.agent);
    (
        api.ok(&format!("/conversations/{id}")).await,
        api.seq().await,
    )
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
}

/// Every string in `v` that looks like a time, with the path to it.
fn times(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) if s.len() >= 20 && s.as_bytes()[4] == b'-' && s.contains('T') => {
            out.push((path.to_string(), s.clone()))
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| times(x, &format!("{path}[{i}]"), out)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| times(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, exactly.
fn is_wire_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[tokio::test]
async fn timestamps_always_carry_three_fractional_digits() {
    let (desk, _, _, id) = desk_with_conversation(&[]).await;
    let api = desk.api(&desk.agent);
    let mut events = desk.events(&desk.agent, Some(0)).await;
    for (sent, shown) in [
        ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000Z"),
        ("2030-01-01T00:00:00.5Z", "2030-01-01T00:00:00.500Z"),
        ("2030-01-01T00:00:00.120+00:00", "2030-01-01T00:00:00.120Z"),
    ] {
        let (s, c) = api
            .patch(
                &format!("/conversations/{id}"),
                json!({"snoozed_until": sent}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["snoozed_until"], shown);
    }
    let detail = api.ok(&format!("/conversations/{id}")).await;
    assert_eq!(detail["snoozed_until"], "2030-01-01T00:00:00.120Z");
    let mut found = Vec::new();
    times(&detail, "detail", &mut found);
    times(&api.ok("/conversations").await, "list", &mut found);
    for e in events.take(4).await {
        times(&e, "event", &mut found);
    }
    assert!(found.len() > 10, "{found:?}");
    for (path, t) in found {
        assert!(is_wire_time(&t), "{path} = {t:?}");
    }
}

#[tokio::test]
async fn paging_parameters_are_checked_the_same_way_on_every_list() {
    let (desk, _, _, id) = desk_with_conversation(&[]).await;
    let before = snapshot(&desk, id).await;
    let api = desk.api(&desk.agent);
    for path in ["/conversations", &format!("/conversations/{id}/messages")] {
        for query in ["limit=0", "limit=501", "limit=-1", "limit=x"] {
            let (s, r) = api.get(&format!("{path}?{query}")).await;
            assert_error(s, &r, StatusCode::BAD_REQUEST, "invalid_query");
            assert!(
                r["error"]["message"].as_str().unwrap().contains("1 to 500"),
                "{path}?{query}: {r}"
            );
        }
        let (s, r) = api.get(&format!("{path}?limit=500")).await;
        assert_eq!(s, StatusCode::OK, "{path}: {r}");
    }
    for query in ["before=0", "before=-5", "before=abc"] {
        let (s, r) = api
            .get(&format!("/conversations/{id}/messages?{query}"))
            .await;
        assert_error(s, &r, StatusCode::BAD_REQUEST, "invalid_query");
    }
    let page = api
        .ok(&format!(
            "/conversations/{id}/messages?limit=1&before=999999"
        ))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(snapshot(&desk, id).await, before);
}

/// A mail to `to` with a PDF and an HTML attachment, as uploaded raw.
fn mail_with_attachments(to: &str) -> Vec<u8> {
    format!(
        "From: Carla <carla@client.example>\r\n\
To: {to}\r\n\
Subject: Files\r\n\
Message-ID: <files@client.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Two files attached.\r\n\
--b\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename*=UTF-8''R%C3%A9sum%C3%A9%20v2.pdf\r\n\
\r\n\
%PDF-1.4 not really\r\n\
--b\r\n\
Content-Type: text/html\r\n\
Content-Disposition: attachment; filename=\"page.html\"\r\n\
\r\n\
<script>alert(document.cookie)</script>\r\n\
--b--\r\n"
    )
    .into_bytes()
}

/// Creates an email channel receiving at `to`; returns its id.
async fn email_channel(desk: &Desk, to: &str) -> i64 {
    let admin = desk.api(&desk.admin);
    let (s, channel) = admin
        .post("/channels", json!({"kind": "email", "name": "Mail"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{channel}");
    let channel = channel["id"].as_i64().unwrap();
    let (s, r) = admin
        .raw(
            reqwest::Method::PUT,
            &format!("/channels/{channel}/email"),
            serde_json::to_vec(&json!({"addresses": [to], "company_name": "Acme"})).unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    channel
}

/// Uploads a raw mail to an email channel as admin.
async fn upload_mail(desk: &Desk, channel: i64, raw: Vec<u8>) {
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/channels/{channel}/email/messages",
            desk.url
        ))
        .bearer_auth(&desk.admin)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{:?}", resp.text().await);
}

#[tokio::test]
async fn files_download_with_their_stored_type_and_name_and_never_render_inline() {
    let desk = Desk::start();
    let to = "help@desk.example";
    let channel = email_channel(&desk, to).await;
    upload_mail(&desk, channel, mail_with_attachments(to)).await;
    let http = reqwest::Client::new();
    let api = desk.api(&desk.agent);
    let conversation = api.ids("channel=email").await[0];
    let detail = api.ok(&format!("/conversations/{conversation}")).await;
    let attachments = detail["messages"][0]["attachments"].as_array().unwrap();
    let url = |name: &str| {
        let a = attachments
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {attachments:?}"));
        format!("{}{}", desk.url, a["url"].as_str().unwrap())
    };
    for (name, mime, fallback, encoded) in [
        (
            "Résumé v2.pdf",
            "application/pdf",
            "R_sum_ v2.pdf",
            "R%C3%A9sum%C3%A9%20v2.pdf",
        ),
        ("page.html", "text/html", "page.html", "page.html"),
    ] {
        let resp = http
            .get(url(name))
            .bearer_auth(&desk.agent)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let header = |h: &str| resp.headers()[h].to_str().unwrap().to_string();
        assert_eq!(header("content-type"), mime);
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(
            header("content-disposition"),
            format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
        );
        assert!(header("content-security-policy").starts_with("sandbox"));
    }
}

/// A desk seeded with `conversations` demo conversations, served with `extra` flags.
fn seeded_desk(conversations: u32, extra: &[&str]) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    common::run_ok(&[
        "seed",
        "--data",
        dir.path().to_str().unwrap(),
        "--conversations",
        &conversations.to_string(),
    ]);
    Desk::start_in_with(dir, extra)
}

#[tokio::test]
async fn an_oversized_search_is_400_and_changes_nothing() {
    let (desk, _, _, id) = desk_with_conversation(&[]).await;
    let before = snapshot(&desk, id).await;
    let api = desk.api(&desk.agent);
    let words = vec!["refund"; 2_000].join("+");
    for q in [
        words.as_str(),
        &"w+".repeat(17),
        &"x".repeat(201),
        &"é".repeat(201),
    ] {
        for path in ["/conversations", "/conversations/count"] {
            let (s, r) = api.get(&format!("{path}?q={q}")).await;
            assert_error(s, &r, StatusCode::BAD_REQUEST, "invalid_query");
        }
    }
    for q in ["w+".repeat(16), "x".repeat(200)] {
        let (s, r) = api.get(&format!("/conversations?q={q}")).await;
        assert_eq!(s, StatusCode::OK, "{r}");
    }
    assert_eq!(api.ids("q=hello").await, [id]);
    assert_eq!(snapshot(&desk, id).await, before);
}

#[tokio::test]
async fn a_search_over_its_budget_is_stopped_with_503_and_other_reads_go_on() {
    // A budget of 0 stops every search at its first look at the clock, which a search
    // over hundreds of matches always reaches.
    let desk = seeded_desk(500, &["--search-timeout-ms", "0"]);
    let api = desk.api(&desk.agent);
    for path in ["/conversations?limit=500&q=th", "/conversations/count?q=th"] {
        let (s, r) = api.get(path).await;
        assert_error(s, &r, StatusCode::SERVICE_UNAVAILABLE, "search_too_broad");
    }
    assert_eq!(api.ok("/me").await["email"], "bo@desk.example");
    let all = api.ok("/conversations?limit=500").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 500);
    assert_eq!(api.ok("/conversations/count").await["count"], 500);
}

/// Posts `n` messages of 20,000 distinct words sharing the prefix `qqqq`: a prefix search
/// for `qqqq` then walks a vocabulary of `n` × 20,000 terms, a fixed amount of real work.
async fn big_vocabulary(desk: &Desk, n: usize) {
    let (ch, secret) = desk.custom_channel("Words").await;
    for t in 0..n {
        let text: Vec<String> = (0..20_000).map(|i| format!("qqqq{t}{i:06}")).collect();
        let msg = customer(&format!("w{t}"), "words", &text.join(" "));
        let (s, r) = desk.inbound(ch, &secret, &msg).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{r}");
    }
}

/// Sends `GET /api/v1{path}` on a fresh connection and leaves the answer unread.
fn send_get(desk: &Desk, path: &str, token: &str) -> std::net::TcpStream {
    use std::io::Write;
    let addr = desk.url.trim_start_matches("http://");
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "GET /api/v1{path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    )
    .unwrap();
    tcp
}

/// Whether an answer has arrived on `tcp` (without reading it).
fn answered(tcp: &std::net::TcpStream) -> bool {
    tcp.set_nonblocking(true).unwrap();
    let got = match tcp.peek(&mut [0u8; 1]) {
        Ok(n) => n > 0,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        Err(e) => panic!("{e}"),
    };
    tcp.set_nonblocking(false).unwrap();
    got
}

#[tokio::test]
async fn me_answers_while_expensive_searches_run() {
    let desk = Desk::start_with(&["--search-timeout-ms", "600000"]);
    big_vocabulary(&desk, 8).await;
    // More searches than the server has readers, all sent before /me.
    let searches: Vec<_> = (0..16)
        .map(|_| send_get(&desk, "/conversations/count?q=qqqq", &desk.agent))
        .collect();
    let (s, me) = desk.api(&desk.agent).get("/me").await;
    assert_eq!(s, StatusCode::OK, "{me}");
    let finished = searches.iter().filter(|tcp| answered(tcp)).count();
    assert_eq!(
        finished, 0,
        "/me waited for {finished} searches: it needed a reader they held"
    );
    for mut tcp in searches {
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut tcp, &mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"count\":8"), "{answer}");
    }
}

/// Everything the desk would show or send anyone: every list an admin sees and the log head.
async fn whole_desk(desk: &Desk) -> Value {
    let admin = desk.api(&desk.admin);
    let mut all = serde_json::Map::new();
    for path in [
        "/conversations?limit=500",
        "/agents",
        "/teams",
        "/channels",
        "/forms",
    ] {
        all.insert(path.into(), admin.ok(path).await);
    }
    all.insert("seq".into(), admin.seq().await.into());
    Value::Object(all)
}

/// Sends each `(path, body)` with `method` as admin and expects `422 invalid` for all, with
/// a short message naming `field`.
async fn refused(desk: &Desk, method: reqwest::Method, field: &str, cases: &[(String, Value)]) {
    let admin = desk.api(&desk.admin);
    for (path, body) in cases {
        let (s, r) = admin
            .raw(method.clone(), path, serde_json::to_vec(body).unwrap())
            .await;
        assert_error(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let message = r["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{path}: {message}");
        let shown = body.to_string();
        assert!(
            r["error"]["message"].as_str().unwrap().len() < 300,
            "{} {}: the error echoes the input",
            path,
            &shown[..shown.len().min(80)]
        );
    }
}

fn labels(n: usize, chars: usize) -> Value {
    (0..n)
        .map(|i| format!("{i:0chars$}"))
        .collect::<Vec<_>>()
        .into()
}

#[tokio::test]
async fn labels_are_bounded_on_every_path_that_stores_them() {
    let (desk, ch, _, id) = desk_with_conversation(&[]).await;
    let admin = desk.api(&desk.admin);
    let (s, form_channel) = admin
        .post("/channels", json!({"kind": "form", "name": "Web"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{form_channel}");
    let form = |labels: Value| {
        json!({
            "channel_id": form_channel["id"],
            "name": "Contact",
            "fields": [
                {"name": "email", "label": "Email", "type": "email", "required": true,
                 "maps_to": "contact_email"},
                {"name": "message", "label": "Message", "type": "textarea", "required": true,
                 "maps_to": "body"},
            ],
            "presets": {"labels": labels},
        })
    };
    let before = whole_desk(&desk).await;
    let too_many = labels(51, 3);
    let too_long = json!(["x".repeat(101)]);
    let huge = json!(["x".repeat(500_000)]);
    let control = json!(["vip\u{1b}[31m"]);
    let mut patches = Vec::new();
    let mut puts = Vec::new();
    let mut posts = Vec::new();
    for bad in [&too_many, &too_long, &huge, &control] {
        patches.push((format!("/conversations/{id}"), json!({"labels": bad})));
        puts.push((format!("/channels/{ch}/presets"), json!({"labels": bad})));
        posts.push(("/forms".to_string(), form(bad.clone())));
    }
    refused(&desk, reqwest::Method::PATCH, "labels", &patches).await;
    refused(&desk, reqwest::Method::PUT, "labels", &puts).await;
    refused(&desk, reqwest::Method::POST, "labels", &posts).await;
    assert_eq!(whole_desk(&desk).await, before);

    // The limits themselves are accepted, everywhere alike.
    let most = labels(50, 100);
    let (s, c) = admin
        .patch(&format!("/conversations/{id}"), json!({"labels": most}))
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["labels"], most);
    let (s, p) = admin
        .raw(
            reqwest::Method::PUT,
            &format!("/channels/{ch}/presets"),
            serde_json::to_vec(&json!({"labels": most})).unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (s, f) = admin.post("/forms", form(most.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
}

#[tokio::test]
async fn inbound_fields_over_their_limits_are_422_and_store_nothing() {
    let (desk, ch, secret, _) = desk_with_conversation(&[]).await;
    let before = whole_desk(&desk).await;
    let attachment = |name: &str, mime: &str| {
        json!({"kind": "file", "name": name, "url": "https://files.example/a", "size": 1,
               "mime_type": mime})
    };
    let with = |f: &dyn Fn(&mut Value)| {
        let mut m = customer("new-thread", "new-sender", "hello");
        f(&mut m);
        m
    };
    let cases = [
        with(&|m| m["sender"]["name"] = json!("n".repeat(201))),
        with(&|m| m["sender"]["name"] = json!("Eve\u{7}")),
        with(&|m| m["sender"]["email"] = json!(format!("{}@x.example", "a".repeat(250)))),
        with(&|m| m["sender"]["email"] = json!("eve@x.example\r\nBcc: all@x.example")),
        with(&|m| m["sender"]["phone"] = json!("1".repeat(65))),
        with(&|m| m["subject"] = json!("s".repeat(1001))),
        with(&|m| m["thread_id"] = json!("t".repeat(513))),
        with(&|m| m["attachments"] = json!(vec![attachment("a.txt", "text/plain"); 101])),
        with(&|m| m["attachments"] = json!([attachment(&"a".repeat(256), "text/plain")])),
        with(&|m| m["attachments"] = json!([attachment("a.txt", &"t".repeat(256))])),
        with(&|m| {
            m["attachments"] = json!([{"kind": "file", "name": "a", "size": 1,
                                       "url": format!("https://x.example/{}", "a".repeat(2048))}])
        }),
    ];
    for msg in &cases {
        let (s, r) = desk.inbound(ch, &secret, msg).await;
        assert_error(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    }
    assert_eq!(whole_desk(&desk).await, before);
    let mut most = customer("new-thread", "new-sender", "hello");
    most["sender"]["name"] = json!("é".repeat(200));
    most["attachments"] = json!(vec![attachment(&"a".repeat(255), "text/plain"); 100]);
    let (s, r) = desk.inbound(ch, &secret, &most).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{r}");
}

#[tokio::test]
async fn names_of_agents_teams_channels_and_accounts_are_bounded() {
    let (desk, ch, _, _) = desk_with_conversation(&[]).await;
    let before = whole_desk(&desk).await;
    let long = "n".repeat(201);
    let agent = |email: &str, name: &str| json!({"email": email, "name": name});
    refused(
        &desk,
        reqwest::Method::POST,
        "name",
        &[
            ("/agents".into(), agent("cy@desk.example", &long)),
            ("/agents".into(), agent("cy@desk.example", "Cy\nAdmin")),
            ("/teams".into(), json!({"name": "t".repeat(101)})),
            (
                "/channels".into(),
                json!({"kind": "custom", "name": long.clone()}),
            ),
            (
                "/channels".into(),
                json!({"kind": "custom", "name": "Bridge\u{1b}[2J"}),
            ),
            (
                format!("/channels/{ch}/accounts"),
                json!({"external_id": "bot", "name": long.clone()}),
            ),
        ],
    )
    .await;
    refused(
        &desk,
        reqwest::Method::POST,
        "email",
        &[
            (
                "/agents".into(),
                agent(&format!("{}@desk.example", "c".repeat(250)), "Cy"),
            ),
            ("/agents".into(), agent("cy desk.example", "Cy")),
        ],
    )
    .await;
    refused(
        &desk,
        reqwest::Method::PATCH,
        "name",
        &[(format!("/channels/{ch}"), json!({"name": long.clone()}))],
    )
    .await;
    assert_eq!(whole_desk(&desk).await, before);
    // 200 characters are fine, however many bytes they take.
    let (s, c) = desk
        .api(&desk.admin)
        .post(
            "/channels",
            json!({"kind": "custom", "name": "é".repeat(200)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
}

#[tokio::test]
async fn a_mail_sender_name_over_the_limit_is_cut_not_refused() {
    let desk = Desk::start();
    let to = "help@desk.example";
    let channel = email_channel(&desk, to).await;
    let name = "N".repeat(300);
    let raw = format!(
        "From: {name} <long@client.example>\r\nTo: {to}\r\nSubject: Hi\r\n\
         Message-ID: <long@client.example>\r\n\r\nHello\r\n"
    );
    upload_mail(&desk, channel, raw.into_bytes()).await;
    let api = desk.api(&desk.agent);
    let conversation = api.ids("channel=email").await[0];
    let detail = api.ok(&format!("/conversations/{conversation}")).await;
    assert_eq!(detail["contact"]["name"], "N".repeat(200));
    assert_eq!(detail["messages"][0]["body"], "Hello");
}
