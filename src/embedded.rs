//! The server run in-process for the terminal client: the user's local desk, and the
//! throw-away demo desk with simulated customers writing in live.

use crate::api::NewChannel;
use crate::client::outbox::OutboxPlace;
use crate::domain::{ChannelKind, Role};
use crate::server::auth::{hash_token, new_secret, new_token};
use crate::server::signature::sign;
use crate::server::store::{self, Store};
use crate::server::{RunningServer, ServerConfig};
use rand::RngExt;
use rand::seq::IndexedRandom;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    simulator: Option<tokio::task::JoinHandle<()>>,
}

impl Embedded {
    /// Stops the simulator and the server, flushing every write.
    pub async fn stop(self) -> anyhow::Result<()> {
        if let Some(s) = self.simulator {
            s.abort();
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

async fn start(dir: &Path) -> anyhow::Result<RunningServer> {
    RunningServer::start(ServerConfig::new(dir, "127.0.0.1:0")).await
}

/// Serves the local desk in `dir`; the first run creates an admin for the user.
pub async fn local(dir: &Path) -> anyhow::Result<Embedded> {
    let server = start(dir).await?;
    let token = local_token(server.store(), dir).await?;
    Ok(Embedded {
        base_url: format!("http://{}", server.addr),
        server,
        token,
        outbox: OutboxPlace::File(dir.join("outbox.db")),
        _demo_dir: None,
        simulator: None,
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
    /// The custom channel's inbound endpoint and signing secret.
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
    let server = start(dir).await?;
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
        server,
        base_url,
        token,
        secret,
    })
}

/// A seeded desk in a temporary directory, signed in as one of its agents, with customers
/// writing in through a custom channel every few seconds.
pub async fn demo(conversations: u64) -> anyhow::Result<Embedded> {
    let dir = tempfile::tempdir()?;
    crate::server::seed::seed_dir(dir.path(), conversations, 1, None)?;
    let desk = serve_seeded(dir.path(), "Live demo bridge").await?;
    let simulator = tokio::spawn(simulate(desk.inbound_url, desk.secret));
    Ok(Embedded {
        server: desk.server,
        base_url: desk.base_url,
        token: desk.token,
        outbox: OutboxPlace::File(dir.path().join("outbox.db")),
        _demo_dir: Some(dir),
        simulator: Some(simulator),
    })
}

const CUSTOMERS: &[&str] = &[
    "Lucía Fernández",
    "João Pereira",
    "Giulia Romano",
    "Oliver Bennett",
    "Amelia Clarke",
    "Mateo García",
    "Beatriz Santos",
    "Lorenzo Bianchi",
    "Noah Fischer",
    "Chloé Martin",
];

const OPENERS: &[&str] = &[
    "Hi! My order hasn't arrived yet, the tracking page shows no update since Monday.",
    "Hola, me han cobrado dos veces la suscripción de este mes.",
    "Olá, não consigo entrar na minha conta depois de mudar a senha.",
    "Ciao, la fattura di ottobre ha un importo sbagliato.",
    "The export to CSV fails with an error 500 since this morning.",
    "Can I change the delivery address of an order that already shipped?",
    "Our team needs three more seats: how do we add them?",
];

const FOLLOW_UPS: &[&str] = &[
    "Any news on this?",
    "I just tried again and it still does not work.",
    "Thanks, that fixed it!",
    "Here is a screenshot of the error.",
    "¿Hay alguna novedad?",
    "Obrigado pela ajuda!",
    "Grazie, aspetto notizie.",
];

/// Posts a customer message every 2–5 seconds: new threads and follow-ups.
async fn simulate(url: String, secret: String) {
    let http = reqwest::Client::new();
    let mut threads: Vec<(String, usize)> = Vec::new();
    for n in 0u64.. {
        let (wait, new_thread, pick) = {
            let mut rng = rand::rng();
            (
                rng.random_range(2000..5000),
                threads.is_empty() || rng.random_bool(0.4),
                rng.random_range(0..usize::MAX),
            )
        };
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let (thread, customer, text) = if new_thread {
            let customer = pick % CUSTOMERS.len();
            let thread = format!("demo-{n}");
            threads.push((thread.clone(), customer));
            (thread, customer, OPENERS[pick % OPENERS.len()])
        } else {
            let (thread, customer) = threads[pick % threads.len()].clone();
            let text = FOLLOW_UPS
                .choose(&mut rand::rng())
                .copied()
                .unwrap_or("Hello?");
            (thread, customer, text)
        };
        let body = serde_json::json!({
            "thread_id": thread,
            "sender": {"id": format!("demo-customer-{customer}"), "name": CUSTOMERS[customer]},
            "text": text,
        })
        .to_string();
        let sent = http
            .post(&url)
            .header("x-frontdesk-signature", sign(&secret, body.as_bytes()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "demo customer could not write in");
        }
    }
}
