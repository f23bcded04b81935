//! Managing channels: edit, turn off and on, delete, through the API and the
//! `frontdesk channel` command; nothing stored is ever lost.

mod common;
mod webhook_receiver;

use common::{BIN, Desk, customer};
use frontdesk::server::signature::sign;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Command;

fn cli(desk: &Desk, args: &[&str]) -> (bool, String, String) {
    let data = desk.data();
    let out = Command::new(BIN)
        .arg("channel")
        .args(args)
        .args(["--data", data.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn cli_json(desk: &Desk, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let (ok, out, err) = cli(desk, &args);
    assert!(ok, "channel {args:?} failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A desk with a custom channel and one conversation on it: (desk, channel, secret, conversation).
async fn desk_with_conversation() -> (Desk, i64, String, i64) {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (status, body) = desk
        .inbound(ch, &secret, &customer("t1", "u1", "first message"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    (desk, ch, secret, body["conversation_id"].as_i64().unwrap())
}

#[tokio::test]
async fn an_admin_edits_a_channel_and_every_agent_sees_the_change_live() {
    let (desk, ch, _, _) = desk_with_conversation().await;
    let admin = desk.api(&desk.admin);
    let mut events = desk.events(&desk.agent, Some(admin.seq().await)).await;
    let (status, edited) = admin
        .patch(
            &format!("/channels/{ch}"),
            json!({"name": "Telegram", "description": "Our bot", "webhook_url": "https://relay.example/out",
                   "settings": {"bot": "@acme"}, "capabilities": {"threading": "sender"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["name"], "Telegram");
    assert_eq!(edited["description"], "Our bot");
    assert_eq!(edited["webhook_url"], "https://relay.example/out");
    assert_eq!(edited["settings"]["bot"], "@acme");
    assert_eq!(edited["capabilities"]["threading"], "sender");
    let event = events.until("channel.updated").await;
    assert_eq!(event["channel"]["name"], "Telegram");
    assert_eq!(
        event["channel"]["webhook_url"],
        Value::Null,
        "agents never see the webhook"
    );
    // null clears; absent keeps.
    let (_, cleared) = admin
        .patch(
            &format!("/channels/{ch}"),
            json!({"description": null, "webhook_url": null}),
        )
        .await;
    assert_eq!(cleared["description"], Value::Null);
    assert_eq!(cleared["webhook_url"], Value::Null);
    assert_eq!(cleared["name"], "Telegram");

    let seq = admin.seq().await;
    for bad in [
        json!({"name": ""}),
        json!({"webhook_url": "not a url"}),
        json!({"settings": [1, 2]}),
        json!({"enabled": "yes"}),
        json!({"capabilities": {"attachments": [{"kind": "image", "max_size": -1}]}}),
        json!({"secret": "mine"}),
    ] {
        let (status, body) = admin.patch(&format!("/channels/{ch}"), bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} -> {body}");
    }
    let (status, _) = desk
        .api(&desk.agent)
        .patch(&format!("/channels/{ch}"), json!({"name": "mine"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.patch("/channels/999", json!({"name": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(admin.seq().await, seq, "refused edits change nothing");
    assert_eq!(
        admin.ok(&format!("/channels/{ch}")).await["name"],
        "Telegram"
    );
}

#[tokio::test]
async fn a_turned_off_channel_refuses_inbound_and_replies_keeps_its_history_and_turns_back_on() {
    let (desk, ch, secret, conv) = desk_with_conversation().await;
    let admin = desk.api(&desk.admin);
    let api = desk.api(&desk.agent);
    let (status, off) = admin
        .patch(&format!("/channels/{ch}"), json!({"enabled": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(off["enabled"], false);
    let seq = api.seq().await;

    let (status, body) = desk
        .inbound(ch, &secret, &customer("t1", "u1", "hello?"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("channel {ch} is turned off")),
        "{body}"
    );
    let (status, body) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "reply", "client_id": "r1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(api.seq().await, seq, "nothing stored while off");
    // The history is all there, and internal notes still work.
    let detail = api.ok(&format!("/conversations/{conv}")).await;
    assert_eq!(detail["messages"][0]["body"], "first message");
    let (status, _) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "note", "internal": true, "client_id": "n1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        admin.ok("/channels").await[0]["enabled"],
        false,
        "still listed"
    );

    admin
        .patch(&format!("/channels/{ch}"), json!({"enabled": true}))
        .await;
    let (status, body) = desk
        .inbound(ch, &secret, &customer("t1", "u1", "back"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["conversation_id"], conv);
}

#[tokio::test]
async fn a_deleted_channel_is_hidden_refuses_traffic_with_410_and_loses_no_conversation() {
    let mut receiver = webhook_receiver::Receiver::start().await;
    let desk = Desk::start_with(&["--delivery-retry-ms", "60000", "--allow-private-targets"]);
    let admin = desk.api(&desk.admin);
    let (_, ch) = admin
        .post(
            "/channels",
            json!({"kind": "custom", "name": "Old bridge", "webhook_url": receiver.url()}),
        )
        .await;
    let (id, secret) = (
        ch["id"].as_i64().unwrap(),
        ch["secret"].as_str().unwrap().to_string(),
    );
    let (_, inbound) = desk
        .inbound(id, &secret, &customer("t", "u", "hello"))
        .await;
    let conv = inbound["conversation_id"].as_i64().unwrap();
    // A reply waiting for the integration, which is down.
    receiver.stop().await;
    let api = desk.api(&desk.agent);
    let (_, waiting) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "answer", "client_id": "w1"}),
        )
        .await;
    // Its first attempt failed (and is recorded) before the deletion.
    let m = api
        .message_until(conv, waiting["id"].as_i64().unwrap(), |m| {
            m["delivery"]["attempts"] == 1
        })
        .await;
    assert_eq!(m["delivery"]["status"], "queued");
    let mut events = desk.events(&desk.agent, Some(api.seq().await)).await;

    let (status, deleted) = admin
        .raw(reqwest::Method::DELETE, &format!("/channels/{id}"), vec![])
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert!(deleted["deleted_at"].is_string());
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(events.next().await);
    }
    let failed = seen
        .iter()
        .find(|e| e["type"] == "message.updated")
        .expect("reply failed");
    assert_eq!(failed["message"]["id"], waiting["id"]);
    assert_eq!(failed["message"]["delivery"]["status"], "failed");
    assert!(
        failed["message"]["delivery"]["error"]
            .as_str()
            .unwrap()
            .contains("deleted")
    );
    let gone = seen
        .iter()
        .find(|e| e["type"] == "channel.deleted")
        .expect("channel.deleted");
    assert_eq!(gone["channel"]["id"], id);

    let listed = admin.ok("/channels").await;
    assert!(
        listed.as_array().unwrap().iter().all(|c| c["id"] != id),
        "hidden: {listed}"
    );
    let (status, body) = admin.get(&format!("/channels/{id}")).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    let seq = api.seq().await;
    let (status, body) = desk
        .inbound(id, &secret, &customer("t", "u", "anyone?"))
        .await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("was deleted")
    );
    let (status, _) = desk
        .inbound_raw(id, Some("sha256=00"), b"{}".to_vec())
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the signature is checked first"
    );
    let raw = br#"{"status": "read"}"#.to_vec();
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/channels/{id}/messages/{}/status",
            desk.url, waiting["id"]
        ))
        .header("x-frontdesk-signature", sign(&secret, &raw))
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::GONE);
    let (status, _) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "more", "client_id": "w2"}),
        )
        .await;
    assert_eq!(status, StatusCode::GONE);
    for (path, body) in [(format!("/channels/{id}"), json!({"enabled": true}))] {
        let (status, _) = admin.patch(&path, body).await;
        assert_eq!(status, StatusCode::GONE);
    }
    let (status, _) = admin
        .raw(reqwest::Method::DELETE, &format!("/channels/{id}"), vec![])
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(api.seq().await, seq, "nothing stored after the deletion");

    // Everything it brought is still there.
    let detail = api.ok(&format!("/conversations/{conv}")).await;
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["hello", "answer"]);
    assert_eq!(api.ids(&format!("channel={id}")).await, vec![conv]);
}

#[tokio::test]
async fn the_cli_adds_lists_edits_disables_enables_and_deletes_channels_on_a_running_desk() {
    let desk = Desk::start();
    let created = cli_json(
        &desk,
        &[
            "add",
            "--name",
            "CLI bridge",
            "--description",
            "made by a script",
            "--webhook-url",
            "https://relay.example/hook",
            "--capabilities",
            r#"{"attachments":[{"kind":"image","max_size":2048}]}"#,
        ],
    );
    let id = created["id"].as_i64().unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert_eq!(created["kind"], "custom");
    assert_eq!(created["capabilities"]["attachments"][0]["max_size"], 2048);
    // The running server sees it, and so does the plain listing.
    let admin = desk.api(&desk.admin);
    assert_eq!(
        admin.ok(&format!("/channels/{id}")).await["description"],
        "made by a script"
    );
    let (ok, table, _) = cli(&desk, &["list"]);
    assert!(
        ok && table.contains("CLI bridge") && table.contains("https://relay.example/hook"),
        "{table}"
    );
    let listed = cli_json(&desk, &["list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let edited = cli_json(
        &desk,
        &[
            "edit",
            &id.to_string(),
            "--name",
            "Renamed",
            "--no-webhook-url",
        ],
    );
    assert_eq!(edited["name"], "Renamed");
    assert_eq!(edited["webhook_url"], Value::Null);

    let off = cli_json(&desk, &["disable", &id.to_string()]);
    assert_eq!(off["enabled"], false);
    let (status, body) = desk.inbound(id, &secret, &customer("t", "u", "hi")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let on = cli_json(&desk, &["enable", &id.to_string()]);
    assert_eq!(on["enabled"], true);
    let (status, _) = desk.inbound(id, &secret, &customer("t", "u", "hi")).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let (ok, out, _) = cli(&desk, &["delete", &id.to_string()]);
    assert!(
        ok && out.contains("deleted custom channel \"Renamed\""),
        "{out}"
    );
    let (status, _) = desk.inbound(id, &secret, &customer("t", "u", "hi")).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(cli_json(&desk, &["list"]), json!([]));
    assert_eq!(
        desk.api(&desk.agent).ids("").await.len(),
        1,
        "its conversation stays"
    );

    // Mistakes get a clear message and a failing exit status.
    let (ok, _, err) = cli(&desk, &["delete", &id.to_string()]);
    assert!(!ok && err.contains("was deleted"), "{err}");
    let (ok, _, err) = cli(&desk, &["edit", "999", "--name", "x"]);
    assert!(!ok && err.contains("channel 999 not found"), "{err}");
    let (ok, _, err) = cli(
        &desk,
        &["add", "--name", "x", "--capabilities", "{\"threading\":1}"],
    );
    assert!(!ok && err.contains("capabilities"), "{err}");
    let (ok, _, err) = cli(&desk, &["add", "--name", "x", "--webhook-url", "nope"]);
    assert!(!ok && err.contains("webhook_url"), "{err}");
    let (ok, out, _) = cli(&desk, &["add", "--name", "Plain"]);
    assert!(
        ok && out.lines().last().unwrap().len() == 64,
        "the secret is the last line: {out}"
    );
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["channel", "list", "--data", empty.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no frontdesk.db"));
}

/// How many webhooks carrying `text` the receiver got.
fn carried(receiver: &webhook_receiver::Receiver, text: &str) -> usize {
    receiver
        .received()
        .iter()
        .filter(|r| r.body.to_string().contains(text))
        .count()
}

#[tokio::test]
async fn replies_queued_on_a_channel_turned_off_wait_and_go_out_when_it_is_turned_back_on() {
    let mut receiver = webhook_receiver::Receiver::start().await;
    let other = webhook_receiver::Receiver::start().await;
    let addr = receiver.addr.unwrap();
    let mut desk = Desk::start_with(&["--delivery-retry-ms", "50", "--allow-private-targets"]);
    let admin = desk.api(&desk.admin);
    let mut channels = Vec::new();
    for (name, hook) in [("Bridge", &receiver), ("Other bridge", &other)] {
        let (_, ch) = admin
            .post(
                "/channels",
                json!({"kind": "custom", "name": name, "webhook_url": hook.url()}),
            )
            .await;
        let (id, secret) = (ch["id"].as_i64().unwrap(), ch["secret"].as_str().unwrap());
        hook.set_secret(secret);
        let (_, inbound) = desk.inbound(id, secret, &customer(name, "u", "hi")).await;
        channels.push((id, inbound["conversation_id"].as_i64().unwrap()));
    }
    let [(id, conv), (_, other_conv)] = channels[..] else {
        unreachable!()
    };
    receiver.stop().await;
    let api = desk.api(&desk.agent);
    let (_, reply) = api
        .post(
            &format!("/conversations/{conv}/messages"),
            json!({"body": "the waiting reply", "client_id": "r1"}),
        )
        .await;
    let reply = reply["id"].as_i64().unwrap();
    api.message_until(conv, reply, |m| {
        m["delivery"]["attempts"].as_i64() >= Some(1)
    })
    .await;

    // The rule: an attempt already under way when its channel is turned off may still go out.
    // So the channel is turned off with none under way: the server is stopped (its attempts
    // end or are handed back), the CLI turns the channel off, the server starts again.
    assert!(desk.terminate());
    let (ok, _, err) = cli(&desk, &["disable", &id.to_string()]);
    assert!(ok, "{err}");
    receiver.listen(addr).await;
    desk.spawn();
    let (admin, api) = (desk.api(&desk.admin), desk.api(&desk.agent));

    // The reply is due but its channel is off. A reply posted later on another channel goes
    // out, and the waiting one has not gone before it.
    let (_, later) = api
        .post(
            &format!("/conversations/{other_conv}/messages"),
            json!({"body": "a later reply", "client_id": "r2"}),
        )
        .await;
    let later = later["id"].as_i64().unwrap();
    api.message_until(other_conv, later, |m| m["delivery"]["status"] == "sent")
        .await;
    assert_eq!(carried(&other, "a later reply"), 1);
    assert_eq!(
        carried(&receiver, "the waiting reply"),
        0,
        "nothing goes out while off"
    );
    assert_eq!(
        api.message(conv, reply).await["delivery"]["status"],
        "queued"
    );

    admin
        .patch(&format!("/channels/{id}"), json!({"enabled": true}))
        .await;
    api.message_until(conv, reply, |m| m["delivery"]["status"] == "sent")
        .await;
    assert_eq!(carried(&receiver, "the waiting reply"), 1);
    assert!(receiver.received().iter().all(|r| r.signature_ok));
}
