//! The customer portal from outside: who may read, answer and download what; CSRF; sessions;
//! the sign-in limit; neutral sign-up and reset answers; invitations; the admin API and CLI.

mod common;
mod portal_support;

use common::{Desk, run_ok};
use portal_support::{Customer, contact, desk_with_mail, message_count, portal, same_company};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "a long enough secret";

/// Whether `viewer` reads `ticket` (page and list), can answer it and download its file.
async fn access(
    desk: &Desk,
    viewer: &mut Customer,
    ticket: i64,
    subject: &str,
    file: &str,
) -> (bool, bool, bool, bool) {
    let page = viewer.get(&format!("/portal/acme/tickets/{ticket}")).await;
    let reads = match page.status {
        StatusCode::OK => true,
        StatusCode::NOT_FOUND => false,
        s => panic!("unexpected {s} for ticket {ticket}"),
    };
    let list = viewer.get("/portal/acme/tickets").await;
    let listed = list.body.contains(subject);
    let before = message_count(desk, ticket).await;
    let answer = viewer.reply("acme", ticket, "answer from the viewer").await;
    let answers = answer.status == StatusCode::SEE_OTHER;
    if !answers {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    }
    assert_eq!(
        message_count(desk, ticket).await,
        before + usize::from(answers),
        "a refused answer stores nothing"
    );
    // The ticket's first message carries the file; its id is in the owner's page links.
    let messages = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{ticket}/messages"))
        .await;
    let first = messages["items"][0]["id"].as_i64().unwrap();
    let (status, bytes) = viewer
        .bytes(&format!("/portal/acme/tickets/{ticket}/files/{first}/0"))
        .await;
    let downloads = status == StatusCode::OK;
    if downloads {
        assert_eq!(bytes, file.as_bytes());
    } else {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    (reads, listed, answers, downloads)
}

#[tokio::test]
async fn customers_see_only_their_own_tickets_and_company_ones_where_the_portal_allows() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    let (_, alice_id) = contact(
        &desk,
        (channel.0, &channel.1),
        "alice@acme.example",
        "hello",
    )
    .await;
    let (_, bob_id) = contact(&desk, (channel.0, &channel.1), "bob@acme.example", "hi").await;
    contact(&desk, (channel.0, &channel.1), "eve@else.example", "hey").await;
    same_company(&desk, &[alice_id, bob_id]);
    let p = portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    assert_eq!(p["visibility"], "contact");

    let mut alice = Customer::new(&desk);
    let mut bob = Customer::new(&desk);
    let mut eve = Customer::new(&desk);
    alice
        .sign_up(&sink, "acme", "alice@acme.example", PASSWORD)
        .await;
    bob.sign_up(&sink, "acme", "bob@acme.example", PASSWORD)
        .await;
    eve.sign_up(&sink, "acme", "eve@else.example", PASSWORD)
        .await;

    let a = alice
        .open_ticket(
            "acme",
            "Alice printer",
            "jammed",
            vec![("a.txt", b"alice file".to_vec())],
        )
        .await;
    let b = bob
        .open_ticket(
            "acme",
            "Bob invoice",
            "wrong",
            vec![("b.txt", b"bob file".to_vec())],
        )
        .await;
    let e = eve
        .open_ticket(
            "acme",
            "Eve login",
            "locked",
            vec![("e.txt", b"eve file".to_vec())],
        )
        .await;
    // An internal note on Alice's ticket is never shown to anyone.
    let (status, _) = desk
        .api(&desk.agent)
        .post(
            &format!("/conversations/{a}/messages"),
            json!({"body": "internal: customer is grumpy", "internal": true, "client_id": "n1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Nor is a call logged on it: its notes are the agent's.
    let (status, phones) = desk
        .api(&desk.admin)
        .post("/channels", json!({"kind": "call", "name": "Phones"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{phones}");
    let (status, call) = desk
        .api(&desk.agent)
        .post(
            "/calls",
            json!({"channel_id": phones["id"], "conversation_id": a, "direction": "outbound",
                   "from": "+1 555 0100", "to": "+1 555 0142", "duration_seconds": 60,
                   "notes": "called back, she was rude"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    assert_eq!(call["conversation_id"], a);

    let tickets = [
        (a, "Alice printer", "alice file"),
        (b, "Bob invoice", "bob file"),
        (e, "Eve login", "eve file"),
    ];
    let all = (true, true, true, true);
    let none = (false, false, false, false);
    // Contact visibility: everyone sees exactly their own ticket.
    for (who, viewer, own) in [
        ("alice", &mut alice, a),
        ("bob", &mut bob, b),
        ("eve", &mut eve, e),
    ] {
        for (ticket, subject, file) in tickets {
            let got = access(&desk, viewer, ticket, subject, file).await;
            let want = if ticket == own { all } else { none };
            assert_eq!(got, want, "contact mode: {who} on ticket {ticket}");
        }
    }
    let page = alice.get(&format!("/portal/acme/tickets/{a}")).await;
    assert!(page.body.contains("jammed"), "{}", page.body);
    assert!(!page.body.contains("grumpy"), "internal note leaked");
    assert!(
        !page.body.contains("rude") && !page.body.contains("555 0142"),
        "logged call leaked"
    );

    // Company visibility: Alice and Bob see each other's tickets, never Eve's; Eve only hers.
    let (status, p) = desk
        .api(&desk.admin)
        .patch(
            &format!("/portals/{}", p["id"]),
            json!({"visibility": "company"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    for (who, viewer, visible) in [
        ("alice", &mut alice, vec![a, b]),
        ("bob", &mut bob, vec![a, b]),
        ("eve", &mut eve, vec![e]),
    ] {
        for (ticket, subject, file) in tickets {
            let got = access(&desk, viewer, ticket, subject, file).await;
            let want = if visible.contains(&ticket) { all } else { none };
            assert_eq!(got, want, "company mode: {who} on ticket {ticket}");
        }
    }
    let page = bob.get(&format!("/portal/acme/tickets/{a}")).await;
    assert!(!page.body.contains("grumpy"), "internal note leaked");
    // Signed out, nothing is readable: the portal sends to the sign-in page.
    let mut stranger = Customer::new(&desk);
    let page = stranger.get(&format!("/portal/acme/tickets/{a}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/portal/acme/signin"));
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused_and_store_nothing() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(
        &desk,
        (channel.0, &channel.1),
        "carol@acme.example",
        "hello",
    )
    .await;
    portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    let mut carol = Customer::new(&desk);
    carol
        .sign_up(&sink, "acme", "carol@acme.example", PASSWORD)
        .await;
    let ticket = carol
        .open_ticket("acme", "Broken", "it broke", vec![])
        .await;
    let before = message_count(&desk, ticket).await;
    for csrf in [None, Some("forged"), Some("")] {
        let mut fields = vec![("body", "sneaky")];
        if let Some(c) = csrf {
            fields.push(("csrf", c));
        }
        let answer = carol
            .post_multipart(
                &format!("/portal/acme/tickets/{ticket}/reply"),
                &fields,
                vec![],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "csrf {csrf:?}");
        let answer = carol
            .post_multipart(
                "/portal/acme/tickets/new",
                &[("subject", "x"), ("body", "y")],
                vec![],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(message_count(&desk, ticket).await, before);
    let (_, list) = desk.api(&desk.agent).get("/conversations?q=sneaky").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // Signed-out forms use a double-submit cookie: a token without its cookie is refused.
    let mut fresh = Customer::new(&desk);
    let page = fresh.get("/portal/acme/signin").await;
    let token = page.csrf();
    fresh.cookies.clear();
    let answer = fresh
        .post(
            "/portal/acme/signin",
            &[
                ("csrf", &token),
                ("email", "carol@acme.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    // Sign-out without a token keeps the session.
    let answer = carol.post("/portal/acme/signout", &[]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        carol.get("/portal/acme/tickets").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_session_is_dead_after_sign_out_and_a_new_sign_in_works() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), "dan@acme.example", "hello").await;
    portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    let mut dan = Customer::new(&desk);
    dan.sign_up(&sink, "acme", "dan@acme.example", PASSWORD)
        .await;
    let page = dan.get("/portal/acme/tickets").await;
    assert_eq!(page.status, StatusCode::OK);
    let cookie = page.body.contains("dan@acme.example");
    assert!(cookie, "the page names who is signed in");
    let old = dan.cookies.get("fd_session").cloned().unwrap();
    let out = dan
        .post("/portal/acme/signout", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!dan.cookies.contains_key("fd_session"), "cookie cleared");
    // Replaying the old cookie does not work: the session is gone on the server.
    dan.cookies.insert("fd_session".into(), old);
    let page = dan.get("/portal/acme/tickets").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    dan.cookies.remove("fd_session");
    let answer = dan.sign_in("acme", "dan@acme.example", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let set = dan.cookies.get("fd_session").unwrap().clone();
    assert_eq!(dan.get("/portal/acme/tickets").await.status, StatusCode::OK);
    // The cookie is HttpOnly, SameSite and scoped to the portal.
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/portal/acme/tickets", desk.url))
        .header("cookie", format!("fd_session={set}"))
        .send()
        .await
        .unwrap();
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    let mut fresh = Customer::new(&desk);
    let page = fresh.get("/portal/acme/signin").await;
    assert_eq!(page.status, StatusCode::OK);
    let resp = reqwest::get(format!("{}/portal/acme/signin", desk.url))
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/portal/acme"));
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address_and_email() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), "fay@acme.example", "hello").await;
    contact(&desk, (channel.0, &channel.1), "gus@acme.example", "hello").await;
    portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    let mut fay = Customer::new(&desk);
    fay.sign_up(&sink, "acme", "fay@acme.example", PASSWORD)
        .await;
    let mut gus = Customer::new(&desk);
    gus.sign_up(&sink, "acme", "gus@acme.example", PASSWORD)
        .await;
    let mut attacker = Customer::new(&desk);
    for _ in 0..5 {
        let answer = attacker
            .sign_in("acme", "fay@acme.example", "wrong password!")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.body.contains("not right"));
    }
    let answer = attacker.sign_in("acme", "fay@acme.example", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        answer.body.contains("Too many sign-in attempts"),
        "{}",
        answer.body
    );
    // Another e-mail from the same address still signs in.
    let answer = attacker.sign_in("acme", "gus@acme.example", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_up_and_reset_answer_alike_and_mail_only_the_owner() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), "hal@acme.example", "hello").await;
    contact(&desk, (channel.0, &channel.1), "ivy@acme.example", "hello").await;
    portal(&desk, json!({"name": "Acme Help", "slug": "acme"})).await;
    let mut ivy = Customer::new(&desk);
    ivy.sign_up(&sink, "acme", "ivy@acme.example", PASSWORD)
        .await;

    let mut answers = Vec::new();
    for email in [
        "hal@acme.example",
        "nobody@acme.example",
        "ivy@acme.example",
    ] {
        let mut c = Customer::new(&desk);
        let page = c.get("/portal/acme/signup").await;
        let answer = c
            .post(
                "/portal/acme/signup",
                &[("csrf", &page.csrf()), ("email", email)],
            )
            .await;
        answers.push((answer.status, answer.body.replace(email, "EMAIL")));
    }
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "sign-up answers differ"
    );
    assert_eq!(answers[0].0, StatusCode::OK);
    // The contact gets a link to choose a password; the stranger nothing; the registered
    // customer a note that an account exists, with a reset link.
    assert!(
        sink.wait_for("hal@acme.example", 1)
            .await
            .subject
            .contains("Confirm")
    );
    assert!(
        sink.wait_for("ivy@acme.example", 2)
            .await
            .subject
            .contains("Your account")
    );
    // Ivy's mail was asked for after the stranger's sign-up: none came for the stranger first.
    assert!(sink.mails_to("nobody@acme.example").is_empty());

    let mut answers = Vec::new();
    for email in ["nobody@acme.example", "ivy@acme.example"] {
        let mut c = Customer::new(&desk);
        let page = c.get("/portal/acme/reset").await;
        let answer = c
            .post(
                "/portal/acme/reset",
                &[("csrf", &page.csrf()), ("email", email)],
            )
            .await;
        answers.push((answer.status, answer.body.replace(email, "EMAIL")));
    }
    assert_eq!(answers[0], answers[1], "reset answers differ");
    let reset = sink.wait_for("ivy@acme.example", 3).await;
    assert!(reset.subject.contains("Reset"));
    assert!(sink.mails_to("nobody@acme.example").is_empty());

    // The reset link sets a new password once, and ends the old sessions.
    let old_session = ivy.cookies.get("fd_session").cloned().unwrap();
    let mut other = Customer::new(&desk);
    other
        .choose_password(&reset.link(), "acme", "a brand new secret")
        .await;
    let mut replay = Customer::new(&desk);
    replay.cookies.insert("fd_session".into(), old_session);
    assert_eq!(
        replay.get("/portal/acme/tickets").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(replay.get(&reset.link()).await.status, StatusCode::GONE);
    let mut c = Customer::new(&desk);
    assert_eq!(
        c.sign_in("acme", "ivy@acme.example", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.sign_in("acme", "ivy@acme.example", "a brand new secret")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_invitation_only_portal_refuses_sign_up_and_lets_invited_people_in() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), "jo@acme.example", "hello").await;
    let p = portal(
        &desk,
        json!({"name": "Acme Privado", "slug": "privado", "access": "invitation", "language": "es"}),
    )
    .await;
    let mut jo = Customer::new(&desk);
    let page = jo.get("/portal/privado/signup").await;
    assert!(page.body.contains("solo por invitación"), "{}", page.body);
    let signin = jo.get("/portal/privado/signin").await;
    let answer = jo
        .post(
            "/portal/privado/signup",
            &[("csrf", &signin.csrf()), ("email", "jo@acme.example")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // Only admins invite; the invitation creates the contact when needed.
    let path = format!("/portals/{}/invitations", p["id"]);
    let (status, _) = desk
        .api(&desk.agent)
        .post(&path, json!({"email": "kim@new.example"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, inv) = desk
        .api(&desk.admin)
        .post(
            &path,
            json!({"email": "kim@new.example", "name": "Kim New"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    assert_eq!(inv["mailed"], true);
    let contact = desk
        .api(&desk.agent)
        .ok(&format!("/contacts/{}", inv["contact_id"]))
        .await;
    assert_eq!(contact["name"], "Kim New");
    let mail = sink.wait_for("kim@new.example", 1).await;
    // Kim's invitation went out after Jo was refused, and Jo got nothing before it.
    assert!(sink.mails_to("jo@acme.example").is_empty());
    assert!(mail.subject.contains("Acme Privado"), "{}", mail.subject);
    assert!(mail.body.contains("te han invitado"), "{}", mail.body);
    assert_eq!(mail.link(), inv["url"].as_str().unwrap());
    let mut kim = Customer::new(&desk);
    kim.choose_password(&mail.link(), "privado", PASSWORD).await;
    let page = kim.get("/portal/privado/tickets").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"es\">") && page.body.contains("Tus tickets"));
    // The link was single-use.
    assert_eq!(
        Customer::new(&desk).get(&mail.link()).await.status,
        StatusCode::GONE
    );
    let (status, _) = desk
        .api(&desk.admin)
        .post(&path, json!({"email": "not-an-address"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn hostile_text_is_escaped_and_oversized_files_are_refused() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), "lu@acme.example", "hello").await;
    portal(&desk, json!({"name": "Acme <Help>", "slug": "acme"})).await;
    let mut lu = Customer::new(&desk);
    lu.sign_up(&sink, "acme", "lu@acme.example", PASSWORD).await;
    let id = lu
        .open_ticket(
            "acme",
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(2)>",
            vec![],
        )
        .await;
    let page = lu.get(&format!("/portal/acme/tickets/{id}")).await;
    assert!(!page.body.contains("<script>alert") && !page.body.contains("<img src=x"));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.body.contains("Acme &lt;Help&gt;"));
    let conversations_before = desk.api(&desk.agent).ids("limit=100").await.len();
    let csrf = lu.csrf_of("acme").await;
    let big = vec![b'x'; 10 * 1024 * 1024 + 1];
    let answer = lu
        .post_multipart(
            "/portal/acme/tickets/new",
            &[("csrf", &csrf), ("subject", "big"), ("body", "file")],
            vec![("big.bin", big)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.body.contains("10 MB"), "{}", answer.body);
    assert_eq!(
        desk.api(&desk.agent).ids("limit=100").await.len(),
        conversations_before
    );
    let files = desk.data().join("files");
    let stored = std::fs::read_dir(&files).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 0, "nothing stored");
}

#[tokio::test]
async fn admins_set_portals_up_through_the_api_and_the_cli() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (status, body) = admin
        .post("/portals", json!({"name": "X", "slug": "Bad Slug!"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = admin
        .post(
            "/portals",
            json!({"name": "X", "slug": "x1", "language": "de"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = desk
        .api(&desk.agent)
        .post("/portals", json!({"name": "X", "slug": "x1"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, p) = admin
        .post(
            "/portals",
            json!({"name": "Help", "slug": "help", "language": "it", "visibility": "company"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    // Without a channel, a form channel named after the portal receives its tickets.
    let channel = admin.ok(&format!("/channels/{}", p["channel_id"])).await;
    assert_eq!(channel["kind"], "form");
    assert_eq!(channel["name"], "Portal: Help");
    let (status, _) = admin
        .post("/portals", json!({"name": "Again", "slug": "help"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = admin
        .post(
            "/portals",
            json!({"name": "Y", "slug": "y1", "channel_id": 999}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(admin.ok("/portals").await.as_array().unwrap().len(), 1);
    let page = reqwest::get(format!("{}/portal/help/signin", desk.url))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"it\">") && html.contains("Accedi · Help"),
        "{html}"
    );

    // The CLI works on the data directory, beside the running server.
    let data = desk.data();
    let data = data.to_str().unwrap();
    let out = run_ok(&[
        "portal",
        "add",
        "--data",
        data,
        "--name",
        "Ajuda",
        "--slug",
        "ajuda",
        "--language",
        "pt",
        "--access",
        "invitation",
    ]);
    let added: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(added["access"], "invitation");
    let out = run_ok(&[
        "portal",
        "edit",
        "--data",
        data,
        "--portal",
        "ajuda",
        "--disable",
    ]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["enabled"],
        false
    );
    let page = reqwest::get(format!("{}/portal/ajuda/signin", desk.url))
        .await
        .unwrap();
    assert_eq!(page.status(), 404, "a turned-off portal is not there");
    let out = run_ok(&["portal", "list", "--data", data]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    run_ok(&[
        "portal", "edit", "--data", data, "--portal", "ajuda", "--enable",
    ]);
    let out = run_ok(&[
        "portal",
        "invite",
        "--data",
        data,
        "--portal",
        "ajuda",
        "--email",
        "mo@acme.example",
        "--public-url",
        &desk.url,
    ]);
    let link = out.lines().last().unwrap();
    assert!(
        link.starts_with(&format!("{}/portal/ajuda/password?token=", desk.url)),
        "{out}"
    );
    let mut mo = Customer::new(&desk);
    mo.choose_password(link, "ajuda", PASSWORD).await;
    let page = mo.get("/portal/ajuda/tickets").await;
    assert!(page.body.contains("Seus tickets"), "{}", page.body);
}

#[tokio::test]
async fn without_a_relay_sign_up_still_answers_neutrally_and_invitations_give_the_link() {
    let desk = Desk::start();
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), "ola@acme.example", "hello").await;
    let p = portal(&desk, json!({"name": "Acme", "slug": "acme"})).await;
    let mut ola = Customer::new(&desk);
    let page = ola.get("/portal/acme/signup").await;
    let answer = ola
        .post(
            "/portal/acme/signup",
            &[("csrf", &page.csrf()), ("email", "ola@acme.example")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Check your inbox"));
    let (status, inv) = desk
        .api(&desk.admin)
        .post(
            &format!("/portals/{}/invitations", p["id"]),
            json!({"email": "ola@acme.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(inv["mailed"], false);
    ola.choose_password(inv["url"].as_str().unwrap(), "acme", PASSWORD)
        .await;
    assert!(
        ola.get("/portal/acme/tickets")
            .await
            .body
            .contains("ola@acme.example")
    );
}

#[tokio::test]
async fn every_page_is_in_the_portal_language() {
    let desk = Desk::start();
    for (lang, signin, signup, reset) in [
        (
            "en",
            "Sign in",
            "Create your account",
            "Reset your password",
        ),
        (
            "es",
            "Iniciar sesión",
            "Crea tu cuenta",
            "Restablece tu contraseña",
        ),
        ("pt", "Entrar", "Crie sua conta", "Redefina sua senha"),
        (
            "it",
            "Accedi",
            "Crea il tuo account",
            "Reimposta la password",
        ),
    ] {
        let slug = format!("help-{lang}");
        portal(
            &desk,
            json!({"name": "Help", "slug": slug, "language": lang}),
        )
        .await;
        let mut c = Customer::new(&desk);
        for (path, title) in [("signin", signin), ("signup", signup), ("reset", reset)] {
            let page = c.get(&format!("/portal/{slug}/{path}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(
                page.body.contains(&format!("<html lang=\"{lang}\">")),
                "{lang} {path}"
            );
            assert!(
                page.body
                    .contains(&format!("<title>{title} · Help</title>")),
                "{lang} {path}: {}",
                page.body
            );
        }
        let page = c.get(&format!("/portal/{slug}/password?token=nope")).await;
        assert_eq!(page.status, StatusCode::GONE);
        assert!(page.body.contains(&format!("<html lang=\"{lang}\">")));
    }
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let desk = Desk::start_with(&["--public-url", "https://help.example.com"]);
    portal(&desk, json!({"name": "Acme", "slug": "acme"})).await;
    let resp = reqwest::get(format!("{}/portal/acme/signin", desk.url))
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let plain = Desk::start();
    portal(&plain, json!({"name": "Acme", "slug": "acme"})).await;
    let resp = reqwest::get(format!("{}/portal/acme/signin", plain.url))
        .await
        .unwrap();
    assert!(
        !resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
}

#[tokio::test]
async fn an_agent_reply_on_a_portal_ticket_is_mailed_to_the_customer_but_a_note_is_not() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), "pia@acme.example", "hello").await;
    portal(
        &desk,
        json!({"name": "Acme Ayuda", "slug": "acme", "language": "es"}),
    )
    .await;
    let mut pia = Customer::new(&desk);
    pia.sign_up(&sink, "acme", "pia@acme.example", PASSWORD)
        .await;
    let ticket = pia
        .open_ticket("acme", "Factura {text}", "falta", vec![])
        .await;
    let api = desk.api(&desk.agent);
    let path = format!("/conversations/{ticket}/messages");
    let (status, _) = api
        .post(
            &path,
            json!({"body": "nota interna", "internal": true, "client_id": "n"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = api
        .post(&path, json!({"body": "Ya la enviamos.", "client_id": "r"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mail = sink.wait_for("pia@acme.example", 2).await;
    assert_eq!(mail.subject, "Nueva respuesta a tu ticket: Factura {text}");
    assert!(
        mail.body.contains("Bo Agent ha respondido"),
        "{}",
        mail.body
    );
    assert!(mail.body.contains("Ya la enviamos."));
    assert!(!mail.body.contains("nota interna"));
    assert_eq!(
        mail.link(),
        format!("{}/portal/acme/tickets/{ticket}", desk.url)
    );
    // Notices go out one event at a time, in order: the note came before the reply.
    assert_eq!(
        sink.mails_to("pia@acme.example").len(),
        2,
        "the note sent nothing"
    );
    // Replies on the customer's own channel reach them there: no notice.
    let (first, _) = contact(&desk, (channel.0, &channel.1), "pia@acme.example", "again").await;
    let (status, _) = api
        .post(
            &format!("/conversations/{first}/messages"),
            json!({"body": "hi", "client_id": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // A later reply on the portal ticket is noticed, and nothing came before it.
    let (status, _) = api
        .post(&path, json!({"body": "Y otra cosa.", "client_id": "r2"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        sink.wait_for("pia@acme.example", 3)
            .await
            .body
            .contains("Y otra cosa.")
    );
    assert_eq!(sink.mails_to("pia@acme.example").len(), 3);
}

#[tokio::test]
async fn links_and_sessions_expire_and_a_session_is_good_on_its_own_portal_only() {
    let (desk, sink) = desk_with_mail().await;
    let channel = desk.custom_channel("crm").await;
    contact(&desk, (channel.0, &channel.1), "rex@acme.example", "hello").await;
    let a = portal(&desk, json!({"name": "A", "slug": "aaa"})).await;
    portal(&desk, json!({"name": "B", "slug": "bbb"})).await;
    let mut rex = Customer::new(&desk);
    rex.sign_up(&sink, "aaa", "rex@acme.example", PASSWORD)
        .await;
    assert_eq!(rex.get("/portal/aaa/tickets").await.status, StatusCode::OK);
    // The same cookie means nothing on another portal.
    assert_eq!(
        rex.get("/portal/bbb/tickets").await.status,
        StatusCode::SEE_OTHER
    );

    let (_, inv) = desk
        .api(&desk.admin)
        .post(
            &format!("/portals/{}/invitations", a["id"]),
            json!({"email": "sol@acme.example"}),
        )
        .await;
    let db = rusqlite::Connection::open(desk.data().join("frontdesk.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    db.execute(
        "UPDATE portal_tokens SET expires_at = 1 WHERE used_at IS NULL",
        [],
    )
    .unwrap();
    let page = Customer::new(&desk).get(inv["url"].as_str().unwrap()).await;
    assert_eq!(page.status, StatusCode::GONE, "an expired link is refused");
    db.execute("UPDATE portal_sessions SET expires_at = 1", [])
        .unwrap();
    let page = rex.get("/portal/aaa/tickets").await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "an expired session is refused"
    );
}
