//! The custom channels' integration: takes each reply webhook whose signature holds and whose
//! timestamp is fresh, and answers `200` with its own id for the reply; anything else gets
//! `401`.

use crate::domain::{Id, Timestamp};
use crate::server::channels::custom::webhook::{IDEMPOTENCY_HEADER, TIMESTAMP_HEADER};
use crate::server::signature::{SIGNATURE_HEADER, verify};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::net::TcpListener;

/// How far a webhook's timestamp may be from the clock, as integrators are told to check.
const TOLERANCE_SECS: i64 = 300;

/// Channel secrets, by channel id.
type Secrets = Arc<HashMap<Id, String>>;

/// Serves `POST /custom/{channel_id}` on `listener` until the task is stopped.
pub async fn serve(listener: TcpListener, secrets: Secrets) {
    let app = Router::new()
        .route("/custom/{channel}", post(receive))
        .with_state(secrets);
    if let Err(error) = axum::serve(listener, app).await {
        tracing::warn!(%error, "the demo's webhook receiver stopped");
    }
}

async fn receive(
    State(secrets): State<Secrets>,
    Path(channel): Path<Id>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(secret), Some(timestamp), Some(signature)) = (
        secrets.get(&channel),
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
    ) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (Timestamp::now().millis() / 1000 - t).abs() <= TOLERANCE_SECS);
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(&body);
    if !fresh || !verify(secret, &signed, signature) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let id = header(IDEMPOTENCY_HEADER).unwrap_or_default();
    axum::Json(serde_json::json!({"external_id": format!("demo-{id}")})).into_response()
}
