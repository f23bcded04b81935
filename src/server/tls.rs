//! HTTPS and WSS for the team server: the certificate files, checked before listening, and a
//! listener that completes TLS handshakes off the accept path, within the connection cap.

use super::connections::{ConnectionCap, Counted};
use super::listen::is_connection_error;
use axum::serve::Listener;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client may take to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Finished handshakes waiting for the server to pick them up.
const READY_QUEUE: usize = 64;
/// Pause after an accept error that is not one connection's fault (out of file descriptors).
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_secs(1);

/// A connection whose handshake is done.
type Secured = (TlsStream<Counted<TcpStream>>, SocketAddr);

/// The PEM files that make the server speak TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, the server's own certificate first.
    pub cert: PathBuf,
    /// The private key of that certificate (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Reads and checks the files: a missing or unreadable file, a file without a certificate or
/// key, and a key that does not belong to the certificate are errors naming the file.
pub fn server_config(files: &TlsFiles) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let cert_pem = read(&files.cert, "certificate")?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("TLS certificate {}: {e}", files.cert.display()))?;
    if chain.is_empty() {
        anyhow::bail!(
            "TLS certificate {}: no PEM certificate in the file",
            files.cert.display()
        );
    }
    let key_pem = read(&files.key, "key")?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        anyhow::anyhow!(
            "TLS key {}: no usable PEM private key ({e})",
            files.key.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => anyhow::anyhow!(
                "TLS key {} does not belong to the certificate {}",
                files.key.display(),
                files.cert.display()
            ),
            other => anyhow::anyhow!(
                "TLS certificate {} with key {}: {other}",
                files.cert.display(),
                files.key.display()
            ),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read TLS {what} {}: {e}", path.display()))
}

/// Accepts TCP connections and hands over those whose TLS handshake succeeded; a slow or
/// failed handshake never holds up the others.
pub(crate) struct TlsListener {
    ready: mpsc::Receiver<Secured>,
    addr: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `tcp`, bound to `addr`, connections within `cap`; stops when the
    /// listener is dropped.
    pub(crate) fn new(
        tcp: TcpListener,
        addr: SocketAddr,
        config: Arc<rustls::ServerConfig>,
        cap: ConnectionCap,
    ) -> Self {
        let (tx, ready) = mpsc::channel(READY_QUEUE);
        tokio::spawn(accept_loop(tcp, TlsAcceptor::from(config), tx, cap));
        TlsListener { ready, addr }
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<Counted<TcpStream>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accept loop only ends once this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<Secured>,
    cap: ConnectionCap,
) {
    loop {
        let accepted = tokio::select! {
            accepted = tcp.accept() => accepted,
            _ = tx.closed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                tracing::error!(%error, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let Some(stream) = cap.admit(stream) else {
            tracing::debug!(%peer, "connection refused: too many connections");
            continue;
        };
        // Live events are small frames that must leave at once: no Nagle delay.
        if let Err(error) = stream.get_ref().set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
        let (acceptor, tx) = (acceptor.clone(), tx.clone());
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = tx.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}
