//! Canned replies: named snippets inserted into the reply editor (`Ctrl-P`), found by typing
//! part of their name or text (fuzzy, with nucleo), with placeholders filled in.
//!
//! They come from `canned.toml` in the config dir:
//!
//! ```toml
//! [[reply]]
//! name = "Refund issued"
//! text = "Hi {{contact.first_name}}, your refund is on its way.{{cursor}}\n\n{{agent.name}}"
//! ```
//!
//! Placeholders: `{{contact.first_name}}`, `{{contact.name}}`, `{{agent.name}}`,
//! `{{conversation.id}}`, `{{conversation.subject}}`, and `{{cursor}}` where the cursor is
//! left. Unknown placeholders stay as written, so a typo shows.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One snippet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canned {
    pub name: String,
    pub text: String,
    /// Shared by the desk's admins (from the server) rather than the agent's own file.
    #[serde(skip)]
    pub shared: Option<crate::domain::Id>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    reply: Vec<Canned>,
}

/// Why the canned replies file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CannedError {
    #[error("canned replies {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("canned replies {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
}

/// Where the user's canned replies live.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("frontdesk").join("canned.toml"))
}

/// A few replies every desk writes, until the user has their own.
fn builtin() -> Vec<Canned> {
    [
        ("Thanks, looking into it", "Thanks for getting in touch! I'm looking into this now and will get back to you shortly."),
        ("Need more details", "Could you send me a bit more detail: what you did, what you expected, and what happened instead? A screenshot helps too."),
        ("Fixed, please confirm", "This should be fixed now. Could you try again and let me know whether it works for you?"),
        ("Closing", "I'm closing this ticket for now. If anything else comes up, just reply here and it will reopen."),
    ]
    .into_iter()
    .map(|(name, text)| Canned {
        name: name.into(),
        text: text.into(),
        shared: None,
    })
    .collect()
}

/// What the placeholders of a canned reply stand for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    pub contact_name: String,
    pub agent_name: String,
    pub conversation_id: String,
    pub conversation_subject: String,
}

/// A canned reply with its placeholders filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub text: String,
    /// Where `{{cursor}}` was: how many characters of `text` come after it.
    pub cursor_from_end: Option<usize>,
}

/// Fills the placeholders of `text`; the first `{{cursor}}` marks where the cursor goes
/// (later ones are dropped).
pub fn fill(text: &str, with: &Placeholders) -> Filled {
    let first_name = with.contact_name.split_whitespace().next().unwrap_or("");
    let mut out = String::with_capacity(text.len());
    let mut cursor = None;
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let value = match after[..end].trim() {
            "contact.first_name" => Some(first_name),
            "contact.name" => Some(with.contact_name.as_str()),
            "agent.name" => Some(with.agent_name.as_str()),
            "conversation.id" => Some(with.conversation_id.as_str()),
            "conversation.subject" => Some(with.conversation_subject.as_str()),
            "cursor" => {
                cursor.get_or_insert(out.chars().count());
                Some("")
            }
            _ => None,
        };
        match value {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    let total = out.chars().count();
    Filled {
        cursor_from_end: cursor.map(|at| total - at),
        text: out,
    }
}

/// The replies matching `query` (fuzzy, by name and text), best first, as indices into
/// `canned`; every reply in order when the query is blank. A match in the name counts
/// double, so "refund" finds "Refund issued" before a reply that mentions refunds.
pub fn search(canned: &[Canned], query: &str) -> Vec<usize> {
    if query.trim().is_empty() {
        return (0..canned.len()).collect();
    }
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut score = |text: &str| pattern.score(Utf32Str::new(text, &mut buf), &mut matcher);
    let mut found: Vec<(u32, usize)> = canned
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let name = score(&c.name).map(|s| s.saturating_mul(2));
            let text = score(&c.text);
            name.max(text).map(|s| (s, i))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, i)| i).collect()
}

/// The replies in `path` (or the default file); the built-in ones when no file exists.
pub fn load(path: Option<&Path>) -> Result<Vec<Canned>, CannedError> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => match default_path() {
            Some(p) => (p, false),
            None => return Ok(builtin()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(builtin()),
        Err(source) => return Err(CannedError::Read { path, source }),
    };
    let file: File = toml::from_str(&text).map_err(|source| CannedError::Parse {
        path: path.clone(),
        source,
    })?;
    Ok(file.reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_replaces_the_builtin_replies_and_mistakes_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("canned.toml");
        std::fs::write(&path, "[[reply]]\nname = \"Hi\"\ntext = \"Hello there\"\n").unwrap();
        assert_eq!(
            load(Some(&path)).unwrap(),
            vec![Canned {
                name: "Hi".into(),
                text: "Hello there".into(),
                shared: None
            }]
        );
        std::fs::write(&path, "[[reply]]\nname = \"Hi\"\n").unwrap();
        let err = load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("canned.toml") && err.contains("text"), "{err}");
        let missing = dir.path().join("nope.toml");
        assert!(load(Some(&missing)).is_err(), "an explicit file must exist");
        assert_eq!(builtin().len(), 4);
    }

    fn ana() -> Placeholders {
        Placeholders {
            contact_name: "Ana María López".into(),
            agent_name: "Bo".into(),
            conversation_id: "42".into(),
            conversation_subject: "Factura duplicada".into(),
        }
    }

    #[test]
    fn placeholders_are_filled_and_the_cursor_is_placed() {
        let filled = fill(
            "Hola {{contact.first_name}} ({{ contact.name }}), #{{conversation.id}} \
             «{{conversation.subject}}»: {{cursor}}\n— {{agent.name}}",
            &ana(),
        );
        assert_eq!(
            filled.text,
            "Hola Ana (Ana María López), #42 «Factura duplicada»: \n— Bo"
        );
        assert_eq!(filled.cursor_from_end, Some("\n— Bo".chars().count()));
    }

    #[test]
    fn unknown_and_unclosed_placeholders_stay_as_written() {
        let filled = fill(
            "{{contact.nme}} and {{cursor}}{{cursor}} and {{oops",
            &ana(),
        );
        assert_eq!(filled.text, "{{contact.nme}} and  and {{oops");
        assert_eq!(filled.cursor_from_end, Some(" and {{oops".chars().count()));
        assert_eq!(fill("plain", &ana()).cursor_from_end, None);
    }

    #[test]
    fn search_is_fuzzy_by_name_and_text_best_first() {
        let canned = [
            Canned {
                name: "Closing".into(),
                text: "I'm closing this ticket; a refund follows.".into(),
                shared: None,
            },
            Canned {
                name: "Refund issued".into(),
                text: "Your money is on its way.".into(),
                shared: None,
            },
            Canned {
                name: "Password reset".into(),
                text: "Use the link to reset it.".into(),
                shared: None,
            },
        ];
        assert_eq!(search(&canned, ""), [0, 1, 2]);
        assert_eq!(search(&canned, "refund"), [1, 0]);
        assert_eq!(search(&canned, "rfnd"), [1, 0]);
        assert_eq!(search(&canned, "pass rst"), [2]);
        assert!(search(&canned, "zzz").is_empty());
    }
}
