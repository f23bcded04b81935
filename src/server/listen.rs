//! Serving HTTP/1.1 connections with hyper: a request head must arrive within the header
//! timeout (idle keep-alive connections included), connections are capped (see
//! [`super::connections`]), and websockets live on after the upgrade, untouched by either.

use super::connections::{ConnectionCap, Counted};
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_service::Service;

/// Pause after an accept error that is not one connection's fault (out of file descriptors).
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_secs(1);

/// How long and how many HTTP connections may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// How long a client may take to send a request's line and headers; also how long an
    /// idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body, from its first byte read.
    pub body_timeout: Duration,
    /// Connections open at once, websockets included; more are closed at once.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
            max_connections: 10_000,
        }
    }
}

/// Plain TCP connections within the cap, without Nagle delay (live events are small frames
/// that must leave at once).
pub(crate) struct PlainListener {
    tcp: TcpListener,
    cap: ConnectionCap,
}

impl PlainListener {
    pub(crate) fn new(tcp: TcpListener, cap: ConnectionCap) -> Self {
        PlainListener { tcp, cap }
    }
}

impl Listener for PlainListener {
    type Io = Counted<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, peer) = match self.tcp.accept().await {
                Ok(accepted) => accepted,
                Err(error) if is_connection_error(&error) => continue,
                Err(error) => {
                    tracing::error!(%error, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            };
            let Some(stream) = self.cap.admit(stream) else {
                tracing::debug!(%peer, "connection refused: too many connections");
                continue;
            };
            if let Err(error) = stream.get_ref().set_nodelay(true) {
                tracing::warn!(%error, "cannot set TCP_NODELAY");
            }
            return (stream, peer);
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// An error of one connection that went away while being accepted.
pub(crate) fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serves `router` on every connection `listener` hands over until `stopping` turns true;
/// then finishes the requests in flight and returns once every connection is done.
pub(crate) async fn serve<L>(
    mut listener: L,
    router: Router,
    limits: HttpLimits,
    mut stopping: watch::Receiver<bool>,
) -> io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
    L::Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    // Each connection holds a receiver; all of them dropped means every connection is done.
    let (done_tx, done_rx) = watch::channel(());
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped(&mut stopping) => break,
        };
        let router = router.clone();
        // Each request knows its client's address (the portal's sign-in limit counts by it).
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().call(request)
        });
        let conn = http
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades();
        let mut stopping = stopping.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let mut conn = pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = stopped(&mut stopping) => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended");
            }
            drop(done);
        });
    }
    drop(listener);
    drop(done_rx);
    done_tx.closed().await;
    Ok(())
}

/// Resolves once the server is stopping.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|s| *s).await;
}
