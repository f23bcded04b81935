//! Setting portals up: the work behind both the admin API and `frontdesk portal ...`.

use super::accounts::{INVITE_LINK, later};
use super::i18n::fill;
use super::mail::Mailer;
use super::security::random_token;
use crate::api::portal::{Invitation, NewPortal, Portal, PortalPatch};
use crate::server::auth::hash_token;
use crate::server::store::{Store, StoreError};
use std::path::Path;

/// Invites `email` to a portal: stores a single-use link (creating the contact if no
/// contact has the address) and mails it in the portal's language when a relay is given.
pub async fn invite(
    store: &Store,
    mailer: &Mailer,
    public_url: &str,
    portal: &Portal,
    email: &str,
    name: Option<String>,
) -> Result<Invitation, StoreError> {
    let email = email.trim().to_string();
    if email.len() > 320 || !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(StoreError::Invalid("email is not an e-mail address".into()));
    }
    let token = random_token();
    let expires_at = later(INVITE_LINK);
    let contact_id = store
        .invite_customer(
            portal.id,
            email.clone(),
            name,
            hash_token(&token),
            expires_at,
        )
        .await?;
    let url = format!(
        "{}/portal/{}/password?token={token}",
        public_url.trim_end_matches('/'),
        portal.slug
    );
    let lang = portal.language;
    let mailed = mailer
        .send(
            &email,
            &fill(lang, "mail_invite_subject", &[("portal", &portal.name)]),
            fill(
                lang,
                "mail_invite_body",
                &[("portal", &portal.name), ("link", &url)],
            ),
        )
        .await;
    Ok(Invitation {
        portal_id: portal.id,
        email,
        contact_id,
        expires_at,
        url,
        mailed,
    })
}

async fn with_store<T>(
    data_dir: &Path,
    f: impl AsyncFnOnce(&Store) -> Result<T, StoreError>,
) -> anyhow::Result<T> {
    let store = Store::open(data_dir, 16)?;
    let result = f(&store).await;
    tokio::task::spawn_blocking(move || store.close()).await?;
    Ok(result?)
}

async fn find(store: &Store, key: &str) -> Result<Portal, StoreError> {
    store
        .find_portal(key)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("portal {key:?}")))
}

/// Creates a portal in the desk at `data_dir`.
pub async fn add(data_dir: &Path, new: NewPortal) -> anyhow::Result<Portal> {
    with_store(data_dir, async |s| s.create_portal(new).await).await
}

/// Changes a portal named by slug or id.
pub async fn edit(data_dir: &Path, key: &str, patch: PortalPatch) -> anyhow::Result<Portal> {
    with_store(data_dir, async |s| {
        let portal = find(s, key).await?;
        s.patch_portal(portal.id, patch).await
    })
    .await
}

/// Every portal of the desk.
pub async fn list(data_dir: &Path) -> anyhow::Result<Vec<Portal>> {
    with_store(data_dir, async |s| s.portals().await).await
}

/// Invites `email` to the portal named by slug or id; mails it through `relay` when given.
pub async fn invite_cli(
    data_dir: &Path,
    key: &str,
    email: &str,
    name: Option<String>,
    mail: (Option<&str>, &str),
    public_url: &str,
) -> anyhow::Result<Invitation> {
    let mailer = Mailer::new(mail.0, mail.1)?;
    with_store(data_dir, async |s| {
        let portal = find(s, key).await?;
        invite(s, &mailer, public_url, &portal, email, name).await
    })
    .await
}
