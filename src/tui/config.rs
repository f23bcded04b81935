//! The client's config file, `config.toml` in the XDG config dir. Flags and environment
//! variables win over it.
//!
//! ```toml
//! server = "https://desk.example.com"
//! token_command = "pass show desk/token"   # or token = "fdk_..." (readable by anyone who can read the file)
//! theme = "light"
//! bell = "mine"        # mine | unassigned | all | off (true = mine, false = off)
//! notify = false
//! mouse = true
//! data = "/home/me/desk"
//! ca_cert = "/etc/frontdesk/ca.pem"
//! ```

use crate::tui::app::BellPolicy;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `bell = ...`: a policy, or the older `true`/`false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum BellSetting {
    OnOff(bool),
    Policy(BellPolicy),
}

impl BellSetting {
    /// The policy this setting means.
    pub fn policy(self) -> BellPolicy {
        match self {
            BellSetting::OnOff(true) => BellPolicy::Mine,
            BellSetting::OnOff(false) => BellPolicy::Off,
            BellSetting::Policy(p) => p,
        }
    }
}

/// Everything the file may set; absent keys keep the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: Option<String>,
    pub token: Option<String>,
    /// A command whose output is the token (`pass show desk/token`), run once at start.
    pub token_command: Option<String>,
    pub theme: Option<String>,
    pub bell: Option<BellSetting>,
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
    #[error("token_command `{command}` failed: {why}")]
    TokenCommand { command: String, why: String },
}

/// Runs `token_command` through the shell; its first line of output is the token.
pub fn run_token_command(command: &str) -> Result<String, ConfigError> {
    let fail = |why: String| ConfigError::TokenCommand {
        command: command.to_string(),
        why,
    };
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        return Err(fail(format!("{} {first}", out.status)));
    }
    let stdout = String::from_utf8(out.stdout).map_err(|_| fail("output is not UTF-8".into()))?;
    let token = stdout.lines().next().unwrap_or("").trim().to_string();
    if token.is_empty() {
        return Err(fail("it printed nothing".into()));
    }
    Ok(token)
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
    fn a_token_command_gives_its_first_line_and_a_failure_says_which_command() {
        assert_eq!(
            run_token_command("printf 'fdk_abc\\nmore\\n'").unwrap(),
            "fdk_abc"
        );
        let err = run_token_command("echo locked >&2; exit 3")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("echo locked") && err.contains("locked"),
            "{err}"
        );
        assert!(run_token_command("true").is_err());
    }

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
        assert_eq!(config.bell.map(BellSetting::policy), Some(BellPolicy::Off));
        std::fs::write(&path, "bell = \"unassigned\"\n").unwrap();
        let policy = load(Some(&path)).unwrap().bell.map(BellSetting::policy);
        assert_eq!(policy, Some(BellPolicy::Unassigned));
        std::fs::write(&path, "sever = \"typo\"\n").unwrap();
        let err = load(Some(&path)).unwrap_err().to_string();
        assert!(
            err.contains("config.toml") && err.contains("sever"),
            "{err}"
        );
    }
}
