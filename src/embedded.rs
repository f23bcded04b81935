//! The server run in-process for the terminal client: the user's local desk, and the
//! throw-away demo desk with simulated customers writing in live.

use crate::api::NewChannel;
use crate::client::outbox::OutboxPlace;
use crate::demo::{DemoOptions, FarSide};
use crate::domain::{ChannelKind, Role};
use crate::server::auth::{hash_token, new_secret, new_token};
use crate::server::store::{self, Store};
use crate::server::{RunningServer, ServerConfig};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File in a local desk holding the local agent's token (readable by the user only).
const TOKEN_FILE: &str = "local-agent.token";

/// A server running inside this process, and how to reach it.
pub struct Embedded {
    pub server: RunningServer,
    pub base_url: String,
    pub token: String,
    /// Where the client keeps its outbox.
    pub outbox: OutboxPlace,
    _demo_dir: Option<tempfile::TempDir>,
    far_side: Option<FarSide>,
}

impl Embedded {
    /// Stops the demo's customers and far sides, then the server, flushing every write.
    pub async fn stop(self) -> anyhow::Result<()> {
        if let Some(far_side) = self.far_side {
            far_side.stop().await;
        }
        self.server.shutdown().await
    }
}

/// The default data directory of the local desk.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("frontdesk")
}

/// Where replies to the team server at `base_url` wait: one file per desk (by the id the
/// server reports), adopting the file earlier versions kept per URL.
pub fn remote_outbox(base_url: &str) -> OutboxPlace {
    let dir = default_data_dir().join("outbox");
    let key = hex::encode(&Sha256::digest(base_url.as_bytes())[..8]);
    OutboxPlace::PerDesk {
        legacy: Some(dir.join(format!("{key}.db"))),
        dir,
    }
}

/// Serves the local desk in `dir`; the first run creates an admin for the user.
pub async fn local(dir: &Path) -> anyhow::Result<Embedded> {
    let server = RunningServer::start(ServerConfig::new(dir, "127.0.0.1:0")).await?;
    let token = local_token(server.store(), dir).await?;
    Ok(Embedded {
        base_url: format!("http://{}", server.addr),
        server,
        token,
        outbox: OutboxPlace::File(dir.join("outbox.db")),
        _demo_dir: None,
        far_side: None,
    })
}

/// The local agent's token, created with its agent on first use.
async fn local_token(store: &Store, dir: &Path) -> anyhow::Result<String> {
    let path = dir.join(TOKEN_FILE);
    if let Ok(token) = std::fs::read_to_string(&path) {
        let token = token.trim().to_string();
        if store.agent_for_token(hash_token(&token)).await?.is_some() {
            return Ok(token);
        }
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "you".into());
    let (token, hash) = new_token();
    let email = format!("{user}@localhost");
    match store
        .add_agent(email.clone(), user.clone(), Role::Admin, hash)
        .await
    {
        Ok(_) => {}
        Err(store::StoreError::Conflict(_)) => {
            store
                .write(move |ctx| {
                    let agent = store::agent_by_email(ctx.tx, &email)?;
                    store::add_token(ctx.tx, agent.id, &hash)
                })
                .await?;
        }
        Err(e) => return Err(e.into()),
    }
    write_private(&path, &token)?;
    Ok(token)
}

/// Writes `text` to a file only the user can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}

/// A seeded desk being served, signed in as one of its agents, with a custom channel.
pub struct SeededDesk {
    pub server: RunningServer,
    pub base_url: String,
    pub token: String,
    /// The custom channel's id, inbound endpoint and signing secret.
    pub channel_id: crate::domain::Id,
    pub inbound_url: String,
    pub secret: String,
}

/// Creates a custom channel named `name`; returns its id and secret.
pub async fn custom_channel(
    store: &Store,
    name: &str,
) -> anyhow::Result<(crate::domain::Id, String)> {
    let channel = store
        .create_channel(
            NewChannel {
                kind: ChannelKind::Custom,
                name: name.into(),
                webhook_url: None,
                settings: None,
                description: None,
                capabilities: None,
            },
            new_secret(),
        )
        .await?;
    Ok((channel.channel.id, channel.secret))
}

/// Serves the seeded desk in `dir`, signs in as one of its available agents, and opens a
/// custom channel named `channel` for simulated customers.
pub async fn serve_seeded(dir: &Path, channel: &str) -> anyhow::Result<SeededDesk> {
    serve_seeded_with(ServerConfig::new(dir, "127.0.0.1:0"), channel).await
}

/// [`serve_seeded`] with the server configured by `config`.
async fn serve_seeded_with(config: ServerConfig, channel: &str) -> anyhow::Result<SeededDesk> {
    let server = RunningServer::start(config).await?;
    let store = server.store().clone();
    let agent = store
        .agents()
        .await?
        .into_iter()
        .find(|a| a.role == Role::Agent && a.has_seat && a.available)
        .ok_or_else(|| anyhow::anyhow!("the seeded desk has no available agent"))?;
    let (token, hash) = new_token();
    store
        .write(move |ctx| store::add_token(ctx.tx, agent.id, &hash))
        .await?;
    let (channel_id, secret) = custom_channel(&store, channel).await?;
    let base_url = format!("http://{}", server.addr);
    Ok(SeededDesk {
        inbound_url: format!("{base_url}/api/v1/channels/{channel_id}/inbound"),
        channel_id,
        server,
        base_url,
        token,
        secret,
    })
}

/// A seeded desk in a temporary directory, signed in as one of its agents, with every
/// channel connected to a far side on loopback and customers writing in every few seconds.
pub async fn demo(options: DemoOptions) -> anyhow::Result<Embedded> {
    let dir = tempfile::tempdir()?;
    crate::server::seed::seed_dir(dir.path(), options.conversations, options.seed, None)?;
    let config = ServerConfig {
        allow_private_targets: true,
        ..ServerConfig::new(dir.path(), "127.0.0.1:0")
    };
    let desk = serve_seeded_with(config, "Live demo bridge").await?;
    let far_side = match FarSide::start(&desk.server, desk.channel_id, &options).await {
        Ok(far_side) => far_side,
        Err(e) => {
            desk.server.shutdown().await?;
            return Err(e);
        }
    };
    Ok(Embedded {
        server: desk.server,
        base_url: desk.base_url,
        token: desk.token,
        outbox: OutboxPlace::File(dir.path().join("outbox.db")),
        _demo_dir: Some(dir),
        far_side: Some(far_side),
    })
}
