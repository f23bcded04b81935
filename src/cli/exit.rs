//! Exit codes of the scripting commands: 0 done, 1 the server refused, 2 usage, 3 the desk
//! could not be reached or the token was not accepted.

use crate::client::api::ClientError;
use std::process::ExitCode;

/// The command line asked for something that cannot be done as asked (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// The desk could not be reached or would not accept the token (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreachable(pub String);

/// Some of several changes were refused; each was reported as it happened (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} changes were refused")]
pub struct PartlyRefused {
    pub failed: usize,
    pub total: usize,
}

/// A usage error as an `anyhow` error.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Usage(message.into()).into()
}

/// The exit code `error` calls for.
pub fn code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.is::<Usage>() {
            return 2;
        }
        if cause.is::<Unreachable>() {
            return 3;
        }
        if let Some(client) = cause.downcast_ref::<ClientError>() {
            return match client {
                ClientError::Unauthorized(_)
                | ClientError::Network(_)
                | ClientError::Tls(_)
                | ClientError::Config(_) => 3,
                _ => 1,
            };
        }
    }
    1
}

/// Ends the command: nothing on success or a closed pipe, else one line on stderr and the
/// exit code of [`code`].
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `| head`: the reader has what it wanted.
        Err(e) if crate::cli::stdout::is_closed(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let line = crate::tui::sanitize::sanitize_line(&format!("{e:#}")).into_owned();
            eprintln!("frontdesk: {line}");
            ExitCode::from(code(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_its_code_through_context() {
        let refused = ClientError::Refused {
            status: 404,
            code: "not_found".into(),
            message: "no conversation 9".into(),
        };
        assert_eq!(code(&anyhow::Error::new(refused).context("#9")), 1);
        let denied = ClientError::Unauthorized("bad token".into());
        assert_eq!(code(&denied.into()), 3);
        assert_eq!(code(&usage("no ids")), 2);
        assert_eq!(code(&Unreachable("down".into()).into()), 3);
        assert_eq!(code(&anyhow::anyhow!("other")), 1);
    }
}
