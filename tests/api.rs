//! The HTTP API of CONTRACT.md, driven against the real server binary.

mod common;

use common::{Desk, customer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn me_answers_the_agent_behind_the_token() {
    let desk = Desk::start();
    let me = desk.api(&desk.agent).ok("/me").await;
    assert_eq!(me["name"], "Bo Agent");
    assert_eq!(me["email"], "bo@desk.example");
    assert_eq!(me["role"], "agent");
    assert_eq!(me["available"], true);
    assert!(me["id"].is_i64());
}

#[tokio::test]
async fn every_api_endpoint_needs_a_valid_token() {
    let desk = Desk::start();
    let anon = desk.api("");
    let forged = desk.api("fdk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for path in [
        "/me",
        "/conversations",
        "/conversations/1",
        "/contacts/1",
        "/channels",
        "/agents",
        "/teams",
    ] {
        for api in [&anon, &forged] {
            let (status, body) = api.get(path).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
            assert_eq!(body["error"]["code"], "unauthorized");
        }
    }
}

#[tokio::test]
async fn admin_endpoints_refuse_agents_with_403_and_create_nothing() {
    let desk = Desk::start();
    let agent = desk.api(&desk.agent);
    let (status, body) = agent
        .post("/channels", json!({"kind": "custom", "name": "Sneaky"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, _) = agent
        .post("/agents", json!({"email": "x@y.example", "name": "X"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(agent.ok("/channels").await.as_array().unwrap().len(), 0);
    assert_eq!(agent.ok("/agents").await.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn channel_secret_and_webhook_are_shown_to_admins_only() {
    let desk = Desk::start();
    let mut events = desk.events(&desk.agent, Some(0)).await;
    let (status, created) = desk
        .api(&desk.admin)
        .post("/channels", json!({"kind": "custom", "name": "Telegram bridge", "webhook_url": "https://user:pw@bridge.example/hook"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (id, secret) = (
        created["id"].as_i64().unwrap(),
        created["secret"].as_str().unwrap().to_string(),
    );
    let event = events.until("channel.created").await;
    assert!(event["channel"]["webhook_url"].is_null(), "{event}");
    assert!(event["channel"].get("secret").is_none(), "{event}");
    assert_eq!(secret.len(), 64);
    let as_admin = desk.api(&desk.admin).ok(&format!("/channels/{id}")).await;
    assert_eq!(as_admin["secret"], secret.as_str());
    let as_agent = desk.api(&desk.agent).ok(&format!("/channels/{id}")).await;
    assert_eq!(as_agent["name"], "Telegram bridge");
    assert!(as_agent.get("secret").is_none(), "{as_agent}");
    assert!(as_agent["webhook_url"].is_null(), "{as_agent}");
    assert_eq!(
        as_admin["webhook_url"],
        "https://user:pw@bridge.example/hook"
    );
}

#[tokio::test]
async fn admin_creates_an_agent_whose_token_works() {
    let desk = Desk::start();
    let (status, created) = desk
        .api(&desk.admin)
        .post(
            "/agents",
            json!({"email": "cy@desk.example", "name": "Cy", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let me = desk.api(created["token"].as_str().unwrap()).ok("/me").await;
    assert_eq!(me["email"], "cy@desk.example");
    let (status, _) = desk
        .api(&desk.admin)
        .post(
            "/agents",
            json!({"email": "CY@desk.example", "name": "Cy again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn conversation_detail_carries_contact_and_messages_oldest_first() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, first) = desk
        .inbound(ch, &secret, &customer("t1", "u1", "first"))
        .await;
    desk.inbound(ch, &secret, &customer("t1", "u1", "second"))
        .await;
    let id = first["conversation_id"].as_i64().unwrap();
    let detail = desk
        .api(&desk.agent)
        .ok(&format!("/conversations/{id}"))
        .await;
    assert_eq!(detail["id"], id);
    assert_eq!(detail["contact"]["name"], "Customer u1");
    let bodies: Vec<_> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].clone())
        .collect();
    assert_eq!(bodies, vec![json!("first"), json!("second")]);
    assert_eq!(detail["has_older"], false);
    for field in [
        "subject",
        "status",
        "priority",
        "owner_id",
        "channel_id",
        "contact_id",
        "last_message_at",
        "preview",
    ] {
        assert!(detail.get(field).is_some(), "missing {field}");
    }
}

#[tokio::test]
async fn older_messages_page_backwards_oldest_first() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let (_, r) = desk
            .inbound(ch, &secret, &customer("t", "u", &format!("m{i}")))
            .await;
        ids.push(r["message_id"].as_i64().unwrap());
    }
    let conv = desk.api(&desk.agent).ids("").await[0];
    let api = desk.api(&desk.agent);
    let page = api
        .ok(&format!("/conversations/{conv}/messages?limit=3"))
        .await;
    let got: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, ids[4..7]);
    assert_eq!(page["has_older"], true);
    let page = api
        .ok(&format!(
            "/conversations/{conv}/messages?limit=3&before={}",
            ids[4]
        ))
        .await;
    let got: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, ids[1..4]);
    let page = api
        .ok(&format!(
            "/conversations/{conv}/messages?limit=3&before={}",
            ids[1]
        ))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["has_older"], false);
}

#[tokio::test]
async fn list_filters_by_status_assignee_channel_and_text() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let mut conv = Vec::new();
    for (thread, text) in [
        ("alpha", "my invoice is wrong"),
        ("bravo", "cannot log in"),
        ("charlie", "refund please"),
    ] {
        let (_, r) = desk
            .inbound(ch, &secret, &customer(thread, thread, text))
            .await;
        conv.push(r["conversation_id"].as_i64().unwrap());
    }
    let bo = desk.api(&desk.agent);
    let me = bo.ok("/me").await["id"].as_i64().unwrap();
    // b: replied by Bo (assigned to Bo, waiting on contact); c: closed.
    let (s, _) = bo
        .post(
            &format!("/conversations/{}/messages", conv[1]),
            json!({"body": "try again", "client_id": "k1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = bo
        .patch(
            &format!("/conversations/{}", conv[2]),
            json!({"status": "closed"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    assert_eq!(bo.ids("status=open").await, vec![conv[1], conv[0]]);
    assert_eq!(bo.ids("status=closed").await, vec![conv[2]]);
    assert_eq!(bo.ids("status=waiting_on_contact").await, vec![conv[1]]);
    assert_eq!(bo.ids("assignee=me").await, vec![conv[1]]);
    assert_eq!(bo.ids(&format!("assignee={me}")).await, vec![conv[1]]);
    assert_eq!(bo.ids("assignee=unassigned").await, vec![conv[2], conv[0]]);
    assert_eq!(bo.ids("assignee=any").await.len(), 3);
    assert_eq!(bo.ids("channel=custom").await.len(), 3);
    assert_eq!(bo.ids(&format!("channel={ch}")).await.len(), 3);
    assert!(bo.ids("channel=email").await.is_empty());
    assert_eq!(bo.ids("q=invoice").await, vec![conv[0]]);
    assert_eq!(
        bo.ids("q=invo").await,
        vec![conv[0]],
        "the last word matches as a prefix"
    );
    assert_eq!(
        bo.ids("q=customer%20charl").await,
        vec![conv[2]],
        "contact names are searched"
    );
    assert_eq!(
        bo.ids("q=again").await,
        vec![conv[1]],
        "agent replies are searched"
    );
    assert_eq!(bo.ids("status=open&q=refund").await, Vec::<i64>::new());
    assert_eq!(
        bo.ids("q=%21%21%21").await,
        Vec::<i64>::new(),
        "text without words matches nothing"
    );
    for query in [
        "status=open",
        "status=closed",
        "assignee=me",
        "assignee=unassigned",
        "channel=custom",
        "channel=email",
        "q=invoice",
        "status=open&q=refund",
        "",
    ] {
        let counted = bo.ok(&format!("/conversations/count?{query}")).await;
        assert_eq!(
            counted["count"].as_u64().unwrap() as usize,
            bo.ids(query).await.len(),
            "count of {query:?} matches its list"
        );
        assert!(counted["seq"].as_i64().unwrap() > 0);
    }
    let (s, body) = bo.get("/conversations/count?status=bogus").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_query");
}

#[tokio::test]
async fn list_is_most_recent_first_and_pages_with_a_cursor() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let mut conv = Vec::new();
    for i in 0..5 {
        let (_, r) = desk
            .inbound(ch, &secret, &customer(&format!("t{i}"), "u", "hi"))
            .await;
        conv.push(r["conversation_id"].as_i64().unwrap());
    }
    // A new message moves the oldest conversation to the top.
    desk.inbound(ch, &secret, &customer("t0", "u", "again"))
        .await;
    let expected = vec![conv[0], conv[4], conv[3], conv[2], conv[1]];
    let api = desk.api(&desk.agent);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/conversations?limit=2&cursor={c}"),
            None => "/conversations?limit=2".to_string(),
        };
        let page = api.ok(&q).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn patch_changes_status_owner_team_priority_and_null_clears_owner() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let (_, r) = desk.inbound(ch, &secret, &customer("t", "u", "hi")).await;
    let id = r["conversation_id"].as_i64().unwrap();
    let api = desk.api(&desk.agent);
    let me = api.ok("/me").await["id"].as_i64().unwrap();
    let (s, c) = api
        .patch(
            &format!("/conversations/{id}"),
            json!({"status": "waiting_on_us", "owner_id": me, "priority": "urgent"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(
        (
            c["status"].as_str(),
            c["owner_id"].as_i64(),
            c["priority"].as_str()
        ),
        (Some("waiting_on_us"), Some(me), Some("urgent"))
    );
    let (_, c) = api
        .patch(&format!("/conversations/{id}"), json!({"owner_id": null}))
        .await;
    assert!(c["owner_id"].is_null());
    assert_eq!(c["priority"], "urgent", "absent fields stay");
    let (s, body) = api
        .patch(&format!("/conversations/{id}"), json!({"team_id": 999}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let desk = Desk::start();
    let api = desk.api(&desk.agent);
    let (s, body) = api.get("/nothing-here").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (s, body) = api.raw(reqwest::Method::DELETE, "/me", vec![]).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

/// Pages through `/conversations?{query}` with `limit`, returning every id in order.
async fn all_pages(api: &common::Api, query: &str, limit: usize) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = api
            .ok(&format!("/conversations?limit={limit}&{query}{cursor}"))
            .await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn text_search_keeps_activity_order_and_pages_exactly_once_with_and_without_filters() {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let api = desk.api(&desk.agent);
    let mut conv = Vec::new();
    for i in 0..12 {
        let text = if i % 3 == 0 {
            "printer jammed again"
        } else {
            "printer offline"
        };
        let (_, r) = desk
            .inbound(
                ch,
                &secret,
                &customer(&format!("t{i}"), &format!("u{i}"), text),
            )
            .await;
        conv.push(r["conversation_id"].as_i64().unwrap());
    }
    // Activity reorders: the oldest conversations get new messages, one of them jammed.
    desk.inbound(ch, &secret, &customer("t1", "u1", "now it is jammed too"))
        .await;
    desk.inbound(ch, &secret, &customer("t0", "u0", "still waiting"))
        .await;
    for id in &conv[4..8] {
        api.patch(&format!("/conversations/{id}"), json!({"status": "closed"}))
            .await;
    }
    let recent = all_pages(&api, "", 5).await;
    assert_eq!(&recent[..2], &[conv[0], conv[1]]);

    let jammed: Vec<i64> = recent
        .iter()
        .copied()
        .filter(|id| [0, 1, 3, 6, 9].contains(&conv.iter().position(|c| c == id).unwrap()))
        .collect();
    // Text only: the index drives, newest activity first.
    assert_eq!(all_pages(&api, "q=jammed", 2).await, jammed);
    assert_eq!(
        all_pages(&api, "q=jam", 50).await,
        jammed,
        "prefix of the last word"
    );
    // Text and a filter: the filter drives; same order.
    let open_jammed: Vec<i64> = jammed
        .iter()
        .copied()
        .filter(|id| !conv[4..8].contains(id))
        .collect();
    assert_eq!(
        all_pages(&api, "q=jammed&status=open", 2).await,
        open_jammed
    );
    assert_eq!(all_pages(&api, "q=printer&status=closed", 3).await, {
        let mut closed: Vec<i64> = conv[4..8].to_vec();
        closed.reverse();
        closed
    });
    // Every word must match.
    assert_eq!(
        all_pages(&api, "q=printer%20jammed%20still", 50).await,
        vec![conv[0]]
    );
}

#[tokio::test]
async fn the_desk_has_one_id_across_restarts_whatever_agent_asks() {
    let mut desk = Desk::start();
    let first = desk.api(&desk.agent).ok("/desk").await;
    let id = first["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(desk.api(&desk.admin).ok("/desk").await["id"], id.as_str());
    desk.restart();
    assert_eq!(desk.api(&desk.agent).ok("/desk").await["id"], id.as_str());
    let other = Desk::start();
    assert_ne!(other.api(&other.agent).ok("/desk").await["id"], id.as_str());
    let (s, _) = desk.api("fdk_wrong").get("/desk").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
