//! The settings of a team email channel: where it receives, how its replies are signed and
//! addressed, and the relay they leave through. Validated before anything is stored.

use crate::domain::Agent;
use serde::{Deserialize, Serialize};

/// Most inbound addresses one channel may have.
const MAX_ADDRESSES: usize = 20;
/// Longest signature, in bytes.
const MAX_SIGNATURE: usize = 10_000;
/// The personalization tokens a signature may hold.
pub const TOKENS: [&str; 3] = [
    "{agent.full_name}",
    "{agent.first_name}",
    "{agent.last_name}",
];

/// Whose name a reply's From shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderNameMode {
    /// "Ana Silva from Acme".
    #[default]
    AgentAndCompany,
    /// "Acme".
    Company,
}

/// Whether the signature is plain text or HTML.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureFormat {
    #[default]
    Text,
    Html,
}

/// How the connection to the relay is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelayTls {
    /// Plain SMTP upgraded with STARTTLS, which must succeed (port 587 by default).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465 by default).
    Tls,
    /// No encryption (port 25 by default); only for a relay on a trusted network.
    None,
}

impl RelayTls {
    fn default_port(self) -> u16 {
        match self {
            RelayTls::Starttls => 587,
            RelayTls::Tls => 465,
            RelayTls::None => 25,
        }
    }
}

/// The relay as an admin sends it: the password is write-only.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayInput {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: RelayTls,
    #[serde(default)]
    pub username: Option<String>,
    /// Omitted: keep the stored password (if the username is unchanged).
    #[serde(default)]
    pub password: Option<String>,
}

/// The relay as stored and shown: never the password, only whether one is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub tls: RelayTls,
    pub username: Option<String>,
    #[serde(default)]
    pub password_set: bool,
}

/// `PUT /api/v1/channels/{id}/email`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettingsInput {
    /// Addresses mail for this channel arrives on (the SMTP listener accepts only these).
    pub addresses: Vec<String>,
    pub company_name: String,
    #[serde(default)]
    pub sender_name_mode: SenderNameMode,
    /// The From address of replies; the first inbound address when omitted.
    #[serde(default)]
    pub sender_address: Option<String>,
    #[serde(default)]
    pub signature: String,
    #[serde(default)]
    pub signature_format: SignatureFormat,
    /// Log forwarded mail on the original sender's contact (default) or on the forwarder's.
    #[serde(default = "yes")]
    pub forwarded_to_original_sender: bool,
    /// Where replies leave; without one, replies on this channel fail with a clear error.
    #[serde(default)]
    pub relay: Option<RelayInput>,
}

fn yes() -> bool {
    true
}

/// An email channel's settings as stored and shown to admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    pub addresses: Vec<String>,
    pub company_name: String,
    pub sender_name_mode: SenderNameMode,
    pub sender_address: String,
    pub signature: String,
    pub signature_format: SignatureFormat,
    pub forwarded_to_original_sender: bool,
    pub relay: Option<Relay>,
}

/// Validated settings with the relay password to store (`None` keeps the stored one).
#[derive(Debug, Clone)]
pub struct ValidSettings {
    pub settings: EmailSettings,
    pub password: PasswordChange,
}

/// What happens to the stored relay password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordChange {
    Keep,
    Set(String),
    Clear,
}

/// Whether `s` looks like one bare address (`local@domain`, no spaces, no angle brackets).
pub fn is_address(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && s.len() <= 254
        && (domain.contains('.') || domain == "localhost")
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
}

impl EmailSettingsInput {
    /// Checks every field; answers what to store or a message naming the bad field.
    pub fn validate(self) -> Result<ValidSettings, String> {
        if self.addresses.is_empty() || self.addresses.len() > MAX_ADDRESSES {
            return Err(format!(
                "addresses must list 1 to {MAX_ADDRESSES} email addresses"
            ));
        }
        let mut addresses: Vec<String> = Vec::with_capacity(self.addresses.len());
        for (i, a) in self.addresses.iter().enumerate() {
            let a = a.trim().to_ascii_lowercase();
            if !is_address(&a) {
                return Err(format!("addresses[{i}] is not an email address"));
            }
            if addresses.contains(&a) {
                return Err(format!("addresses[{i}] is listed twice"));
            }
            addresses.push(a);
        }
        let company_name = self.company_name.trim().to_string();
        if company_name.is_empty() || company_name.len() > 200 || company_name.contains('\n') {
            return Err("company_name must be one line of 1 to 200 bytes".into());
        }
        let sender_address = match self.sender_address {
            Some(s) => {
                let s = s.trim().to_string();
                if !is_address(&s) {
                    return Err("sender_address is not an email address".into());
                }
                s
            }
            None => addresses[0].clone(),
        };
        if self.signature.len() > MAX_SIGNATURE {
            return Err(format!("signature must be at most {MAX_SIGNATURE} bytes"));
        }
        if let Some(bad) = unknown_token(&self.signature) {
            return Err(format!(
                "signature has an unknown token {bad}; known tokens: {}",
                TOKENS.join(", ")
            ));
        }
        let (relay, password) = match self.relay {
            None => (None, PasswordChange::Clear),
            Some(r) => {
                let host = r.host.trim().to_string();
                if host.is_empty()
                    || host.len() > 253
                    || host.chars().any(|c| c.is_whitespace() || c == '/')
                {
                    return Err("relay.host must be a host name or an IP address".into());
                }
                if r.port == Some(0) {
                    return Err("relay.port must be 1 to 65535".into());
                }
                let username = r
                    .username
                    .map(|u| u.trim().to_string())
                    .filter(|u| !u.is_empty());
                if username.as_ref().is_some_and(|u| u.len() > 256) {
                    return Err("relay.username must be at most 256 bytes".into());
                }
                let password = match (&username, r.password) {
                    (None, Some(_)) => {
                        return Err("relay.password needs a relay.username".into());
                    }
                    (None, None) => PasswordChange::Clear,
                    (Some(_), Some(p)) if p.is_empty() || p.len() > 1024 => {
                        return Err("relay.password must be 1 to 1024 bytes".into());
                    }
                    (Some(_), Some(p)) => PasswordChange::Set(p),
                    (Some(_), None) => PasswordChange::Keep,
                };
                (
                    Some(Relay {
                        host,
                        port: r.port.unwrap_or(r.tls.default_port()),
                        tls: r.tls,
                        username,
                        password_set: false,
                    }),
                    password,
                )
            }
        };
        Ok(ValidSettings {
            settings: EmailSettings {
                addresses,
                company_name,
                sender_name_mode: self.sender_name_mode,
                sender_address,
                signature: self.signature,
                signature_format: self.signature_format,
                forwarded_to_original_sender: self.forwarded_to_original_sender,
                relay,
            },
            password,
        })
    }
}

/// The first `{agent.…}` token in `text` that is not one of [`TOKENS`].
fn unknown_token(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("{agent.") {
        let candidate = &rest[start..];
        let end = candidate
            .find('}')
            .map(|e| e + 1)
            .unwrap_or(candidate.len());
        let token = &candidate[..end];
        if !TOKENS.contains(&token) {
            return Some(token.chars().take(40).collect());
        }
        rest = &candidate[end..];
    }
    None
}

/// An agent's full, first and last name as the signature tokens use them.
fn names(agent: Option<&Agent>) -> (String, String, String) {
    let full = agent.map(|a| a.name.trim().to_string()).unwrap_or_default();
    let words: Vec<&str> = full.split_whitespace().collect();
    let first = words.first().copied().unwrap_or_default().to_string();
    let last = if words.len() > 1 {
        words.last().copied().unwrap_or_default().to_string()
    } else {
        String::new()
    };
    (full, first, last)
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

impl EmailSettings {
    /// The signature with the sending agent's names in place of the tokens (HTML-escaped in
    /// an HTML signature).
    pub fn render_signature(&self, agent: Option<&Agent>) -> String {
        let (full, first, last) = names(agent);
        let esc = |s: String| match self.signature_format {
            SignatureFormat::Html => escape_html(&s),
            SignatureFormat::Text => s,
        };
        self.signature
            .replace(TOKENS[0], &esc(full))
            .replace(TOKENS[1], &esc(first))
            .replace(TOKENS[2], &esc(last))
    }

    /// The display name of a reply's From.
    pub fn sender_name(&self, agent: Option<&Agent>) -> String {
        match (self.sender_name_mode, agent) {
            (SenderNameMode::AgentAndCompany, Some(a)) if !a.name.trim().is_empty() => {
                format!("{} from {}", a.name.trim(), self.company_name)
            }
            _ => self.company_name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn input(json: serde_json::Value) -> Result<ValidSettings, String> {
        serde_json::from_value::<EmailSettingsInput>(json)
            .map_err(|e| e.to_string())?
            .validate()
    }

    fn agent(name: &str) -> Agent {
        Agent {
            id: 1,
            name: name.into(),
            email: "a@desk.example".into(),
            role: Role::Agent,
            has_seat: true,
            available: true,
            active: true,
        }
    }

    #[test]
    fn defaults_and_normalises() {
        let v = input(serde_json::json!({
            "addresses": [" Support@Acme.example "], "company_name": "Acme"
        }))
        .unwrap();
        assert_eq!(v.settings.addresses, ["support@acme.example"]);
        assert_eq!(v.settings.sender_address, "support@acme.example");
        assert!(v.settings.forwarded_to_original_sender);
        assert_eq!(v.settings.sender_name_mode, SenderNameMode::AgentAndCompany);
        assert_eq!(v.password, PasswordChange::Clear);
    }

    #[test]
    fn refuses_bad_fields_by_name() {
        let base = |extra: serde_json::Value| {
            let mut v =
                serde_json::json!({"addresses": ["s@acme.example"], "company_name": "Acme"});
            v.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            input(v).unwrap_err()
        };
        assert!(base(serde_json::json!({"addresses": ["nope"]})).contains("addresses[0]"));
        assert!(base(serde_json::json!({"signature": "{agent.email}"})).contains("{agent.email}"));
        assert!(
            base(serde_json::json!({"relay": {"host": "", "port": 25}})).contains("relay.host")
        );
        assert!(
            base(serde_json::json!({"relay": {"host": "h", "password": "x"}}))
                .contains("relay.password")
        );
        assert!(base(serde_json::json!({"sender_name_mode": "agent"})).contains("unknown variant"));
    }

    #[test]
    fn signature_tokens_and_sender_names() {
        let mut s = input(serde_json::json!({
            "addresses": ["s@acme.example"], "company_name": "Acme",
            "signature": "{agent.first_name} / {agent.last_name} / {agent.full_name}"
        }))
        .unwrap()
        .settings;
        let ana = agent("Ana Maria Silva");
        assert_eq!(
            s.render_signature(Some(&ana)),
            "Ana / Silva / Ana Maria Silva"
        );
        assert_eq!(s.sender_name(Some(&ana)), "Ana Maria Silva from Acme");
        assert_eq!(s.sender_name(None), "Acme");
        s.sender_name_mode = SenderNameMode::Company;
        assert_eq!(s.sender_name(Some(&ana)), "Acme");
        s.signature_format = SignatureFormat::Html;
        assert_eq!(
            s.render_signature(Some(&agent("<b>Eve</b>"))),
            "&lt;b&gt;Eve&lt;/b&gt; /  / &lt;b&gt;Eve&lt;/b&gt;"
        );
    }
}
