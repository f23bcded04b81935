//! A seeded desk served in-process, and the client's start-up and filter path against it.

use super::local::key;
use super::screen::Screen;
use crate::bench::Samples;
use crate::client::api::Api;
use crate::client::events::{self, Live};
use crate::client::outbox::Outbox;
use crate::server::RunningServer;
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
        let seeded_desk = crate::embedded::serve_seeded(dir.path(), "Bench bridge").await?;
        let desk = Desk {
            inbound_url: seeded_desk.inbound_url,
            secret: seeded_desk.secret,
            base_url: seeded_desk.base_url,
            token: seeded_desk.token,
            dir,
            server: seeded_desk.server,
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
        let first = api.conversations(&query(&app.list.request())).await?;
        Outbox::open(&desk.dir.path().join("outbox.db"))?;
        let (live, live_task) = events::spawn(&desk.base_url, &desk.token, first.seq);
        for effect in app.start() {
            if let Effect::FetchList { generation, .. } = effect {
                app.update(Msg::List {
                    page: first.clone(),
                    append: false,
                    generation,
                });
            }
        }
        let mut screen = Screen::new(width, height, ColorMode::TrueColor)?;
        screen.draw(&app)?;
        let took = t0.elapsed();
        anyhow::ensure!(!app.list.rows.is_empty(), "the first frame has no rows");
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

/// Keystroke timings, and the filter texts behind the slowest ones.
pub struct Keystrokes {
    pub samples: Samples,
    /// The slowest keystrokes: the filter text after the key, and the time.
    pub slowest: Vec<(String, Duration)>,
}

impl std::fmt::Display for Keystrokes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; slowest:", self.samples)?;
        for (text, took) in &self.slowest {
            write!(f, " {text:?} {:.1} ms", took.as_secs_f64() * 1e3)?;
        }
        Ok(())
    }
}

/// Types each of [`TYPED`] `rounds` times into the list filter; per keystroke, the time from
/// the key to the answer of the `GET /api/v1/conversations?q=…` it triggers.
pub async fn keystrokes(desk: &Desk, rounds: usize) -> anyhow::Result<Keystrokes> {
    let api = Api::new(&desk.base_url, &desk.token)?;
    let me = api.me().await?;
    let mut app = App::new(me.clone(), vec![me], Keymap::default());
    let mut samples = Samples::default();
    let mut each = Vec::new();
    for _ in 0..rounds {
        for word in TYPED {
            app.update(key(KeyCode::Char('/')));
            for c in word.chars() {
                let t0 = Instant::now();
                for effect in app.update(key(KeyCode::Char(c))) {
                    if let Effect::FetchList {
                        request,
                        append,
                        generation,
                    } = effect
                    {
                        let page = api.conversations(&query(&request)).await?;
                        app.update(Msg::List {
                            page,
                            append,
                            generation,
                        });
                    }
                }
                samples.push(t0.elapsed());
                each.push((app.list.filter.clone(), t0.elapsed()));
            }
            app.update(key(KeyCode::Esc));
        }
    }
    each.sort_by_key(|(_, took)| std::cmp::Reverse(*took));
    each.truncate(4);
    Ok(Keystrokes {
        samples,
        slowest: each,
    })
}
