//! `GET /api/v1/files/{hash}`: attachment bytes the desk keeps, for agents.

use crate::server::AppState;
use crate::server::auth::Authed;
use crate::server::error::ApiError;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn get(
    State(state): State<AppState>,
    _: Authed,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = state.files.get(&hash).await.map_err(|e| {
        tracing::error!(error = %e, "cannot read a stored file");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the file could not be read",
        )
    })?;
    let bytes =
        bytes.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such file"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CONTENT_DISPOSITION, "attachment"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response())
}
