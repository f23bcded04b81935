//! Which server certificates the client trusts: the system's roots, plus the CA of a
//! self-hosted desk when one is given. HTTP requests and the event stream verify alike.

use super::api::ClientError;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::io;
use std::path::Path;
use std::sync::Arc;

/// The roots a server certificate may chain to. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// CA certificates trusted on top of the system's roots.
    extra: Arc<[CertificateDer<'static>]>,
}

impl Trust {
    /// The system's roots only.
    pub fn system() -> Trust {
        Trust::default()
    }

    /// The system's roots plus every CA certificate in the PEM file at `path`.
    pub fn with_ca_file(path: &Path) -> Result<Trust, ClientError> {
        let bad =
            |why: String| ClientError::Config(format!("CA certificate {}: {why}", path.display()));
        let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("no PEM certificate in the file".into()));
        }
        // Parses each one now, so that a broken file is named at start-up.
        let mut roots = rustls::RootCertStore::empty();
        for cert in &certs {
            roots
                .add(cert.clone())
                .map_err(|e| bad(format!("not a usable CA certificate: {e}")))?;
        }
        Ok(Trust {
            extra: certs.into(),
        })
    }

    /// The extra roots for reqwest, which verifies with the platform's roots as well.
    pub(crate) fn reqwest_roots(&self) -> Result<Vec<reqwest::Certificate>, ClientError> {
        self.extra
            .iter()
            .map(|c| {
                reqwest::Certificate::from_der(c).map_err(|e| ClientError::Config(e.to_string()))
            })
            .collect()
    }

    /// A TLS client configuration verifying with the platform's roots plus the extra ones, as
    /// reqwest does.
    pub(crate) fn rustls_config(&self) -> Result<Arc<rustls::ClientConfig>, ClientError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
            self.extra.iter().cloned(),
            provider.clone(),
        )
        .map_err(|e| ClientError::Config(format!("TLS roots: {e}")))?;
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ClientError::Config(format!("TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

/// The TLS failure inside an I/O error (which may wrap another), when that is what broke
/// the connection.
pub(crate) fn tls_failure(err: &io::Error) -> Option<&rustls::Error> {
    let inner = err.get_ref()?;
    match inner.downcast_ref::<io::Error>() {
        Some(io) => tls_failure(io),
        None => inner.downcast_ref::<rustls::Error>(),
    }
}

/// A TLS failure in words, the certificate problems an agent can act on named plainly.
pub(crate) fn describe(err: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let problem = match err {
        rustls::Error::InvalidCertificate(problem) => problem,
        other => return other.to_string(),
    };
    let plain = match problem {
        C::UnknownIssuer => "the server's certificate is signed by a CA this client does not trust",
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "the server's certificate is not valid for this host name"
        }
        C::Expired | C::ExpiredContext { .. } => "the server's certificate has expired",
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "the server's certificate is not valid yet"
        }
        C::Revoked => "the server's certificate was revoked",
        _ => "the server's certificate was refused",
    };
    format!("{plain}: {err}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_problems_are_worded_for_an_agent() {
        let unknown = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert_eq!(
            describe(&unknown),
            "the server's certificate is signed by a CA this client does not trust: \
             invalid peer certificate: UnknownIssuer"
        );
        let other = rustls::Error::General("boom".into());
        assert_eq!(describe(&other), other.to_string());
    }

    #[test]
    fn a_ca_file_without_a_certificate_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not pem\n").unwrap();
        let err = Trust::with_ca_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("ca.pem") && err.contains("no PEM certificate"),
            "{err}"
        );
        let missing = Trust::with_ca_file(&dir.path().join("none.pem")).unwrap_err();
        assert!(missing.to_string().contains("none.pem"), "{missing}");
    }
}
