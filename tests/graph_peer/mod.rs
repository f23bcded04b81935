//! A Graph-API-compatible peer on loopback (Send API, Cloud API, media), and helpers to
//! drive a desk's Messenger and WhatsApp channels the way Meta does.
#![allow(dead_code)]

use crate::common::Desk;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use frontdesk::domain::Id;
use frontdesk::server::signature::sign;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const APP_SECRET: &str = "app-secret-from-meta";
pub const VERIFY_TOKEN: &str = "verify-me-please";
pub const ACCESS_TOKEN: &str = "EAAG-page-token";

/// A request the peer received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
    /// The message id the peer answered with, when it accepted a send.
    pub answered: Option<String>,
}

/// How the peer answers message sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Accept,
    /// 500 with a Graph error.
    Down,
    /// 400 with this Graph error message and code.
    Refuse(String, i64),
}

/// A file uploaded to the peer's media endpoints.
#[derive(Debug, Clone)]
pub struct Upload {
    /// `/v19.0/{account}/media` (WhatsApp) or `/v19.0/{account}/message_attachments`.
    pub path: String,
    /// The id the peer answered for it.
    pub id: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
    /// The other form fields, by name.
    pub fields: HashMap<String, String>,
}

#[derive(Clone)]
struct Peer {
    uploads: Arc<Mutex<Vec<Upload>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<Mutex<Answer>>,
    root: String,
}

/// The fake Graph API; its `base_url` goes into a channel's settings.
pub struct FakeGraph {
    pub base_url: String,
    peer: Peer,
}

impl FakeGraph {
    pub async fn start() -> FakeGraph {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let root = format!("http://{}", listener.local_addr().unwrap());
        let peer = Peer {
            uploads: Arc::default(),
            seen: Arc::default(),
            answer: Arc::new(Mutex::new(Answer::Accept)),
            root: root.clone(),
        };
        let app = Router::new()
            .route("/v19.0/{account}/messages", post(send))
            .route("/v19.0/{account}/media", post(upload))
            .route("/v19.0/{account}/message_attachments", post(upload))
            .route(
                "/v19.0/me/messenger_profile",
                post(profile_settings).delete(profile_settings),
            )
            .route("/v19.0/{media}", get(media_info))
            .route("/media/{name}", get(media_bytes))
            .route("/cdn/{name}", get(media_bytes))
            .with_state(peer.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeGraph {
            base_url: format!("{root}/v19.0"),
            peer,
        }
    }

    /// A public file URL on the peer, like Messenger's CDN links.
    pub fn cdn(&self, name: &str) -> String {
        format!("{}/cdn/{name}", self.peer.root)
    }

    pub fn answer(&self, a: Answer) {
        *self.peer.answer.lock().unwrap() = a;
    }

    /// The files uploaded so far.
    pub fn uploads(&self) -> Vec<Upload> {
        self.peer.uploads.lock().unwrap().clone()
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.peer.seen.lock().unwrap().clone()
    }

    /// The message sends so far.
    pub fn sends(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == "POST" && s.path.ends_with("/messages"))
            .collect()
    }
}

/// Records a request; answers how many the peer has seen, this one included.
fn remember(peer: &Peer, method: &str, path: String, headers: &HeaderMap, body: Value) -> usize {
    let mut seen = peer.seen.lock().unwrap();
    seen.push(Seen {
        method: method.into(),
        path,
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
        answered: None,
    });
    seen.len()
}

async fn send(
    State(peer): State<Peer>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let n = remember(
        &peer,
        "POST",
        format!("/v19.0/{account}/messages"),
        &headers,
        body.clone(),
    );
    let answered = |id: String| {
        peer.seen.lock().unwrap()[n - 1].answered = Some(id.clone());
        id
    };
    match peer.answer.lock().unwrap().clone() {
        Answer::Down => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"error": {"message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2}})),
        )
            .into_response(),
        Answer::Refuse(message, code) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "trace"}})),
        )
            .into_response(),
        Answer::Accept if body["messaging_product"] == "whatsapp" => axum::Json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": answered(format!("wamid.out{n}"))}]
        }))
        .into_response(),
        Answer::Accept => axum::Json(json!({
            "recipient_id": body["recipient"]["id"],
            "message_id": answered(format!("m_out{n}"))
        }))
        .into_response(),
    }
}

/// The media upload APIs: a multipart form with one file (`file` for WhatsApp, `filedata`
/// for Messenger); answers `{"id"}` or `{"attachment_id"}`.
async fn upload(
    State(peer): State<Peer>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    mut form: axum::extract::Multipart,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {ACCESS_TOKEN}"))
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let path = uri.path().to_string();
    let mut upload = Upload {
        path: path.clone(),
        id: String::new(),
        file_name: None,
        content_type: None,
        bytes: Vec::new(),
        fields: HashMap::new(),
    };
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" || name == "filedata" {
            upload.file_name = field.file_name().map(str::to_string);
            upload.content_type = field.content_type().map(str::to_string);
            upload.bytes = field.bytes().await.unwrap().to_vec();
        } else {
            upload.fields.insert(name, field.text().await.unwrap());
        }
    }
    let n = remember(&peer, "POST", path.clone(), &headers, Value::Null);
    upload.id = format!("media{n}");
    let answer = if path.ends_with("/media") {
        json!({"id": upload.id})
    } else {
        json!({"attachment_id": upload.id})
    };
    peer.uploads.lock().unwrap().push(upload);
    axum::Json(answer).into_response()
}

/// The Messenger Profile API: welcome screen settings.
async fn profile_settings(
    State(peer): State<Peer>,
    method: axum::http::Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    remember(
        &peer,
        method.as_str(),
        "/v19.0/me/messenger_profile".into(),
        &headers,
        body,
    );
    axum::Json(json!({"result": "success"})).into_response()
}

/// A media id (WhatsApp) or, with `?fields=`, a Messenger user profile.
async fn media_info(
    State(peer): State<Peer>,
    Path(media): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    remember(
        &peer,
        "GET",
        format!("/v19.0/{media}"),
        &headers,
        Value::Null,
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {ACCESS_TOKEN}"))
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if query.contains_key("fields") {
        return axum::Json(
            json!({"first_name": "Maria", "last_name": format!("Rossi-{media}"), "id": media}),
        )
        .into_response();
    }
    axum::Json(json!({
        "url": format!("{}/media/{media}", peer.root),
        "mime_type": "image/jpeg",
        "id": media,
        "messaging_product": "whatsapp"
    }))
    .into_response()
}

/// The bytes of a file named `name`.
pub fn file_bytes(name: &str) -> Vec<u8> {
    format!("bytes of {name}").into_bytes()
}

async fn media_bytes(
    State(peer): State<Peer>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    remember(
        &peer,
        "GET",
        format!("/media/{name}"),
        &headers,
        Value::Null,
    );
    ([("content-type", "image/jpeg")], file_bytes(&name)).into_response()
}

/// Creates a `kind` channel (`messenger` or `whatsapp`) with settings pointing at `graph`;
/// `extra` settings (greeting, consent...) are merged in. Returns the channel id.
pub async fn channel(
    desk: &Desk,
    kind: &str,
    account: &str,
    graph: &FakeGraph,
    extra: Value,
) -> Id {
    let admin = desk.api(&desk.admin);
    let (status, created) = admin
        .post(
            "/channels",
            json!({"kind": kind, "name": format!("Acme on {kind}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let id_field = if kind == "messenger" {
        "page_id"
    } else {
        "phone_number_id"
    };
    let mut settings = json!({
        "verify_token": VERIFY_TOKEN,
        "app_secret": APP_SECRET,
        "access_token": ACCESS_TOKEN,
        "base_url": graph.base_url,
    });
    settings[id_field] = json!(account);
    for (k, v) in extra.as_object().unwrap() {
        settings[k] = v.clone();
    }
    let (status, body) = put(
        desk,
        &format!("/channels/{id}/graph"),
        &desk.admin,
        settings,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

/// `PUT` on the API as `token`.
pub async fn put(desk: &Desk, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .put(format!("{}/api/v1{path}", desk.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Posts `body` to the channel's webhook signed with the app secret, as Meta does.
pub async fn hook(desk: &Desk, kind: &str, channel: Id, body: &Value) -> (StatusCode, Value) {
    let raw = serde_json::to_vec(body).unwrap();
    let sig = sign(APP_SECRET, &raw);
    hook_raw(desk, kind, channel, Some(&sig), raw).await
}

/// Posts raw bytes to the channel's webhook with an optional `X-Hub-Signature-256`.
pub async fn hook_raw(
    desk: &Desk,
    kind: &str,
    channel: Id,
    signature: Option<&str>,
    raw: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/hooks/{kind}/{channel}", desk.url))
        .header("content-type", "application/json")
        .body(raw);
    if let Some(sig) = signature {
        req = req.header("x-hub-signature-256", sig);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The verification handshake with `token`; answers the status and the body text.
pub async fn handshake(desk: &Desk, kind: &str, channel: Id, token: &str) -> (StatusCode, String) {
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/hooks/{kind}/{channel}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444",
            desk.url
        ))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.text().await.unwrap())
}

/// The only conversation of `channel`.
pub async fn conversation_of(desk: &Desk, channel: Id) -> Value {
    let api = desk.api(&desk.agent);
    let ids = api.ids(&format!("channel={channel}")).await;
    assert_eq!(ids.len(), 1, "one conversation on channel {channel}");
    api.ok(&format!("/conversations/{}", ids[0])).await
}

/// Waits until the desk's delivery queue has sent message `message_id` of `conversation_id`
/// to the peer; answers the request the peer took for it and the id the peer gave it.
pub async fn sent(
    desk: &Desk,
    graph: &FakeGraph,
    conversation_id: Id,
    message_id: Id,
) -> (Seen, String) {
    let message = desk
        .api(&desk.agent)
        .message_until(conversation_id, message_id, |m| {
            matches!(
                m["delivery"]["status"].as_str(),
                Some("sent" | "delivered" | "read")
            )
        })
        .await;
    let text = serde_json::to_string(&message["body"]).unwrap();
    let text = &text[1..text.len() - 1];
    let mut matching: Vec<(Seen, String)> = graph
        .sends()
        .into_iter()
        .filter(|s| s.body.to_string().contains(text))
        .filter_map(|s| s.answered.clone().map(|id| (s, id)))
        .collect();
    assert_eq!(matching.len(), 1, "one accepted send carries {text}");
    matching.pop().unwrap()
}

/// Posts a reply (or a note) as the agent; answers the status and body.
pub async fn reply(
    desk: &Desk,
    conversation_id: Id,
    body: &str,
    internal: bool,
) -> (StatusCode, Value) {
    desk.api(&desk.agent)
        .post(
            &format!("/conversations/{conversation_id}/messages"),
            json!({"body": body, "internal": internal, "client_id": format!("{body}-{internal}")}),
        )
        .await
}

/// Milliseconds since the epoch, `hours` ago.
pub fn hours_ago(hours: i64) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    now - hours * 3_600_000
}
