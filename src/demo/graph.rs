//! A stand-in for Meta's Graph API: the Send API and the Cloud API take every message and
//! answer an id for it (kept for the customer's receipts), the media upload APIs take the
//! files of agents' replies, and the User Profile API names the demo's Messenger customers.

use super::Inbox;
use super::customers::messenger_customer;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::TcpListener;

#[derive(Clone)]
struct Graph {
    inbox: Inbox,
    sent: Arc<AtomicU64>,
}

/// Serves the Graph API under `/v19.0` on `listener` until the task is stopped.
pub async fn serve(listener: TcpListener, inbox: Inbox) {
    let app = Router::new()
        .route("/v19.0/{account}/messages", post(send))
        .route("/v19.0/{account}/media", post(upload))
        .route("/v19.0/{account}/message_attachments", post(upload))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD))
        .route("/v19.0/{user}", get(profile))
        .with_state(Graph {
            inbox,
            sent: Arc::default(),
        });
    if let Err(error) = axum::serve(listener, app).await {
        tracing::warn!(%error, "the demo's Graph stand-in stopped");
    }
}

/// Largest file the stand-in takes: a reply's files together.
const MAX_UPLOAD: usize = 26 * 1024 * 1024;

/// A media upload (WhatsApp `/media`, Messenger `/message_attachments`): the bytes are
/// dropped and an id answered, which the following send names.
async fn upload(
    State(graph): State<Graph>,
    uri: axum::http::Uri,
    _file: axum::body::Bytes,
) -> axum::Json<Value> {
    let n = graph.sent.fetch_add(1, Ordering::Relaxed) + 1;
    let id = format!("media.demo{n}");
    if uri.path().ends_with("/media") {
        axum::Json(json!({"id": id}))
    } else {
        axum::Json(json!({"attachment_id": id}))
    }
}

/// A message send: WhatsApp's answer names a `wamid`, Messenger's a `mid`.
async fn send(
    State(graph): State<Graph>,
    axum::Json(body): axum::Json<Value>,
) -> axum::Json<Value> {
    let n = graph.sent.fetch_add(1, Ordering::Relaxed) + 1;
    if body["messaging_product"] == "whatsapp" {
        let to = body["to"].as_str().unwrap_or_default();
        let id = format!("wamid.demo{n}");
        graph.inbox.put(to, id.clone());
        axum::Json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": id}]
        }))
    } else {
        let to = body["recipient"]["id"].as_str().unwrap_or_default();
        let id = format!("m_demo{n}");
        graph.inbox.put(to, id.clone());
        axum::Json(json!({"recipient_id": to, "message_id": id}))
    }
}

/// A Messenger user's name, for a customer the desk has not met.
async fn profile(Path(user): Path<String>) -> axum::Json<Value> {
    let name = messenger_customer(&user).unwrap_or("Messenger customer");
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    axum::Json(json!({"id": user, "first_name": first, "last_name": last}))
}
