//! The portal under abuse, against the real server: floods of anonymous posts keep its memory
//! bounded, password hashing is bounded, sign-in guesses are counted before they are
//! checked, anti-forgery tokens fit only their own session or browser, anonymous forms are
//! limited per client address, and the portal's own address leads to the sign-in page.

mod common;
mod portal_support;

use common::Desk;
use futures_util::future::join_all;
use portal_support::{Answer, Customer, SmtpSink, contact, hidden, portal};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "a long enough secret";

/// Peak resident memory the server may reach under any flood.
const PEAK_LIMIT_KB: u64 = 300 * 1024;

/// A desk with portal mail, behind a "proxy": `X-Forwarded-For` names the client, so one
/// test can speak from many addresses.
async fn desk_behind_proxy() -> (Desk, SmtpSink) {
    let sink = SmtpSink::start().await;
    let desk = Desk::start_with(&[
        "--smtp-relay",
        &sink.url,
        "--mail-from",
        "Acme Support <support@acme.example>",
        "--trust-proxy",
    ]);
    (desk, sink)
}

/// A desk with the portal `acme` and a customer who has chosen `PASSWORD`.
async fn desk_with_customer(email: &str) -> (Desk, SmtpSink) {
    let (desk, sink) = desk_behind_proxy().await;
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), email, "hello").await;
    portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    Customer::new(&desk)
        .sign_up(&sink, "acme", email, PASSWORD)
        .await;
    (desk, sink)
}

/// The server's peak resident memory so far, in kB (`VmHWM`).
fn peak_kb(desk: &Desk) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", desk.pid())).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/PID/status");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A signed-out browser's anti-forgery cookie and token, from the sign-in page.
async fn signed_out_form(desk: &Desk) -> (String, String) {
    let mut browser = Customer::new(desk);
    let page = browser.get("/portal/acme/signin").await;
    (browser.cookies["fd_csrf"].clone(), page.csrf())
}

/// Posts a form with a cookie header, as the client at `address`; answers the status and
/// the `Retry-After` header.
async fn post_as(
    http: &reqwest::Client,
    url: String,
    cookie: &str,
    fields: Vec<(&'static str, String)>,
    address: String,
) -> (StatusCode, Option<String>) {
    let resp = http
        .post(url)
        .header("cookie", cookie)
        .header("x-forwarded-for", address)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(urlencoded(&fields))
        .send()
        .await
        .unwrap();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (resp.status(), retry)
}

fn urlencoded(fields: &[(&str, String)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Owned form fields, so a request future owns what it sends.
fn form(fields: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    fields.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A 503 must say when to come back; anything else but `allowed` is a failure.
fn served_or_busy(answers: &[(StatusCode, Option<String>)], allowed: StatusCode) -> usize {
    for (status, retry) in answers {
        match *status {
            s if s == allowed => {}
            StatusCode::SERVICE_UNAVAILABLE => assert_eq!(retry.as_deref(), Some("1")),
            s => panic!("unexpected {s}"),
        }
    }
    answers.iter().filter(|(s, _)| *s == allowed).count()
}

#[tokio::test]
async fn a_flood_of_bad_links_and_sign_ins_is_refused_and_peak_memory_stays_under_300_mb() {
    let (desk, _sink) = desk_with_customer("ana@acme.example").await;
    let (cookie, csrf) = signed_out_form(&desk).await;
    let cookie = format!("fd_csrf={cookie}");
    let http = no_redirects();
    // 64 bad links and 64 sign-ins of unknown addresses at once, each from its own address
    // so the per-address limits do not hide the hashing.
    let links = (0..64).map(|i| {
        post_as(
            &http,
            format!("{}/portal/acme/password", desk.url),
            &cookie,
            form(&[
                ("csrf", &csrf),
                ("token", "not-a-link"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ]),
            format!("10.1.0.{i}"),
        )
    });
    let sign_ins = (0..64).map(|i| {
        let email = format!("nobody{i}@acme.example");
        let (http, cookie, csrf, url) = (&http, &cookie, &csrf, &desk.url);
        async move {
            post_as(
                http,
                format!("{url}/portal/acme/signin"),
                cookie,
                form(&[("csrf", csrf), ("email", &email), ("password", PASSWORD)]),
                format!("10.2.0.{i}"),
            )
            .await
        }
    });
    let (links, sign_ins) = tokio::join!(join_all(links), join_all(sign_ins));
    for (status, _) in &links {
        assert_eq!(*status, StatusCode::GONE, "a bad link is refused as such");
    }
    let refused = served_or_busy(&sign_ins, StatusCode::UNAUTHORIZED);
    assert!(refused > 0, "some sign-ins were checked");
    let peak = peak_kb(&desk);
    assert!(peak < PEAK_LIMIT_KB, "peak resident memory {peak} kB");
}

#[tokio::test]
async fn concurrent_right_sign_ins_are_served_or_told_to_retry_and_hashing_stays_bounded() {
    let (desk, _sink) = desk_with_customer("ben@acme.example").await;
    let (cookie, csrf) = signed_out_form(&desk).await;
    let cookie = format!("fd_csrf={cookie}");
    let http = no_redirects();
    let sign_ins = (0..64).map(|i| {
        post_as(
            &http,
            format!("{}/portal/acme/signin", desk.url),
            &cookie,
            form(&[
                ("csrf", &csrf),
                ("email", "ben@acme.example"),
                ("password", PASSWORD),
            ]),
            format!("10.3.0.{i}"),
        )
    });
    let answers = join_all(sign_ins).await;
    let served = served_or_busy(&answers, StatusCode::SEE_OTHER);
    assert!(served > 0, "some sign-ins went through");
    let peak = peak_kb(&desk);
    assert!(peak < PEAK_LIMIT_KB, "peak resident memory {peak} kB");
    // Once the burst is over, the customer signs in as usual.
    let answer = Customer::new(&desk)
        .sign_in("acme", "ben@acme.example", PASSWORD)
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
}

#[tokio::test]
async fn parallel_wrong_passwords_are_checked_five_times_at_most_then_even_the_right_one_waits() {
    let (desk, _sink) = desk_with_customer("cleo@acme.example").await;
    let (cookie, csrf) = signed_out_form(&desk).await;
    let cookie = format!("fd_csrf={cookie}");
    let http = no_redirects();
    let guesses = (0..40).map(|i| {
        let guess = format!("wrong password {i}");
        let (http, cookie, csrf, url) = (&http, &cookie, &csrf, &desk.url);
        async move {
            post_as(
                http,
                format!("{url}/portal/acme/signin"),
                cookie,
                form(&[
                    ("csrf", csrf),
                    ("email", "cleo@acme.example"),
                    ("password", &guess),
                ]),
                "192.0.2.7".into(),
            )
            .await
        }
    });
    let answers = join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, 5, "five guesses are checked, no more");
    for (status, retry) in answers
        .iter()
        .filter(|(s, _)| *s != StatusCode::UNAUTHORIZED)
    {
        assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
        let seconds: u64 = retry.as_deref().expect("Retry-After").parse().unwrap();
        assert!(seconds > 0 && seconds <= 15 * 60, "{seconds}");
    }
    // The right password is refused too until the window ends...
    let right = [
        ("csrf", csrf.as_str()),
        ("email", "cleo@acme.example"),
        ("password", PASSWORD),
    ];
    let url = format!("{}/portal/acme/signin", desk.url);
    let (status, _) = post_as(
        &http,
        url.clone(),
        &cookie,
        form(&right),
        "192.0.2.7".into(),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // ...from that address; the customer's own address is not locked out.
    let (status, _) = post_as(&http, url, &cookie, form(&right), "198.51.100.9".into()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn anti_forgery_tokens_fit_only_their_own_session_or_browser() {
    let (desk, sink) = desk_behind_proxy().await;
    let channel = desk.custom_channel("crm").await;
    for email in ["dora@acme.example", "eli@acme.example"] {
        contact(&desk, (channel.0, &channel.1), email, "hello").await;
    }
    portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    let mut dora = Customer::new(&desk);
    dora.sign_up(&sink, "acme", "dora@acme.example", PASSWORD)
        .await;
    let mut eli = Customer::new(&desk);
    eli.sign_up(&sink, "acme", "eli@acme.example", PASSWORD)
        .await;
    let signed_in = |answer: &Answer| answer.status == StatusCode::OK;

    // Eli's session token does not work in Dora's session.
    let elis = eli.csrf_of("acme").await;
    let answer = dora.post("/portal/acme/signout", &[("csrf", &elis)]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(signed_in(&dora.get("/portal/acme/tickets").await));

    // A signed-out pair (cookie and its token) planted in Dora's browser does not work
    // either: signed in, only her session's token counts.
    let (cookie, token) = signed_out_form(&desk).await;
    dora.cookies.insert("fd_csrf".into(), cookie);
    let answer = dora.post("/portal/acme/signout", &[("csrf", &token)]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(signed_in(&dora.get("/portal/acme/tickets").await));
    let own = dora.csrf_of("acme").await;
    let answer = dora.post("/portal/acme/signout", &[("csrf", &own)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);

    // Signed out, a token fits only the cookie it was made for, and a cookie equal to the
    // field (the old double submit) is not enough.
    let mut fay = Customer::new(&desk);
    fay.get("/portal/acme/signin").await;
    let (_, other_token) = signed_out_form(&desk).await;
    let chosen = "chosen-by-the-attacker";
    for (cookie, csrf) in [(None, other_token.as_str()), (Some(chosen), chosen)] {
        if let Some(cookie) = cookie {
            fay.cookies.insert("fd_csrf".into(), cookie.into());
        }
        let fields = [
            ("csrf", csrf),
            ("email", "dora@acme.example"),
            ("password", PASSWORD),
        ];
        let answer = fay.post("/portal/acme/signin", &fields).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "token {csrf}");
        assert!(!fay.cookies.contains_key("fd_session"));
    }
    let page = fay.get("/portal/acme/signin").await;
    let answer = fay
        .post(
            "/portal/acme/signin",
            &[
                ("csrf", &page.csrf()),
                ("email", "dora@acme.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
}

#[tokio::test]
async fn a_bad_link_is_refused_before_the_new_password_is_looked_at() {
    let (desk, _sink) = desk_with_customer("gil@acme.example").await;
    let mut browser = Customer::new(&desk);
    let page = browser.get("/portal/acme/reset").await;
    for password in ["short", PASSWORD] {
        let answer = browser
            .post(
                "/portal/acme/password",
                &[
                    ("csrf", &page.csrf()),
                    ("token", "not-a-link"),
                    ("password", password),
                    ("confirm", password),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::GONE, "{}", answer.body);
        assert!(!browser.cookies.contains_key("fd_session"));
    }
    // The customer's password is unchanged.
    let answer = Customer::new(&desk)
        .sign_in("acme", "gil@acme.example", PASSWORD)
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn anonymous_portal_forms_are_limited_per_client_address() {
    let (desk, sink) = desk_with_customer("hal@acme.example").await;
    let http = no_redirects();
    let (cookie, csrf) = signed_out_form(&desk).await;
    let cookie = format!("fd_csrf={cookie}");
    let reset = |address: &'static str| {
        post_as(
            &http,
            format!("{}/portal/acme/reset", desk.url),
            &cookie,
            form(&[("csrf", &csrf), ("email", "someone@else.example")]),
            address.into(),
        )
    };
    for _ in 0..20 {
        assert_eq!(reset("203.0.113.5").await.0, StatusCode::OK);
    }
    let (status, retry) = reset("203.0.113.5").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let seconds: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!(seconds > 0 && seconds <= 600, "{seconds}");
    // Every anonymous form shares the address's budget: sign-up and a new password too.
    let (status, _) = post_as(
        &http,
        format!("{}/portal/acme/signup", desk.url),
        &cookie,
        form(&[("csrf", &csrf), ("email", "hal@acme.example")]),
        "203.0.113.5".into(),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = post_as(
        &http,
        format!("{}/portal/acme/password", desk.url),
        &cookie,
        form(&[
            ("csrf", &csrf),
            ("token", "x"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ]),
        "203.0.113.5".into(),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        sink.mails_to("hal@acme.example").len(),
        1,
        "the refused sign-up sent nothing (the one mail is the test's own sign-up)"
    );
    // Another address is not affected.
    assert_eq!(reset("203.0.113.6").await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_portal_address_leads_to_the_sign_in_page_with_or_without_a_slash() {
    let (desk, _sink) = desk_behind_proxy().await;
    portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    let mut browser = Customer::new(&desk);
    for path in ["/portal/acme/", "/portal/acme"] {
        let answer = browser.get(path).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(answer.location.as_deref(), Some("/portal/acme/signin"));
    }
    let answer = browser.get("/portal/acme/signin").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(!hidden(&answer.body, "csrf").is_empty());
    // A slug that names no portal answers the portal's own 404 page, not the API's JSON.
    for path in ["/portal/nope/", "/portal/nope"] {
        let answer = browser.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.body.contains("There is no portal here"), "{path}");
    }
}
