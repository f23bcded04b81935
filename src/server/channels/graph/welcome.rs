//! A Messenger page's welcome screen: the greeting people see before they write, set with
//! the Messenger Profile API (`{base_url}/me/messenger_profile`).

use super::settings::GraphSettings;
use serde_json::json;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Shows `settings.greeting` on the page's welcome screen, or removes it when empty.
pub async fn sync_greeting(http: &reqwest::Client, settings: &GraphSettings) -> Result<(), String> {
    let url = format!("{}/me/messenger_profile", settings.base_url);
    let req = if settings.greeting.is_empty() {
        http.delete(&url).json(&json!({"fields": ["greeting"]}))
    } else {
        http.post(&url).json(&json!({
            "greeting": [{"locale": "default", "text": settings.greeting}]
        }))
    };
    let resp = req
        .bearer_auth(&settings.access_token)
        .timeout(TIMEOUT)
        .send()
        .await
        .map_err(|e| format!("the Graph API did not answer: {e}"))?;
    if resp.status().is_success() {
        return Ok(());
    }
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    Err(body["error"]["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("the Graph API answered {status}")))
}
