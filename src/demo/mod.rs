//! The far side of the demo desk: everything its channels' replies go to, run in-process on
//! loopback, and the simulated customers behind it. Nothing leaves the machine.
//!
//! - `webhook`: the custom channels' integration, which checks each signed reply webhook;
//! - `smtp`: the email channel's relay, a sink that takes every mail;
//! - `graph`: a stand-in for Meta's Graph API (Send API, Cloud API, user profiles);
//! - `customers`: people who write in, whose devices report replies delivered and read, and
//!   who sometimes answer, each through their channel's own inbound path.

mod customers;
mod graph;
mod smtp;
mod webhook;

use crate::api::ChannelPatch;
use crate::domain::{ChannelKind, Id};
use crate::server::RunningServer;
use crate::server::auth::new_secret;
use crate::server::channels::email::settings::{EmailSettingsInput, RelayInput, RelayTls};
use crate::server::channels::graph::Platform;
use crate::server::channels::graph::settings::{self as graph_settings, GraphSettingsInput};
use crate::server::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// How the demo desk is made and how its customers behave.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Conversations seeded.
    pub conversations: u64,
    /// Seed of the workspace and of the customers' choices: the same seed, the same story.
    pub seed: u64,
    /// Chance (0 to 1) that a customer answers a reply once they have read it.
    pub answer_chance: f64,
    /// The customers' unit of time: a reply is delivered 1–2 units after it was sent, read
    /// 1–3 units later, and answered 2–5 units after that; someone writes in every 2–5 units.
    pub pace: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            conversations: 3000,
            seed: 1,
            answer_chance: 1.0 / 3.0,
            pace: Duration::from_secs(1),
        }
    }
}

/// The page and phone number the demo's Messenger and WhatsApp channels speak for.
const PAGE_ID: &str = "104857600012345";
const PHONE_NUMBER_ID: &str = "106540352242922";

/// How the far side reaches a channel of the desk.
#[derive(Debug, Clone)]
enum Side {
    /// A custom channel: its secret signs webhooks, status reports and inbound messages.
    Custom { secret: String },
    /// The email channel: its address, and its secret to sign raw mail uploads.
    Email { secret: String, address: String },
    /// Messenger or WhatsApp: the account and the app secret that signs Meta's webhooks.
    Graph {
        platform: Platform,
        app_secret: String,
    },
    /// Live chat: visitors write over the chat's own inbound path in the store.
    Chat,
}

/// Replies the far side took and their customers have not acknowledged yet, by recipient
/// (mail address, PSID, WhatsApp id): the ids the channel gave them.
#[derive(Clone, Default)]
struct Inbox(Arc<Mutex<HashMap<String, Vec<String>>>>);

impl Inbox {
    fn put(&self, recipient: &str, id: String) {
        if let Ok(mut map) = self.0.lock() {
            map.entry(recipient.to_ascii_lowercase())
                .or_default()
                .push(id);
        }
    }

    /// The oldest id waiting for `recipient`: replies are taken in the order they were sent.
    fn take(&self, recipient: &str) -> Option<String> {
        let mut map = self.0.lock().ok()?;
        let key = recipient.to_ascii_lowercase();
        let ids = map.get_mut(&key)?;
        let id = (!ids.is_empty()).then(|| ids.remove(0));
        if ids.is_empty() {
            map.remove(&key);
        }
        id
    }
}

/// What the customers and their services share: the desk and the channels they use.
#[derive(Clone)]
struct Desk {
    url: String,
    http: reqwest::Client,
    store: Store,
    sides: Arc<HashMap<Id, Side>>,
    inbox: Inbox,
    /// The custom channel new simulated conversations arrive on.
    bridge: Id,
}

/// The running far side; [`FarSide::stop`] ends every part of it.
pub struct FarSide {
    tasks: JoinSet<()>,
}

impl FarSide {
    /// Starts the far sides on loopback, points every channel of the desk served by
    /// `server` at them, and lets customers write in, new ones on the custom channel
    /// `bridge` among others.
    pub async fn start(
        server: &RunningServer,
        bridge: Id,
        options: &DemoOptions,
    ) -> anyhow::Result<FarSide> {
        let hooks = TcpListener::bind("127.0.0.1:0").await?;
        let graph = TcpListener::bind("127.0.0.1:0").await?;
        let smtp = TcpListener::bind("127.0.0.1:0").await?;
        let hooks_url = format!("http://{}", hooks.local_addr()?);
        let graph_url = format!("http://{}/v19.0", graph.local_addr()?);
        let smtp_port = smtp.local_addr()?.port();
        let store = server.store().clone();
        let mut sides = HashMap::new();
        for channel in store.channels().await? {
            let (id, secret) = (channel.channel.id, channel.secret);
            let side = match channel.channel.kind {
                ChannelKind::Custom => {
                    let patch = ChannelPatch {
                        webhook_url: Some(Some(format!("{hooks_url}/custom/{id}"))),
                        ..Default::default()
                    };
                    store.update_channel(id, patch).await?;
                    Side::Custom { secret }
                }
                ChannelKind::Email => {
                    let address = channel.channel.settings["address"]
                        .as_str()
                        .map_or_else(|| format!("support{id}@demo.localhost"), str::to_string);
                    connect_email(&store, id, &address, smtp_port).await?;
                    Side::Email { secret, address }
                }
                kind @ (ChannelKind::Messenger | ChannelKind::Whatsapp) => {
                    let platform = Platform::of(kind).expect("a Graph kind");
                    let app_secret = connect_graph(&store, id, platform, &graph_url).await?;
                    Side::Graph {
                        platform,
                        app_secret,
                    }
                }
                ChannelKind::Chat => Side::Chat,
                ChannelKind::Form | ChannelKind::Call => continue,
            };
            sides.insert(id, side);
        }
        let secrets = sides
            .iter()
            .filter_map(|(id, side)| match side {
                Side::Custom { secret } => Some((*id, secret.clone())),
                _ => None,
            })
            .collect();
        let desk = Desk {
            url: server.url(),
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()?,
            store,
            sides: Arc::new(sides),
            inbox: Inbox::default(),
            bridge,
        };
        let mut tasks = JoinSet::new();
        tasks.spawn(webhook::serve(hooks, Arc::new(secrets)));
        tasks.spawn(graph::serve(graph, desk.inbox.clone()));
        tasks.spawn(smtp::serve(smtp, desk.inbox.clone()));
        tasks.spawn(customers::follow_replies(desk.clone(), options.clone()));
        tasks.spawn(customers::write_in(desk, options.clone()));
        Ok(FarSide { tasks })
    }

    /// Stops the customers and every far-side server.
    pub async fn stop(mut self) {
        self.tasks.shutdown().await;
    }
}

/// Gives the email channel its address and the SMTP sink as its relay.
async fn connect_email(store: &Store, id: Id, address: &str, port: u16) -> anyhow::Result<()> {
    let input = EmailSettingsInput {
        addresses: vec![address.to_string()],
        company_name: "Acme".into(),
        sender_name_mode: Default::default(),
        sender_address: None,
        signature: "{agent.first_name}, Acme support".into(),
        signature_format: Default::default(),
        forwarded_to_original_sender: true,
        relay: Some(RelayInput {
            host: "127.0.0.1".into(),
            port: Some(port),
            tls: RelayTls::None,
            username: None,
            password: None,
        }),
    };
    let valid = input.validate().map_err(|e| anyhow::anyhow!(e))?;
    store.put_email_settings(id, valid).await?;
    Ok(())
}

/// Points a Messenger or WhatsApp channel at the Graph stand-in; answers its app secret.
async fn connect_graph(
    store: &Store,
    id: Id,
    platform: Platform,
    base_url: &str,
) -> anyhow::Result<String> {
    let app_secret = new_secret();
    let (page_id, phone_number_id) = match platform {
        Platform::Messenger => (Some(PAGE_ID.to_string()), None),
        Platform::Whatsapp => (None, Some(PHONE_NUMBER_ID.to_string())),
    };
    let input = GraphSettingsInput {
        verify_token: Some(new_secret()),
        app_secret: Some(app_secret.clone()),
        page_id,
        phone_number_id,
        access_token: Some(new_secret()),
        base_url: Some(base_url.to_string()),
        ..Default::default()
    };
    graph_settings::save(store, id, input).await?;
    Ok(app_secret)
}
