//! The Graph API settings of a Messenger or WhatsApp channel: credentials, the automatic
//! messages, and consent. Admins set them with `PUT /api/v1/channels/{id}/graph`; secrets are
//! never shown back, and agents never see any of it.

use super::Platform;
use crate::api::EventKind;
use crate::domain::{Id, Timestamp};
use crate::server::store::{Store, StoreError};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// Where replies go unless a channel says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com/v19.0";

/// Longest consent text: WhatsApp's limit for the body of a message with buttons.
const MAX_CONSENT_CHARS: usize = 1024;

/// Longest greeting Messenger shows on a page's welcome screen.
const MAX_MESSENGER_GREETING_CHARS: usize = 160;

/// How a channel asks customers for consent to process their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMode {
    /// No consent text.
    Off,
    /// The consent text is sent as information; writing to us is consent.
    Implicit,
    /// The consent text is sent with an "I agree" button; the answer is recorded.
    Explicit,
}

impl ConsentMode {
    fn as_str(self) -> &'static str {
        match self {
            ConsentMode::Off => "off",
            ConsentMode::Implicit => "implicit",
            ConsentMode::Explicit => "explicit",
        }
    }

    fn parse(s: &str) -> ConsentMode {
        match s {
            "implicit" => ConsentMode::Implicit,
            "explicit" => ConsentMode::Explicit,
            _ => ConsentMode::Off,
        }
    }
}

/// A channel's stored settings, secrets included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphSettings {
    pub channel_id: Id,
    pub verify_token: String,
    pub app_secret: String,
    /// The page id (Messenger) or phone number id (WhatsApp).
    pub account_id: String,
    pub access_token: String,
    /// The Graph API root, e.g. `https://graph.facebook.com/v19.0`, without a trailing slash.
    pub base_url: String,
    pub greeting: String,
    pub instant_reply: String,
    pub consent_mode: ConsentMode,
    pub consent_text: String,
    pub updated_at: Timestamp,
}

/// `PUT /api/v1/channels/{id}/graph`. Secrets left out keep their stored value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphSettingsInput {
    #[serde(default)]
    pub verify_token: Option<String>,
    #[serde(default)]
    pub app_secret: Option<String>,
    /// Messenger channels only.
    #[serde(default)]
    pub page_id: Option<String>,
    /// WhatsApp channels only.
    #[serde(default)]
    pub phone_number_id: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub greeting: Option<String>,
    #[serde(default)]
    pub instant_reply: Option<String>,
    #[serde(default)]
    pub consent_mode: Option<ConsentMode>,
    #[serde(default)]
    pub consent_text: Option<String>,
}

/// The settings as an admin sees them: secrets only as "set or not".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraphSettingsView {
    pub channel_id: Id,
    /// `messenger` or `whatsapp`.
    pub kind: String,
    /// The path of the webhook to give Meta, under this server's public URL.
    pub webhook_path: String,
    /// Meta echoes it in the verification handshake; it is not a signing secret.
    pub verify_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    pub base_url: String,
    pub app_secret_set: bool,
    pub access_token_set: bool,
    pub greeting: String,
    pub instant_reply: String,
    pub consent_mode: ConsentMode,
    pub consent_text: String,
    pub updated_at: Timestamp,
    /// Messenger only, after a `PUT` that changed the greeting: whether the page's welcome
    /// screen now shows it, or why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting_sync: Option<String>,
}

impl GraphSettings {
    /// What an admin is shown.
    pub fn view(&self, platform: Platform) -> GraphSettingsView {
        let (page_id, phone_number_id) = match platform {
            Platform::Messenger => (Some(self.account_id.clone()), None),
            Platform::Whatsapp => (None, Some(self.account_id.clone())),
        };
        GraphSettingsView {
            channel_id: self.channel_id,
            kind: platform.kind().as_str().to_string(),
            webhook_path: platform.webhook_path(self.channel_id),
            verify_token: self.verify_token.clone(),
            page_id,
            phone_number_id,
            base_url: self.base_url.clone(),
            app_secret_set: !self.app_secret.is_empty(),
            access_token_set: !self.access_token.is_empty(),
            greeting: self.greeting.clone(),
            instant_reply: self.instant_reply.clone(),
            consent_mode: self.consent_mode,
            consent_text: self.consent_text.clone(),
            updated_at: self.updated_at,
            greeting_sync: None,
        }
    }
}

/// The stored settings of `channel_id`, if it has any.
pub fn load(conn: &Connection, channel_id: Id) -> Result<Option<GraphSettings>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT verify_token, app_secret, account_id, access_token, base_url, greeting, \
             instant_reply, consent_mode, consent_text, updated_at \
             FROM graph_channels WHERE channel_id = ?1",
        )?
        .query_row([channel_id], |r| {
            Ok(GraphSettings {
                channel_id,
                verify_token: r.get(0)?,
                app_secret: r.get(1)?,
                account_id: r.get(2)?,
                access_token: r.get(3)?,
                base_url: r.get(4)?,
                greeting: r.get(5)?,
                instant_reply: r.get(6)?,
                consent_mode: ConsentMode::parse(&r.get::<_, String>(7)?),
                consent_text: r.get(8)?,
                updated_at: Timestamp(r.get(9)?),
            })
        })
        .optional()?)
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

/// A required text field: the new value, else the stored one; 1 to `max` bytes, no
/// surrounding blanks.
fn required(
    name: &str,
    new: Option<String>,
    old: Option<&str>,
    max: usize,
) -> Result<String, StoreError> {
    let value = match new {
        Some(v) => v.trim().to_string(),
        None => old
            .map(str::to_string)
            .ok_or_else(|| invalid(format!("{name} is required")))?,
    };
    if value.is_empty() || value.len() > max {
        return Err(invalid(format!("{name} must be 1 to {max} bytes")));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{name} must not contain control characters"
        )));
    }
    Ok(value)
}

/// An optional message text: at most the platform's limit.
fn text(
    name: &str,
    new: Option<String>,
    old: Option<&str>,
    max_chars: usize,
) -> Result<String, StoreError> {
    let value = new
        .map(|v| v.trim().to_string())
        .or_else(|| old.map(str::to_string))
        .unwrap_or_default();
    if value.chars().count() > max_chars {
        return Err(invalid(format!(
            "{name} is longer than the {max_chars} characters a message may hold"
        )));
    }
    Ok(value)
}

/// Checks `input` against the stored settings and merges them.
fn merge(
    platform: Platform,
    channel_id: Id,
    input: GraphSettingsInput,
    old: Option<&GraphSettings>,
    now: Timestamp,
) -> Result<GraphSettings, StoreError> {
    let (id_field, id_value, other_field, other) = match platform {
        Platform::Messenger => (
            "page_id",
            input.page_id,
            "phone_number_id",
            input.phone_number_id,
        ),
        Platform::Whatsapp => (
            "phone_number_id",
            input.phone_number_id,
            "page_id",
            input.page_id,
        ),
    };
    if other.is_some() {
        return Err(invalid(format!(
            "{other_field} is not a setting of {} channels; use {id_field}",
            platform.name()
        )));
    }
    let account_id = required(id_field, id_value, old.map(|o| o.account_id.as_str()), 64)?;
    if !account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "{id_field} must be the numeric id Meta shows for it"
        )));
    }
    let base_url = match input.base_url {
        Some(url) => url.trim().trim_end_matches('/').to_string(),
        None => old
            .map(|o| o.base_url.clone())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
    };
    if !(base_url.starts_with("http://") || base_url.starts_with("https://"))
        || base_url.len() > 512
        || base_url.contains(['?', '#', ' '])
    {
        return Err(invalid(
            "base_url must be an http:// or https:// URL without query, e.g. https://graph.facebook.com/v19.0",
        ));
    }
    let max = platform.max_text_chars();
    let consent_mode = input
        .consent_mode
        .or(old.map(|o| o.consent_mode))
        .unwrap_or(ConsentMode::Off);
    let consent_text = text(
        "consent_text",
        input.consent_text,
        old.map(|o| o.consent_text.as_str()),
        MAX_CONSENT_CHARS,
    )?;
    if consent_mode != ConsentMode::Off && consent_text.is_empty() {
        return Err(invalid(
            "consent_text is required when consent_mode is implicit or explicit",
        ));
    }
    Ok(GraphSettings {
        channel_id,
        verify_token: required(
            "verify_token",
            input.verify_token,
            old.map(|o| o.verify_token.as_str()),
            256,
        )?,
        app_secret: required(
            "app_secret",
            input.app_secret,
            old.map(|o| o.app_secret.as_str()),
            256,
        )?,
        account_id,
        access_token: required(
            "access_token",
            input.access_token,
            old.map(|o| o.access_token.as_str()),
            4096,
        )?,
        base_url,
        greeting: text(
            "greeting",
            input.greeting,
            old.map(|o| o.greeting.as_str()),
            match platform {
                Platform::Messenger => MAX_MESSENGER_GREETING_CHARS,
                Platform::Whatsapp => max,
            },
        )?,
        instant_reply: text(
            "instant_reply",
            input.instant_reply,
            old.map(|o| o.instant_reply.as_str()),
            max,
        )?,
        consent_mode,
        consent_text,
        updated_at: now,
    })
}

/// Settings just stored.
#[derive(Debug, Clone)]
pub struct Saved {
    pub platform: Platform,
    pub settings: GraphSettings,
    /// Whether the greeting differs from the one stored before.
    pub greeting_changed: bool,
}

/// Checks and stores the settings of a Messenger or WhatsApp channel; answers them as
/// stored. Tells clients the channel changed.
pub async fn save(
    store: &Store,
    channel_id: Id,
    input: GraphSettingsInput,
) -> Result<Saved, StoreError> {
    let channel = store.channel(channel_id).await?;
    let platform = Platform::of(channel.channel.kind).ok_or_else(|| {
        invalid(format!(
            "channel {channel_id} is a {} channel; Graph settings belong to messenger and whatsapp channels",
            channel.channel.kind.as_str()
        ))
    })?;
    store
        .write(move |ctx| {
            let old = load(ctx.tx, channel_id)?;
            let s = merge(platform, channel_id, input, old.as_ref(), ctx.now())?;
            ctx.tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO graph_channels (channel_id, verify_token, app_secret, \
                     account_id, access_token, base_url, greeting, instant_reply, consent_mode, \
                     consent_text, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(rusqlite::params![
                    channel_id,
                    s.verify_token,
                    s.app_secret,
                    s.account_id,
                    s.access_token,
                    s.base_url,
                    s.greeting,
                    s.instant_reply,
                    s.consent_mode.as_str(),
                    s.consent_text,
                    s.updated_at.millis(),
                ])?;
            ctx.emit(EventKind::ChannelUpdated {
                channel: channel.channel.clone().redacted(),
            })?;
            Ok(Saved {
                platform,
                greeting_changed: old.is_none_or(|o| o.greeting != s.greeting),
                settings: s,
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> GraphSettingsInput {
        GraphSettingsInput {
            verify_token: Some("vt".into()),
            app_secret: Some("as".into()),
            page_id: Some("1234".into()),
            access_token: Some("tok".into()),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_fill_in_and_secrets_are_kept_when_left_out() {
        let s = merge(Platform::Messenger, 1, full(), None, Timestamp(0)).unwrap();
        assert_eq!(s.base_url, DEFAULT_BASE_URL);
        assert_eq!(s.consent_mode, ConsentMode::Off);
        let update = GraphSettingsInput {
            greeting: Some("Hello!".into()),
            base_url: Some("http://127.0.0.1:9/v19.0/".into()),
            ..Default::default()
        };
        let t = merge(Platform::Messenger, 1, update, Some(&s), Timestamp(1)).unwrap();
        assert_eq!(t.app_secret, "as");
        assert_eq!(t.greeting, "Hello!");
        assert_eq!(t.base_url, "http://127.0.0.1:9/v19.0");
    }

    #[test]
    fn bad_settings_are_refused_with_the_field_named() {
        let err = |i: GraphSettingsInput, p: Platform| {
            merge(p, 1, i, None, Timestamp(0)).unwrap_err().to_string()
        };
        assert!(err(GraphSettingsInput::default(), Platform::Messenger).contains("page_id"));
        assert!(err(full(), Platform::Whatsapp).contains("page_id is not a setting"));
        let mut i = full();
        i.page_id = Some("my page".into());
        assert!(err(i, Platform::Messenger).contains("numeric"));
        let mut i = full();
        i.base_url = Some("ftp://x".into());
        assert!(err(i, Platform::Messenger).contains("base_url"));
        let mut i = full();
        i.consent_mode = Some(ConsentMode::Explicit);
        assert!(err(i, Platform::Messenger).contains("consent_text"));
        let mut i = full();
        i.instant_reply = Some("x".repeat(2001));
        assert!(err(i, Platform::Messenger).contains("2000"));
        let mut i = full();
        i.greeting = Some("x".repeat(161));
        assert!(err(i, Platform::Messenger).contains("160"));
    }
}
