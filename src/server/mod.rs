//! The help desk server: SQLite store, HTTP API, live event stream, seeding.

pub mod access;
pub mod admin;
pub mod auth;
pub mod channel_admin;
pub mod channels;
mod connections;
pub mod delivery;
pub mod error;
pub mod files;
mod http;
pub mod limits;
mod listen;
pub mod passwords;
pub mod portal;
pub mod presence;
pub mod private;
pub mod reply_channels;
pub mod reply_files;
pub mod routing;
mod run;
pub mod seed;
pub mod signature;
pub mod store;
pub mod targets;
pub mod tls;

pub use listen::HttpLimits;
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
    /// Read timeouts and the connection cap of the HTTP server.
    pub http: HttpLimits,
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
    /// Most attachments one mail may carry.
    pub mail_max_attachments: usize,
    /// Connection limits and timeouts of the SMTP listener.
    pub smtp_sessions: channels::email::smtp::SessionLimits,
    /// The SMTP relay customer-portal mail goes through (`smtp://host:port`,
    /// `smtps://user:pass@host`, `smtp://host:587?tls=required`); none: no mail is sent.
    pub smtp_relay: Option<String>,
    /// The sender of customer-portal mail.
    pub mail_from: String,
    /// The address customers reach this server at, for links in e-mails (an `https://`
    /// one also marks portal cookies `Secure`); default: `http://` and the listen address.
    pub public_url: Option<String>,
    /// Behind a reverse proxy: take the client's address for the per-address limits (portal,
    /// chat, web forms) from the last `X-Forwarded-For` entry the proxy added.
    pub trust_proxy: bool,
    /// How long one text search may run before it is stopped.
    pub search_timeout: Duration,
    /// Let webhook and Graph URLs reach loopback, link-local and private addresses (a bridge
    /// on the same host or network); off, such targets are refused.
    pub allow_private_targets: bool,
    /// How long a "writing" notice holds unless its client refreshes it.
    pub presence_ttl: Duration,
}

impl ServerConfig {
    /// Defaults for a desk in `data_dir` listening on `listen`.
    pub fn new(data_dir: impl Into<PathBuf>, listen: impl Into<String>) -> Self {
        ServerConfig {
            data_dir: data_dir.into(),
            listen: listen.into(),
            tls: None,
            body_limit: 1024 * 1024,
            http: HttpLimits::default(),
            heartbeat: Duration::from_secs(20),
            live_buffer: 4096,
            delivery: delivery::RetryPolicy::default(),
            smtp_listen: None,
            mail_max_bytes: 25 * 1024 * 1024,
            mail_max_attachment_bytes: 10 * 1024 * 1024,
            mail_max_attachments: 100,
            smtp_sessions: channels::email::smtp::SessionLimits::default(),
            smtp_relay: None,
            mail_from: "Support <support@localhost>".into(),
            public_url: None,
            trust_proxy: false,
            search_timeout: store::search::DEFAULT_BUDGET,
            allow_private_targets: false,
            presence_ttl: Duration::from_secs(10),
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
    /// Tells open event streams when tokens may have been revoked.
    pub access: access::AccessWatch,
    /// Who is writing where, between event streams.
    pub presence: presence::PresenceHub,
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
        let store = Store::open(&config.data_dir, config.live_buffer)
            .map_err(|e| {
                anyhow::anyhow!("cannot open the desk in {}: {e}", config.data_dir.display())
            })?
            .with_search_budget(config.search_timeout);
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
        let files = files::Files::new(&config.data_dir);
        let desk_files = [config.data_dir.join(store::DB_FILE)]
            .into_iter()
            .chain(store::DB_SIDE_FILES.map(|f| config.data_dir.join(f)))
            .chain([config.data_dir.clone(), files.dir().to_path_buf()]);
        private::warn_if_exposed(desk_files);
        let (stop, stopping) = watch::channel(false);
        let portal = Arc::new(portal::Runtime::new(&config, addr)?);
        let worker = delivery::Worker::start(
            store.clone(),
            files.clone(),
            portal.public_url.clone(),
            config.delivery,
            config.allow_private_targets,
            stopping.clone(),
        );
        let state = AppState {
            store: store.clone(),
            files,
            presence: presence::PresenceHub::new(config.presence_ttl),
            config: Arc::new(config),
            stopping: stopping.clone(),
            portal,
            access: access::AccessWatch::start(store.clone(), stopping.clone()),
        };
        let smtp = smtp_listener.map(|listener| {
            let desk = channels::email::smtp::Desk::new(
                state.store.clone(),
                state.files.clone(),
                channels::email::limits(&state.config),
                state.config.smtp_sessions,
                &state.config.data_dir,
            );
            tokio::spawn(channels::email::smtp::serve(
                listener,
                desk,
                stopping.clone(),
            ))
        });
        portal::notify::spawn(state.clone());
        let limits = state.config.http;
        let app = http::router(state);
        let cap = connections::ConnectionCap::new(limits.max_connections);
        let secure = tls_config.is_some();
        let task = match tls_config {
            Some(config) => {
                let listener = tls::TlsListener::new(listener, addr, config, cap);
                tokio::spawn(listen::serve(listener, app, limits, stopping))
            }
            None => {
                let listener = listen::PlainListener::new(listener, cap);
                tokio::spawn(listen::serve(listener, app, limits, stopping))
            }
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
