//! `/api/v1/forms`: admins define forms; every agent may read them.

use super::definition::{Form, FormDefinition};
use super::records;
use crate::domain::Id;
use crate::server::AppState;
use crate::server::auth::{Admin, Authed};
use crate::server::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    channel_id: Option<Id>,
}

fn checked(definition: FormDefinition) -> Result<FormDefinition, ApiError> {
    definition
        .validate()
        .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m))?;
    Ok(definition)
}

pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(definition): ApiJson<FormDefinition>,
) -> Result<(StatusCode, Json<Form>), ApiError> {
    let form = records::create(&state.store, checked(definition)?).await?;
    Ok((StatusCode::CREATED, Json(form)))
}

pub async fn list(
    State(state): State<AppState>,
    _: Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Form>>, ApiError> {
    Ok(Json(records::list(&state.store, q.channel_id).await?))
}

pub async fn get(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Form>, ApiError> {
    Ok(Json(records::get(&state.store, id).await?))
}

pub async fn replace(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(definition): ApiJson<FormDefinition>,
) -> Result<Json<Form>, ApiError> {
    Ok(Json(
        records::replace(&state.store, id, checked(definition)?).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<StatusCode, ApiError> {
    records::delete(&state.store, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
