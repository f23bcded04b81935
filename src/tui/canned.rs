//! Canned replies: named snippets inserted into the reply editor (`Ctrl-P`).
//!
//! They come from `canned.toml` in the config dir:
//!
//! ```toml
//! [[reply]]
//! name = "Refund issued"
//! text = "Your refund is on its way: it shows on your statement in 3 to 5 days."
//! ```

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One snippet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canned {
    pub name: String,
    pub text: String,
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
    })
    .collect()
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
                text: "Hello there".into()
            }]
        );
        std::fs::write(&path, "[[reply]]\nname = \"Hi\"\n").unwrap();
        let err = load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("canned.toml") && err.contains("text"), "{err}");
        let missing = dir.path().join("nope.toml");
        assert!(load(Some(&missing)).is_err(), "an explicit file must exist");
        assert_eq!(builtin().len(), 4);
    }
}
