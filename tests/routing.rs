//! Routing per channel, from outside: a fair rotation among eligible agents (seat, and
//! available unless switched off), the contact's owner with a fallback, teams, presets, and the
//! events that show each assignment live.

mod common;

use common::{Api, Desk};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// PUT with a JSON body.
async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.raw(Method::PUT, path, serde_json::to_vec(&body).unwrap())
        .await
}

/// Creates an agent as admin; returns (id, token).
async fn agent(desk: &Desk, name: &str) -> (i64, String) {
    let email = format!("{}@desk.example", name.to_lowercase());
    let (s, b) = desk
        .api(&desk.admin)
        .post("/agents", json!({"email": email, "name": name}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    (
        b["id"].as_i64().unwrap(),
        b["token"].as_str().unwrap().into(),
    )
}

async fn team(desk: &Desk, name: &str, members: &[i64]) -> i64 {
    let (s, b) = desk
        .api(&desk.admin)
        .post("/teams", json!({"name": name, "member_ids": members}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

async fn set_routing(desk: &Desk, channel: i64, rules: Value) {
    let (s, b) = put(
        &desk.api(&desk.admin),
        &format!("/channels/{channel}/routing"),
        rules,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

/// A custom channel and a way to open a new conversation on it.
struct Channel {
    id: i64,
    secret: String,
    threads: std::cell::Cell<u32>,
}

impl Channel {
    async fn new(desk: &Desk) -> Channel {
        let (id, secret) = desk.custom_channel("Bridge").await;
        Channel {
            id,
            secret,
            threads: 0.into(),
        }
    }

    /// A new conversation from `sender`; returns the conversation as an agent reads it.
    async fn open_from(&self, desk: &Desk, sender: &str) -> Value {
        let n = self.threads.get() + 1;
        self.threads.set(n);
        let msg = json!({"thread_id": format!("t{n}"), "sender": {"id": sender, "name": sender}, "text": format!("question {n}")});
        let (s, r) = desk.inbound(self.id, &self.secret, &msg).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{r}");
        desk.api(&desk.agent)
            .ok(&format!("/conversations/{}", r["conversation_id"]))
            .await
    }

    async fn open(&self, desk: &Desk) -> Value {
        let n = self.threads.get();
        self.open_from(desk, &format!("customer-{n}")).await
    }

    /// The owners of `n` new conversations, in order.
    async fn owners(&self, desk: &Desk, n: usize) -> Vec<Option<i64>> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(self.open(desk).await["owner_id"].as_i64());
        }
        out
    }
}

fn some(ids: &[i64]) -> Vec<Option<i64>> {
    ids.iter().copied().map(Some).collect()
}

#[tokio::test]
async fn a_channel_nobody_configured_leaves_new_conversations_unassigned() {
    let desk = Desk::start();
    let ch = Channel::new(&desk).await;
    let rules = desk
        .api(&desk.agent)
        .ok(&format!("/channels/{}/routing", ch.id))
        .await;
    assert_eq!(rules["mode"], "nobody");
    assert_eq!(rules["only_available"], true);
    assert_eq!(ch.owners(&desk, 2).await, [None, None]);
}

#[tokio::test]
async fn rotation_takes_turns_skips_away_agents_and_survives_a_restart() {
    let mut desk = Desk::start();
    let (a, _) = agent(&desk, "Ann").await;
    let (b, b_token) = agent(&desk, "Ben").await;
    let (c, _) = agent(&desk, "Cai").await;
    let ch = Channel::new(&desk).await;
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "users_and_teams", "agent_ids": [c, a, b, b]}),
    )
    .await;
    assert_eq!(ch.owners(&desk, 4).await, some(&[a, b, c, a]));

    // Ben sets himself away from his own client: his turns pass to the others.
    let (s, me) = desk
        .api(&b_token)
        .patch("/me", json!({"available": false}))
        .await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["available"], false);
    assert_eq!(ch.owners(&desk, 3).await, some(&[c, a, c]));

    // Routing to away agents too: Ben is back in the rotation at his place.
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "users_and_teams", "agent_ids": [a, b, c], "only_available": false}),
    )
    .await;
    assert_eq!(ch.owners(&desk, 2).await, some(&[a, b]));

    // The rotation's place is in the database: after a crash it goes on after Ben.
    desk.restart();
    assert_eq!(ch.owners(&desk, 2).await, some(&[c, a]));

    // Everyone away and only available agents wanted: nobody gets it.
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "users_and_teams", "agent_ids": [b]}),
    )
    .await;
    assert_eq!(ch.owners(&desk, 1).await, [None]);
}

#[tokio::test]
async fn agents_without_a_seat_are_never_routed_to() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (a, _) = agent(&desk, "Ann").await;
    let (b, _) = agent(&desk, "Ben").await;
    let ch = Channel::new(&desk).await;
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "users_and_teams", "agent_ids": [a, b], "only_available": false}),
    )
    .await;
    let mut events = desk.events(&desk.agent, Some(admin.seq().await)).await;
    let (s, ben) = admin
        .patch(&format!("/agents/{b}"), json!({"has_seat": false}))
        .await;
    assert_eq!(s, StatusCode::OK, "{ben}");
    assert_eq!(ben["has_seat"], false);
    let e = events.until("agent.updated").await;
    assert_eq!(e["agent"]["id"], b);
    assert_eq!(e["agent"]["has_seat"], false);
    // Away or not, without a seat Ben gets nothing.
    assert_eq!(ch.owners(&desk, 3).await, some(&[a, a, a]));
    // And he cannot be named in a rule while he has no seat.
    let (s, r) = put(
        &admin,
        &format!("/channels/{}/routing", ch.id),
        json!({"mode": "users_and_teams", "agent_ids": [b]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("has no seat")
    );
    // A seat again: back in the rotation.
    admin
        .patch(&format!("/agents/{b}"), json!({"has_seat": true}))
        .await;
    assert_eq!(ch.owners(&desk, 2).await, some(&[b, a]));
}

#[tokio::test]
async fn contact_owner_takes_their_contacts_conversations_else_the_fallback() {
    let desk = Desk::start();
    let api = desk.api(&desk.agent);
    let (a, a_token) = agent(&desk, "Ann").await;
    let (b, _) = agent(&desk, "Ben").await;
    let ch = Channel::new(&desk).await;
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "contact_owner", "agent_ids": [b], "fallback": "users_and_teams"}),
    )
    .await;
    // A contact without an owner: the fallback rotation.
    let first = ch.open_from(&desk, "maria").await;
    assert_eq!(first["owner_id"], b);
    let contact = first["contact_id"].as_i64().unwrap();
    let (s, c) = api
        .patch(&format!("/contacts/{contact}"), json!({"owner_id": a}))
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["owner_id"], a);
    // Her owner takes her next conversations; other customers still go to the fallback.
    assert_eq!(ch.open_from(&desk, "maria").await["owner_id"], a);
    assert_eq!(ch.open_from(&desk, "luigi").await["owner_id"], b);
    // Her owner is away: the fallback takes it.
    desk.api(&a_token)
        .patch("/me", json!({"available": false}))
        .await;
    assert_eq!(ch.open_from(&desk, "maria").await["owner_id"], b);
    // No fallback: it stays unassigned.
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "contact_owner", "fallback": "nobody"}),
    )
    .await;
    assert_eq!(ch.open_from(&desk, "maria").await["owner_id"], Value::Null);
    // Including away agents, her owner takes it although away.
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "contact_owner", "only_available": false}),
    )
    .await;
    assert_eq!(ch.open_from(&desk, "maria").await["owner_id"], a);
}

#[tokio::test]
async fn team_routing_rotates_among_members_and_sets_the_team() {
    let desk = Desk::start();
    let (a, _) = agent(&desk, "Ann").await;
    let (b, _) = agent(&desk, "Ben").await;
    let (c, _) = agent(&desk, "Cai").await;
    let seq = desk.api(&desk.agent).seq().await;
    let mut events = desk.events(&desk.agent, Some(seq)).await;
    let billing = team(&desk, "Billing", &[b, c]).await;
    let created = events.until("team.updated").await;
    assert_eq!(created["team"]["name"], "Billing");
    assert_eq!(created["team"]["member_ids"], json!([b, c]));
    let ch = Channel::new(&desk).await;
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "users_and_teams", "team_ids": [billing]}),
    )
    .await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let conv = ch.open(&desk).await;
        assert_eq!(conv["team_id"], billing, "{conv}");
        seen.push(conv["owner_id"].as_i64().unwrap());
    }
    assert_eq!(seen, [b, c, b]);
    // New members join the rotation; a listed agent outside the team gets no team.
    let (s, t) = desk
        .api(&desk.admin)
        .patch(
            &format!("/teams/{billing}"),
            json!({"member_ids": [c, a, b]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["member_ids"], json!([a, b, c]));
    let changed = events.until("team.updated").await;
    assert_eq!(changed["team"], t);
    assert_eq!(ch.owners(&desk, 2).await, some(&[c, a]));
    let bo = desk.api(&desk.agent).ok("/me").await["id"]
        .as_i64()
        .unwrap();
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "users_and_teams", "agent_ids": [bo]}),
    )
    .await;
    let conv = ch.open(&desk).await;
    assert_eq!(conv["owner_id"], bo);
    assert_eq!(conv["team_id"], Value::Null);
}

#[tokio::test]
async fn presets_shape_every_new_conversation_of_the_channel_and_nothing_else() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (a, _) = agent(&desk, "Ann").await;
    let vip = team(&desk, "VIP", &[]).await;
    let ch = Channel::new(&desk).await;
    let other = Channel::new(&desk).await;
    let (s, p) = put(
        &admin,
        &format!("/channels/{}/presets", ch.id),
        json!({"status": "waiting_on_us", "priority": "urgent", "team_id": vip, "labels": [" vip", "billing", "vip"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["labels"], json!(["billing", "vip"]));
    assert_eq!(
        desk.api(&desk.agent)
            .ok(&format!("/channels/{}/presets", ch.id))
            .await,
        p
    );
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "users_and_teams", "agent_ids": [a]}),
    )
    .await;
    let conv = ch.open(&desk).await;
    assert_eq!(conv["status"], "waiting_on_us");
    assert_eq!(conv["priority"], "urgent");
    assert_eq!(conv["team_id"], vip);
    assert_eq!(conv["labels"], json!(["billing", "vip"]));
    assert_eq!(conv["owner_id"], a);
    // Another channel keeps the desk's defaults.
    let plain = other.open(&desk).await;
    assert_eq!(plain["status"], "new");
    assert_eq!(plain["priority"], "medium");
    assert_eq!(plain["labels"], json!([]));
    // Cleared presets: new conversations start plain again.
    put(&admin, &format!("/channels/{}/presets", ch.id), json!({})).await;
    let conv = ch.open(&desk).await;
    assert_eq!(
        (conv["status"].as_str(), conv["priority"].as_str()),
        (Some("new"), Some("medium"))
    );
}

#[tokio::test]
async fn every_assignment_is_seen_live_on_the_event_stream() {
    let desk = Desk::start();
    let (a, _) = agent(&desk, "Ann").await;
    let support = team(&desk, "Support", &[a]).await;
    let ch = Channel::new(&desk).await;
    set_routing(
        &desk,
        ch.id,
        json!({"mode": "users_and_teams", "team_ids": [support]}),
    )
    .await;
    let seq = desk.api(&desk.agent).seq().await;
    let mut events = desk.events(&desk.agent, Some(seq)).await;
    let conv = ch.open(&desk).await;
    let created = events.until("conversation.created").await;
    assert_eq!(created["conversation"]["id"], conv["id"]);
    assert_eq!(created["conversation"]["owner_id"], a);
    assert_eq!(created["conversation"]["team_id"], support);
    let message = events.until("message.created").await;
    assert_eq!(message["conversation"]["owner_id"], a);
}

#[tokio::test]
async fn bad_routing_input_is_refused_and_stores_nothing() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (a, _) = agent(&desk, "Ann").await;
    let t = team(&desk, "Support", &[a]).await;
    let ch = Channel::new(&desk).await;
    let routing = format!("/channels/{}/routing", ch.id);
    let presets = format!("/channels/{}/presets", ch.id);
    let good = json!({"mode": "users_and_teams", "agent_ids": [a], "team_ids": [t], "fallback": "nobody", "only_available": true});
    set_routing(&desk, ch.id, good.clone()).await;
    let good_presets = json!({"status": null, "priority": "high", "team_id": t, "labels": ["x"]});
    assert_eq!(
        put(&admin, &presets, good_presets.clone()).await.0,
        StatusCode::OK
    );
    let seq = admin.seq().await;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let cases: Vec<(&str, Value, StatusCode)> = vec![
        (&routing, json!({"mode": "round_robin"}), unprocessable),
        (&routing, json!({"agent_ids": [a]}), unprocessable),
        (
            &routing,
            json!({"mode": "users_and_teams", "agent_ids": [999]}),
            unprocessable,
        ),
        (
            &routing,
            json!({"mode": "users_and_teams", "team_ids": [999]}),
            unprocessable,
        ),
        (&routing, json!({"mode": "users_and_teams"}), unprocessable),
        (
            &routing,
            json!({"mode": "contact_owner", "fallback": "users_and_teams"}),
            unprocessable,
        ),
        (
            &routing,
            json!({"mode": "contact_owner", "fallback": "someone"}),
            unprocessable,
        ),
        (
            &routing,
            json!({"mode": "nobody", "only_available": "yes"}),
            unprocessable,
        ),
        (
            &routing,
            json!({"mode": "nobody", "agent_ids": ["a"]}),
            unprocessable,
        ),
        (
            &routing,
            json!({"mode": "nobody", "extra": 1}),
            unprocessable,
        ),
        (
            "/channels/999/routing",
            json!({"mode": "nobody"}),
            StatusCode::NOT_FOUND,
        ),
        (&presets, json!({"status": "pending"}), unprocessable),
        (&presets, json!({"priority": "asap"}), unprocessable),
        (&presets, json!({"team_id": 999}), unprocessable),
        (&presets, json!({"labels": ["ok", "  "]}), unprocessable),
        (
            &presets,
            json!({"labels": ["bad\u{1b}[31m"]}),
            unprocessable,
        ),
        (
            &presets,
            json!({"labels": ["x".repeat(101)]}),
            unprocessable,
        ),
        (
            &presets,
            json!({"labels": (0..51).map(|i| i.to_string()).collect::<Vec<_>>()}),
            unprocessable,
        ),
        (&presets, json!({"owner_id": a}), unprocessable),
        ("/channels/999/presets", json!({}), StatusCode::NOT_FOUND),
    ];
    for (path, body, expected) in cases {
        let (s, r) = put(&admin, path, body.clone()).await;
        assert_eq!(s, expected, "PUT {path} {body}: {r}");
        assert!(
            !r["error"]["message"].as_str().unwrap_or("").is_empty(),
            "{r}"
        );
    }
    for path in [&routing, &presets] {
        let (s, r) = admin.raw(Method::PUT, path, b"{\"mode\": ".to_vec()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{r}");
        assert_eq!(r["error"]["code"], "invalid_json");
        // Agents read the rules; only admins change them.
        let (s, r) = put(&desk.api(&desk.agent), path, json!({"mode": "nobody"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    }
    let agent = desk.api(&desk.agent);
    assert_eq!(agent.ok(&routing).await, good);
    assert_eq!(agent.ok(&presets).await, good_presets);
    assert_eq!(
        agent.get("/channels/999/routing").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(admin.seq().await, seq, "a refused request wrote an event");
}

#[tokio::test]
async fn bad_agent_team_and_contact_input_is_refused_and_stores_nothing() {
    let desk = Desk::start();
    let admin = desk.api(&desk.admin);
    let (a, _) = agent(&desk, "Ann").await;
    let t = team(&desk, "Support", &[a]).await;
    let ch = Channel::new(&desk).await;
    let contact = ch.open(&desk).await["contact_id"].as_i64().unwrap();
    let agents_before = admin.ok("/agents").await;
    let teams_before = admin.ok("/teams").await;
    let contact_before = admin.ok(&format!("/contacts/{contact}")).await;
    let seq = admin.seq().await;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let agent_path = format!("/agents/{a}");
    let team_path = format!("/teams/{t}");
    let contact_path = format!("/contacts/{contact}");
    let patches: Vec<(&str, Value, StatusCode)> = vec![
        (&agent_path, json!({"available": "no"}), unprocessable),
        (&agent_path, json!({"has_seat": 0}), unprocessable),
        (&agent_path, json!({"role": "boss"}), unprocessable),
        (&agent_path, json!({"colour": "red"}), unprocessable),
        (
            "/agents/999",
            json!({"available": false}),
            StatusCode::NOT_FOUND,
        ),
        (&team_path, json!({"name": " "}), unprocessable),
        (&team_path, json!({"member_ids": [a, 999]}), unprocessable),
        (&team_path, json!({"members": [a]}), unprocessable),
        (
            "/teams/999",
            json!({"name": "Ghosts"}),
            StatusCode::NOT_FOUND,
        ),
        (&contact_path, json!({"owner_id": 999}), unprocessable),
        (&contact_path, json!({"owner_id": "ann"}), unprocessable),
        (&contact_path, json!({"name": "Mallory"}), unprocessable),
        (
            "/contacts/999",
            json!({"owner_id": a}),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (path, body, expected) in patches {
        let (s, r) = admin.patch(path, body.clone()).await;
        assert_eq!(s, expected, "PATCH {path} {body}: {r}");
        assert!(!r["error"]["message"].as_str().unwrap_or("").is_empty());
    }
    let posts = [
        json!({"name": ""}),
        json!({"name": "x".repeat(101)}),
        json!({"name": "New", "member_ids": [999]}),
        json!({"member_ids": []}),
    ];
    for body in posts {
        let (s, r) = admin.post("/teams", body.clone()).await;
        assert_eq!(s, unprocessable, "POST /teams {body}: {r}");
    }
    let (s, r) = admin.post("/teams", json!({"name": "Support"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{r}");
    // Only admins change seats and teams; an agent sets only their own availability.
    let agent = desk.api(&desk.agent);
    assert_eq!(
        agent
            .patch(&agent_path, json!({"available": false}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        agent.post("/teams", json!({"name": "Mine"})).await.0,
        StatusCode::FORBIDDEN
    );
    for body in [
        json!({"available": "away"}),
        json!({}),
        json!({"has_seat": true}),
    ] {
        let (s, r) = agent.patch("/me", body.clone()).await;
        assert_eq!(s, unprocessable, "PATCH /me {body}: {r}");
    }
    assert_eq!(admin.ok("/agents").await, agents_before);
    assert_eq!(admin.ok("/teams").await, teams_before);
    assert_eq!(admin.ok(&contact_path).await, contact_before);
    assert_eq!(admin.seq().await, seq, "a refused request wrote an event");
}
