//! API tokens and the extractors that turn a bearer token into an agent.
//!
//! A token is 256 random bits; only its SHA-256 is stored, so a leaked database leaks no
//! usable token. Lookups are by hash.

use super::AppState;
use super::error::ApiError;
use crate::domain::{Agent, Role};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Prefix that makes a frontdesk token recognisable (in logs, secret scanners).
const TOKEN_PREFIX: &str = "fdk_";

/// A fresh token and the hash to store for it.
pub fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_token(&token);
    (token, hash)
}

/// A fresh random secret for signing webhooks, as 64 hex digits.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The agent behind the request's bearer token.
pub struct Authed(pub Agent);

/// An agent with the admin role.
pub struct Admin(pub Agent);

/// The stored form of the request's token, for re-checking it later (an open event stream).
pub struct TokenHash(pub [u8; 32]);

fn bearer(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string());
    }
    // Browsers cannot set headers on a websocket: the event stream also takes `?token=`.
    if parts.uri.path().ends_with("/events") {
        let query = parts.uri.query()?;
        return query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "token")
            .map(|(_, v)| v.to_string());
    }
    None
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(|| {
            ApiError::unauthorized("an API token is required: Authorization: Bearer TOKEN")
        })?;
        state
            .store
            .agent_for_token(hash_token(&token))
            .await?
            .map(Authed)
            .ok_or_else(|| ApiError::unauthorized("the API token is not valid"))
    }
}

impl FromRequestParts<AppState> for TokenHash {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        bearer(parts)
            .map(|token| TokenHash(hash_token(&token)))
            .ok_or_else(|| {
                ApiError::unauthorized("an API token is required: Authorization: Bearer TOKEN")
            })
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Authed(agent) = Authed::from_request_parts(parts, state).await?;
        if agent.role == Role::Admin {
            Ok(Admin(agent))
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this needs an admin token",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_to_what_is_stored() {
        let (a, ha) = new_token();
        let (b, hb) = new_token();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        assert_eq!(hash_token(&a), ha);
    }
}
