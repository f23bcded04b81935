//! Facebook Messenger and WhatsApp: both speak Meta's Graph API, so one module serves both.
//!
//! - `webhook`: the public `/hooks/messenger/{id}` and `/hooks/whatsapp/{id}` (handshake,
//!   signed events), parsed by `messenger` and `whatsapp`, written by `record`;
//! - `transport::deliver`: replies out through the Send API / Cloud API;
//! - `window`: the 24-hour and 7-day windows, enforced when an agent replies;
//! - `settings` and `admin`: credentials, greeting, instant reply and consent per channel;
//!   `welcome` puts a Messenger greeting on the page's welcome screen.

mod admin;
pub mod events;
mod media;
pub mod messenger;
mod profile;
pub mod record;
pub mod settings;
pub mod transport;
pub mod webhook;
mod welcome;
pub mod whatsapp;
pub mod window;

pub use transport::deliver;

use crate::domain::{ChannelKind, Id};
use crate::server::AppState;
use axum::Router;
use axum::routing::get;
use std::sync::OnceLock;

/// The two Graph platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Messenger,
    Whatsapp,
}

impl Platform {
    /// The platform of a channel kind, if it is one.
    pub fn of(kind: ChannelKind) -> Option<Platform> {
        match kind {
            ChannelKind::Messenger => Some(Platform::Messenger),
            ChannelKind::Whatsapp => Some(Platform::Whatsapp),
            _ => None,
        }
    }

    /// The channel kind of the platform.
    pub fn kind(self) -> ChannelKind {
        match self {
            Platform::Messenger => ChannelKind::Messenger,
            Platform::Whatsapp => ChannelKind::Whatsapp,
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Messenger => "Messenger",
            Platform::Whatsapp => "WhatsApp",
        }
    }

    /// The path of the webhook of channel `id`.
    pub fn webhook_path(self, id: Id) -> String {
        format!("/hooks/{}/{id}", self.kind().as_str())
    }

    /// The longest text message the platform takes.
    pub fn max_text_chars(self) -> usize {
        match self {
            Platform::Messenger => 2000,
            Platform::Whatsapp => 4096,
        }
    }
}

/// One HTTP client for Graph calls made while answering a request (files, profiles); it
/// reaches private addresses only when `allow_private` (`--allow-private-targets`).
fn http(allow_private: bool) -> &'static reqwest::Client {
    static PUBLIC: OnceLock<reqwest::Client> = OnceLock::new();
    static ANY: OnceLock<reqwest::Client> = OnceLock::new();
    let build = move || {
        crate::server::targets::client_builder(allow_private)
            .build()
            .unwrap_or_default()
    };
    if allow_private {
        ANY.get_or_init(build)
    } else {
        PUBLIC.get_or_init(build)
    }
}

/// Routes under `/api/v1`: the admin settings and the agents' window view.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/channels/{id}/graph", get(admin::get).put(admin::put))
        .route(
            "/conversations/{id}/window",
            get(admin::conversation_window),
        )
}

/// The public webhooks Meta calls.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/hooks/messenger/{id}",
            get(webhook::messenger_handshake).post(webhook::messenger_receive),
        )
        .route(
            "/hooks/whatsapp/{id}",
            get(webhook::whatsapp_handshake).post(webhook::whatsapp_receive),
        )
}
