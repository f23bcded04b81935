//! What can go wrong talking to a help desk, worded for a status bar.

use crate::api::ErrorBody;
use crate::client::tls::{describe, tls_failure};
use std::io;

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// 401: the token is missing, revoked or mistyped.
    #[error("the token was refused: {0}")]
    Unauthorized(String),
    /// Another 4xx: the server understood the request and said no.
    #[error("{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// 5xx: the server failed or is stopping.
    #[error("server error {status}: {message}")]
    Server { status: u16, message: String },
    /// The server could not be reached or the connection broke.
    #[error("server unreachable: {0}")]
    Network(String),
    /// The TLS handshake failed, most often over the server's certificate.
    #[error("TLS with the server failed: {0}")]
    Tls(String),
    /// The answer was not what this client understands.
    #[error("unexpected answer from the server: {0}")]
    Decode(String),
    /// The client was set up with a bad server URL or token.
    #[error("bad client settings: {0}")]
    Config(String),
    /// A local file to upload could not be read.
    #[error("cannot read the file: {0}")]
    LocalFile(String),
}

impl ClientError {
    /// Whether the same request may succeed later unchanged.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Network(_) | ClientError::Tls(_) | ClientError::Server { .. } => true,
            ClientError::Refused { status, .. } => matches!(status, 408 | 429),
            _ => false,
        }
    }

    /// The error for a non-success `status` with the raw `body` the server sent.
    pub(crate) fn from_status(status: u16, body: &[u8]) -> ClientError {
        let (code, message) = match serde_json::from_slice::<ErrorBody>(body) {
            Ok(b) => (b.error.code, b.error.message),
            Err(_) => (
                String::new(),
                String::from_utf8_lossy(body).trim().to_string(),
            ),
        };
        match status {
            401 => ClientError::Unauthorized(message),
            400..=499 => ClientError::Refused {
                status,
                code,
                message,
            },
            _ => ClientError::Server { status, message },
        }
    }

    /// A transport failure, named by its cause and the server it was meant for.
    pub(crate) fn network(err: &reqwest::Error, base_url: &str) -> ClientError {
        if err.is_decode() {
            return ClientError::Decode(err.to_string());
        }
        if let Some(tls) = tls_cause(err) {
            return ClientError::Tls(format!("{} ({base_url})", describe(tls)));
        }
        let cause = if err.is_timeout() {
            "timed out".to_string()
        } else {
            transport_cause(err)
        };
        ClientError::Network(format!("{cause} ({base_url})"))
    }
}

/// The deepest useful reason in an error's chain: "connection refused", "connection reset".
fn transport_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut deepest = err.to_string();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            return io_cause(io);
        }
        deepest = e.to_string();
        source = e.source();
    }
    deepest
}

/// The TLS failure in an error's chain.
fn tls_cause<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut source: Option<&'a (dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = e.downcast_ref::<io::Error>().and_then(tls_failure) {
            return Some(tls);
        }
        source = e.source();
    }
    None
}

/// A short lower-case wording of an I/O error.
pub(crate) fn io_cause(err: &io::Error) -> String {
    if let Some(tls) = tls_failure(err) {
        return format!("TLS failed: {}", describe(tls));
    }
    match err.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::ConnectionReset => "connection reset".into(),
        io::ErrorKind::ConnectionAborted => "connection aborted".into(),
        io::ErrorKind::TimedOut => "timed out".into(),
        io::ErrorKind::UnexpectedEof => "connection closed".into(),
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_variants_with_the_servers_message() {
        let body = br#"{"error": {"code": "not_found", "message": "no conversation 9"}}"#;
        assert_eq!(
            ClientError::from_status(404, body),
            ClientError::Refused {
                status: 404,
                code: "not_found".into(),
                message: "no conversation 9".into()
            }
        );
        let e = ClientError::from_status(
            401,
            br#"{"error": {"code": "unauthorized", "message": "bad token"}}"#,
        );
        assert_eq!(e.to_string(), "the token was refused: bad token");
        assert!(ClientError::from_status(503, b"stopping").is_retryable());
        assert!(ClientError::from_status(429, b"").is_retryable());
        assert!(!ClientError::from_status(422, body).is_retryable());
    }
}
