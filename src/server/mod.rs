//! The help desk server: SQLite store, HTTP API, live event stream, seeding.

pub mod admin;
pub mod auth;
pub mod channel_admin;
pub mod channels;
pub mod delivery;
pub mod error;
pub mod files;
mod http;
pub mod portal;
pub mod routing;
mod run;
pub mod seed;
pub mod signature;
pub mod store;
pub mod tls;

use axum::serve::ListenerExt;
pub use run::serve_until_signal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use store::Store;
use tokio::sync::watch;

/// How a server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where the database lives; created if missing.
    pub data_dir: PathBuf,
    /// `HOST:PORT` to listen on; port 0 picks a free one.
    pub listen: String,
    /// Certificate and key to serve HTTPS and WSS instead of plain HTTP.
    pub tls: Option<tls::TlsFiles>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Interval of websocket pings; a client silent for two intervals is dropped.
    pub heartbeat: Duration,
    /// How many live events a websocket client may lag behind before it is disconnected.
    pub live_buffer: usize,
    /// How replies that could not go out yet are retried.
    pub delivery: delivery::RetryPolicy,
    /// `HOST:PORT` of the inbound SMTP listener for team email; none without it.
    pub smtp_listen: Option<String>,
    /// Largest mail accepted (SMTP or upload), in bytes.
    pub mail_max_bytes: usize,
    /// Largest single attachment of a mail, in bytes.
    pub mail_max_attachment_bytes: usize,
    /// The SMTP relay customer-portal mail goes through (`smtp://host:port`,
    /// `smtps://user:pass@host`, `smtp://host:587?tls=required`); none: no mail is sent.
    pub smtp_relay: Option<String>,
    /// The sender of customer-portal mail.
    pub mail_from: String,
    /// The address customers reach this server at, for links in e-mails (an `https://`
    /// one also marks portal cookies `Secure`); default: `http://` and the listen address.
    pub public_url: Option<String>,
    /// Behind a reverse proxy: take the client's address for the portal's sign-in limit from
    /// the last `X-Forwarded-For` entry the proxy added.
    pub trust_proxy: bool,
    /// Let replies go to loopback and private addresses (webhooks, relays, Graph base URLs);
    /// the demo desk's far sides run on loopback.
    pub allow_private_targets: bool,
}

impl ServerConfig {
    /// Defaults for a desk in `data_dir` listening on `listen`.
    pub fn new(data_dir: impl Into<PathBuf>, listen: impl Into<String>) -> Self {
        ServerConfig {
            data_dir: data_dir.into(),
            listen: listen.into(),
            tls: None,
            body_limit: 1024 * 1024,
            heartbeat: Duration::from_secs(20),
            live_buffer: 4096,
            delivery: delivery::RetryPolicy::default(),
            smtp_listen: None,
            mail_max_bytes: 25 * 1024 * 1024,
            mail_max_attachment_bytes: 10 * 1024 * 1024,
            smtp_relay: None,
            mail_from: "Support <support@localhost>".into(),
            public_url: None,
            trust_proxy: false,
            allow_private_targets: false,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Attachment bytes kept by the desk.
    pub files: files::Files,
    pub config: Arc<ServerConfig>,
    /// Turns true when the server is stopping; websocket streams then close.
    pub stopping: watch::Receiver<bool>,
    /// The customer portal's mailer, public address and sign-in limits.
    pub portal: Arc<portal::Runtime>,
}

/// A server accepting connections in the background.
pub struct RunningServer {
    /// The address it listens on (with the real port when 0 was asked).
    pub addr: SocketAddr,
    /// The SMTP listener's address, when one was asked for.
    pub smtp_addr: Option<SocketAddr>,
    tls: bool,
    store: Store,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    worker: delivery::Worker,
    smtp: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// Opens the desk and starts listening; bad TLS files are refused before either.
    pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
        let tls_config = config.tls.as_ref().map(tls::server_config).transpose()?;
        let store = Store::open(&config.data_dir, config.live_buffer).map_err(|e| {
            anyhow::anyhow!("cannot open the desk in {}: {e}", config.data_dir.display())
        })?;
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let addr = listener.local_addr()?;
        let smtp_listener = match &config.smtp_listen {
            Some(listen) => Some(
                tokio::net::TcpListener::bind(listen)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot listen for SMTP on {listen}: {e}"))?,
            ),
            None => None,
        };
        let smtp_addr = smtp_listener.as_ref().map(|l| l.local_addr()).transpose()?;
        let (stop, stopping) = watch::channel(false);
        let worker = delivery::Worker::start(store.clone(), config.delivery, stopping.clone());
        let portal = Arc::new(portal::Runtime::new(&config, addr)?);
        let state = AppState {
            store: store.clone(),
            files: files::Files::new(&config.data_dir),
            config: Arc::new(config),
            stopping: stopping.clone(),
            portal,
        };
        let smtp = smtp_listener.map(|listener| {
            let desk = channels::email::smtp::Desk {
                store: state.store.clone(),
                files: state.files.clone(),
                limits: channels::email::limits(&state.config),
            };
            tokio::spawn(channels::email::smtp::serve(
                listener,
                desk,
                stopping.clone(),
            ))
        });
        portal::notify::spawn(state.clone());
        // Each request knows its client's address (the portal's sign-in limit counts by it).
        let app = http::router(state).into_make_service_with_connect_info::<SocketAddr>();
        let mut wait = stopping;
        let stopped = async move {
            let _ = wait.wait_for(|s| *s).await;
        };
        let secure = tls_config.is_some();
        let task = match tls_config {
            Some(config) => {
                // Tapped (with nothing to do: it sets TCP_NODELAY itself) because axum hands
                // client addresses out for tapped listeners.
                let listener = tls::TlsListener::new(listener, addr, config).tap_io(|_| {});
                tokio::spawn(async move {
                    axum::serve(listener, app)
                        .with_graceful_shutdown(stopped)
                        .await
                })
            }
            None => tokio::spawn(async move {
                // Live events are small frames that must leave at once: no Nagle delay.
                let listener = listener.tap_io(|tcp| {
                    if let Err(error) = tcp.set_nodelay(true) {
                        tracing::warn!(%error, "cannot set TCP_NODELAY");
                    }
                });
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await
            }),
        };
        Ok(RunningServer {
            addr,
            smtp_addr,
            tls: secure,
            store,
            stop,
            task,
            worker,
            smtp,
        })
    }

    /// The server's root URL: `https://HOST:PORT` with TLS, `http://HOST:PORT` without.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The desk this server serves.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes live streams, finishes in-flight requests and deliveries, and flushes the writer.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.task.await??;
        self.worker.join().await;
        if let Some(smtp) = self.smtp {
            smtp.await?;
        }
        let store = self.store;
        tokio::task::spawn_blocking(move || store.close()).await?;
        Ok(())
    }
}
