//! The customer portal: web pages where customers sign up, sign in, and see, answer and open
//! their tickets, served at `/portal/{slug}/...` by the same server as the API; and the admin
//! API (`/api/v1/portals`) that sets portals up.
//!
//! Pages are server-rendered HTML that needs no JavaScript. Every POST carries a CSRF token;
//! sessions are random tokens kept hashed; customer messages enter the desk through the same
//! `ingest` as every channel, on the portal's default channel, so agents see them live.

mod accounts;
pub mod admin;
mod admin_api;
mod context;
mod html;
pub mod i18n;
mod limits;
pub mod mail;
pub mod notify;
mod security;
mod tickets;
mod uploads;

use super::passwords::Hasher;
use super::{AppState, ServerConfig};
use crate::domain::AttachmentKind;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use std::net::SocketAddr;

/// Largest file a customer may attach, in bytes.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Largest total of the files of one form, in bytes.
pub const MAX_TOTAL_BYTES: usize = 25 * 1024 * 1024;

/// What the portal keeps while the server runs: its mailer, public address and limits.
pub struct Runtime {
    pub mailer: mail::Mailer,
    /// Where customers reach the server, without a trailing slash.
    pub public_url: String,
    /// Whether cookies carry `Secure` (the public address is https).
    pub secure_cookies: bool,
    /// Whether the client address comes from `X-Forwarded-For`.
    pub trust_proxy: bool,
    limits: limits::Limits,
    /// Every password hash of the portal runs here.
    hasher: Hasher,
    /// Signs the anti-forgery tokens of signed-out forms; new at every start.
    csrf_key: [u8; 32],
}

impl Runtime {
    /// The portal runtime of a server listening on `addr`.
    pub fn new(config: &ServerConfig, addr: SocketAddr) -> anyhow::Result<Runtime> {
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_string();
        Ok(Runtime {
            mailer: mail::Mailer::new(config.smtp_relay.as_deref(), &config.mail_from)?,
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            trust_proxy: config.trust_proxy,
            limits: limits::Limits::default(),
            hasher: Hasher::per_core()?,
            csrf_key: security::random_key(),
        })
    }
}

/// The kind of attachment a MIME type makes.
pub fn attachment_kind(mime: Option<&str>) -> AttachmentKind {
    match mime.and_then(|m| m.split('/').next()) {
        Some("image") => AttachmentKind::Image,
        Some("audio") => AttachmentKind::Audio,
        Some("video") => AttachmentKind::Video,
        _ => AttachmentKind::File,
    }
}

/// The customer-facing pages.
pub fn routes() -> Router<AppState> {
    // Multipart forms carry files: their own body limit, above the files' own limits.
    let uploads = || DefaultBodyLimit::max(MAX_TOTAL_BYTES + 1024 * 1024);
    Router::new()
        .route("/portal/{slug}", get(accounts::home))
        .route("/portal/{slug}/", get(accounts::home))
        .route("/portal/{slug}/style.css", get(html::stylesheet))
        .route(
            "/portal/{slug}/signin",
            get(accounts::signin_page).post(accounts::signin),
        )
        .route("/portal/{slug}/signout", post(accounts::signout))
        .route(
            "/portal/{slug}/signup",
            get(accounts::signup_page).post(accounts::signup),
        )
        .route(
            "/portal/{slug}/reset",
            get(accounts::reset_page).post(accounts::reset),
        )
        .route(
            "/portal/{slug}/password",
            get(accounts::password_page).post(accounts::set_password),
        )
        .route("/portal/{slug}/tickets", get(tickets::list))
        .route(
            "/portal/{slug}/tickets/new",
            get(tickets::new_page)
                .post(tickets::create)
                .layer(uploads()),
        )
        .route("/portal/{slug}/tickets/{id}", get(tickets::show))
        .route(
            "/portal/{slug}/tickets/{id}/reply",
            post(tickets::reply).layer(uploads()),
        )
        .route(
            "/portal/{slug}/tickets/{id}/files/{message}/{index}",
            get(tickets::download),
        )
        .layer(middleware::map_response(security::headers))
}

/// The admin API, nested under `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/portals", get(admin_api::list).post(admin_api::create))
        .route("/portals/{id}", get(admin_api::get).patch(admin_api::patch))
        .route("/portals/{id}/invitations", post(admin_api::invite))
}
