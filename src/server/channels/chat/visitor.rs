//! Chat visitors: a random token the server hands out and the browser keeps, and the thread
//! it names. Only a hash of the token reaches the database (as the conversation's thread key
//! and the contact's channel identity), so a leaked database resumes nobody's chat.

use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Prefix that makes a visitor token recognisable.
const TOKEN_PREFIX: &str = "fdv_";
/// Length of a token: the prefix and 32 random bytes in unpadded base64url.
const TOKEN_LEN: usize = TOKEN_PREFIX.len() + 43;

/// A visitor, known by the token their browser holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    pub token: String,
}

impl Visitor {
    /// A new visitor with a fresh random token.
    pub fn fresh() -> Visitor {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Visitor {
            token: format!(
                "{TOKEN_PREFIX}{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
            ),
        }
    }

    /// The visitor behind a token a browser sent back, if it has the shape of one.
    pub fn from_token(token: &str) -> Option<Visitor> {
        let ok = token.len() == TOKEN_LEN
            && token.starts_with(TOKEN_PREFIX)
            && token[TOKEN_PREFIX.len()..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Visitor {
            token: token.to_string(),
        })
    }

    /// The conversation thread key and contact identity of this visitor.
    pub fn thread_key(&self) -> String {
        let digest = Sha256::digest(self.token.as_bytes());
        format!("visitor:{}", hex::encode(&digest[..16]))
    }

    /// The name a new contact gets: "Visitor" and a short stable tag.
    pub fn display_name(&self) -> String {
        let key = self.thread_key();
        format!("Visitor {}", &key["visitor:".len()..][..6])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_forgeries_are_refused() {
        let v = Visitor::fresh();
        assert_eq!(Visitor::from_token(&v.token), Some(v.clone()));
        assert_ne!(Visitor::fresh(), v);
        assert_eq!(Visitor::from_token(""), None);
        assert_eq!(Visitor::from_token("fdv_short"), None);
        let mut bad = v.token.clone();
        bad.replace_range(10..11, "!");
        assert_eq!(Visitor::from_token(&bad), None);
    }

    #[test]
    fn thread_key_is_stable_and_hides_the_token() {
        let v = Visitor::fresh();
        assert_eq!(v.thread_key(), v.thread_key());
        assert!(!v.thread_key().contains(&v.token[4..]));
        assert_eq!(v.thread_key().len(), "visitor:".len() + 32);
        assert!(v.display_name().starts_with("Visitor "));
        assert_eq!(v.display_name().len(), "Visitor ".len() + 6);
    }
}
