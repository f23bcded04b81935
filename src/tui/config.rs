//! The client's config file, `config.toml` in the XDG config dir. Flags and environment
//! variables win over it.
//!
//! ```toml
//! server = "https://desk.example.com"
//! token = "fdk_..."
//! theme = "light"
//! bell = true
//! notify = false
//! mouse = true
//! data = "/home/me/desk"
//! ca_cert = "/etc/frontdesk/ca.pem"
//! ```

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Everything the file may set; absent keys keep the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: Option<String>,
    pub token: Option<String>,
    pub theme: Option<String>,
    pub bell: Option<bool>,
    pub notify: Option<bool>,
    /// Clicks and the wheel (on by default; off keeps the terminal's own text selection).
    pub mouse: Option<bool>,
    pub data: Option<PathBuf>,
    /// A PEM CA certificate trusted for the server, besides the system's roots.
    pub ca_cert: Option<PathBuf>,
}

/// Why the config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
}

/// Where the config file lives.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("frontdesk").join("config.toml"))
}

/// Reads `path`, or the default file; no default file means an empty config.
pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => match default_path() {
            Some(p) => (p, false),
            None => return Ok(Config::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(Config::default());
        }
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    toml::from_str(&text).map_err(|source| ConfigError::Parse { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_is_read_and_a_mistake_names_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "server = \"http://desk:8080\"\ntoken = \"fdk_x\"\nbell = false\n",
        )
        .unwrap();
        let config = load(Some(&path)).unwrap();
        assert_eq!(config.server.as_deref(), Some("http://desk:8080"));
        assert_eq!(config.bell, Some(false));
        std::fs::write(&path, "sever = \"typo\"\n").unwrap();
        let err = load(Some(&path)).unwrap_err().to_string();
        assert!(
            err.contains("config.toml") && err.contains("sever"),
            "{err}"
        );
    }
}
