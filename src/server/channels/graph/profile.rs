//! Messenger customers' names: a webhook carries only the page-scoped id, so a new
//! customer's name is asked from the User Profile API (`GET {base_url}/{psid}`).

use super::settings::GraphSettings;
use crate::domain::Id;
use crate::server::store::{Store, StoreError};
use rusqlite::OptionalExtension;
use serde::Deserialize;
use std::time::Duration;

/// How long the profile lookup may take; the message is stored without a name after that.
const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
struct Profile {
    first_name: Option<String>,
    last_name: Option<String>,
}

/// Whether the desk already knows the customer `external_id` on `channel_id`.
pub async fn known(store: &Store, channel_id: Id, external_id: String) -> Result<bool, StoreError> {
    store
        .read(move |c| {
            Ok(c.prepare_cached(
                "SELECT 1 FROM contact_identities WHERE channel_id = ?1 AND external_id = ?2",
            )?
            .query_row((channel_id, &external_id), |_| Ok(()))
            .optional()?
            .is_some())
        })
        .await
}

/// The customer's name as Messenger shows it, when the profile API answers.
pub async fn name(http: &reqwest::Client, settings: &GraphSettings, psid: &str) -> Option<String> {
    let url = format!("{}/{psid}?fields=first_name,last_name", settings.base_url);
    let result = async {
        http.get(&url)
            .bearer_auth(&settings.access_token)
            .timeout(TIMEOUT)
            .send()
            .await?
            .error_for_status()?
            .json::<Profile>()
            .await
    }
    .await;
    match result {
        Ok(p) => {
            let name = [p.first_name, p.last_name]
                .into_iter()
                .flatten()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            (!name.is_empty() && name.chars().count() <= 200).then_some(name)
        }
        Err(error) => {
            tracing::warn!(%error, "cannot read a Messenger customer's profile");
            None
        }
    }
}
