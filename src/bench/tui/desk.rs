//! A seeded desk served in-process, and the client's start-up and filter path against it.

use super::local::key;
use super::screen::Screen;
use crate::api::NewChannel;
use crate::bench::Samples;
use crate::client::api::Api;
use crate::client::events::{self, Live};
use crate::client::outbox::Outbox;
use crate::domain::{ChannelKind, Role};
use crate::server::auth::{new_secret, new_token};
use crate::server::store;
use crate::server::{RunningServer, ServerConfig};
use crate::tui::app::{App, Effect, Msg};
use crate::tui::keymap::Keymap;
use crate::tui::run::query;
use crate::tui::theme::ColorMode;
use crossterm::event::KeyCode;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A seeded desk on loopback, signed in as one of its agents, with a custom channel.
pub struct Desk {
    pub dir: tempfile::TempDir,
    pub server: RunningServer,
    pub base_url: String,
    pub token: String,
    pub inbound_url: String,
    pub secret: String,
}

impl Desk {
    /// Seeds `conversations` in a temporary directory and serves them; also returns the
    /// seeding time.
    pub async fn start(conversations: u64) -> anyhow::Result<(Desk, Duration)> {
        let dir = tempfile::tempdir()?;
        let t0 = Instant::now();
        crate::server::seed::seed_dir(dir.path(), conversations, 1, None)?;
        let seeded = t0.elapsed();
        let server = RunningServer::start(ServerConfig::new(dir.path(), "127.0.0.1:0")).await?;
        let store = server.store().clone();
        let agent = store
            .agents()
            .await?
            .into_iter()
            .find(|a| a.role == Role::Agent && a.has_seat && a.available)
            .ok_or_else(|| anyhow::anyhow!("the seeded desk has no agent"))?;
        let (token, hash) = new_token();
        store
            .write(move |ctx| store::add_token(ctx.tx, agent.id, &hash))
            .await?;
        let channel = store
            .create_channel(
                NewChannel {
                    kind: ChannelKind::Custom,
                    name: "Bench bridge".into(),
                    webhook_url: None,
                    settings: None,
                },
                new_secret(),
            )
            .await?;
        let base_url = format!("http://{}", server.addr);
        let desk = Desk {
            inbound_url: format!("{base_url}/api/v1/channels/{}/inbound", channel.channel.id),
            secret: channel.secret,
            base_url,
            token,
            dir,
            server,
        };
        Ok((desk, seeded))
    }
}

/// The client after start-up: its state, its screen and its live event stream.
pub struct Client {
    pub app: App,
    pub screen: Screen,
    pub live: mpsc::Receiver<Live>,
    live_task: JoinHandle<()>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.live_task.abort();
    }
}

impl Client {
    /// Starts the client as `tui::run` does, up to the first drawn frame with rows, on a
    /// `width`×`height` screen; also returns how long that took.
    pub async fn start(desk: &Desk, width: u16, height: u16) -> anyhow::Result<(Client, Duration)> {
        let t0 = Instant::now();
        let api = Api::new(&desk.base_url, &desk.token)?;
        let me = api.me().await?;
        let agents = api.agents().await?;
        let mut app = App::new(me, agents, Keymap::default());
        let first = api.conversations(&query(&app.request())).await?;
        Outbox::open(&desk.dir.path().join("outbox.db"))?;
        let (live, live_task) = events::spawn(&desk.base_url, &desk.token, first.seq);
        app.update(Msg::List {
            page: first,
            append: false,
        });
        let mut screen = Screen::new(width, height, ColorMode::TrueColor)?;
        screen.draw(&app)?;
        let took = t0.elapsed();
        anyhow::ensure!(!app.list.is_empty(), "the first frame has no rows");
        let client = Client {
            app,
            screen,
            live,
            live_task,
        };
        Ok((client, took))
    }
}

/// What an agent types into the filter: words, a name, two words.
const TYPED: &[&str] = &[
    "refund",
    "password",
    "fattura",
    "garcía",
    "invoice duplicate",
];

/// Types each of [`TYPED`] `rounds` times into the list filter; per keystroke, the time from
/// the key to the answer of the `GET /api/v1/conversations?q=…` it triggers.
pub async fn keystrokes(desk: &Desk, rounds: usize) -> anyhow::Result<Samples> {
    let api = Api::new(&desk.base_url, &desk.token)?;
    let me = api.me().await?;
    let mut app = App::new(me.clone(), vec![me], Keymap::default());
    let mut samples = Samples::default();
    for _ in 0..rounds {
        for word in TYPED {
            app.update(key(KeyCode::Char('/')));
            for c in word.chars() {
                let t0 = Instant::now();
                for effect in app.update(key(KeyCode::Char(c))) {
                    if let Effect::FetchList { request, .. } = effect {
                        api.conversations(&query(&request)).await?;
                    }
                }
                samples.push(t0.elapsed());
            }
            app.update(key(KeyCode::Esc));
        }
    }
    Ok(samples)
}
