//! `frontdesk bench server` and `frontdesk bench tui`: figures of the help desk server on a
//! seeded desk, and of the terminal client.
//!
//! Everything runs on this machine over loopback: a desk is seeded in a temporary directory,
//! a real server listens on a free port, and real HTTP and websocket clients measure it.

mod fanout;
mod ingest;
mod queries;
mod stats;
mod tui;

use crate::domain::Timestamp;
use crate::server::auth::new_token;
use crate::server::seed::{SeedOptions, seed};
use crate::server::store::open_connection;
use crate::server::{RunningServer, ServerConfig};
use std::time::Instant;

pub use stats::{Ms, Samples};
pub use tui::{TuiBench, run_tui_bench};

/// What the server benchmark does.
#[derive(Debug, Clone)]
pub struct ServerBench {
    /// Conversations seeded before measuring.
    pub conversations: u64,
    /// Inbound messages posted for the ingest figure.
    pub ingest_messages: usize,
    /// Concurrent HTTP connections posting them.
    pub ingest_connections: usize,
    /// List queries measured per kind (filters, text search).
    pub queries: usize,
    /// Connected websocket agents for the fan-out figure.
    pub ws_clients: usize,
    /// Messages whose delivery to every agent is timed.
    pub fanout_messages: usize,
}

impl Default for ServerBench {
    fn default() -> Self {
        ServerBench {
            conversations: 100_000,
            ingest_messages: 20_000,
            ingest_connections: 32,
            queries: 2_000,
            ws_clients: 1_000,
            fanout_messages: 100,
        }
    }
}

/// The URL and credentials of the server under test.
pub struct Target {
    pub base: String,
    pub token: String,
    pub channel_id: i64,
    pub secret: String,
}

/// Runs every server measurement and prints the figures as it goes.
pub async fn run_server_bench(opts: &ServerBench) -> anyhow::Result<()> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let dir = tempfile::tempdir()?;
    crate::outln!(
        "frontdesk server bench: {} conversations, {} cores",
        opts.conversations,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    )?;

    let started = Instant::now();
    let mut conn = open_connection(dir.path())?;
    let report = seed(
        &mut conn,
        &SeedOptions {
            conversations: opts.conversations,
            seed: 1,
            anchor: Timestamp::now(),
        },
    )?;
    drop(conn);
    crate::outln!(
        "seed          {} conversations, {} messages in {:.1} s",
        report.conversations,
        report.messages,
        started.elapsed().as_secs_f64()
    )?;

    let server = RunningServer::start(ServerConfig::new(dir.path(), "127.0.0.1:0")).await?;
    let (token, hash) = new_token();
    server
        .store()
        .add_agent(
            "bench@frontdesk.example".into(),
            "Bench".into(),
            crate::domain::Role::Admin,
            hash,
        )
        .await?;
    let (channel_id, secret) =
        crate::embedded::custom_channel(server.store(), "Bench bridge").await?;
    let target = Target {
        base: format!("http://{}", server.addr),
        token,
        channel_id,
        secret,
    };

    let ingest = ingest::run(&target, opts.ingest_messages, opts.ingest_connections).await?;
    crate::outln!(
        "ingest        {} inbound msgs over HTTP, {} connections: {:.0} msg/s; latency {}",
        opts.ingest_messages,
        opts.ingest_connections,
        ingest.rate,
        ingest.latency
    )?;

    let (filters, search) = queries::run(&target, server.store(), opts.queries).await?;
    crate::outln!("list filters  {filters}")?;
    crate::outln!("list q search {search}")?;

    let fan = fanout::run(
        &target,
        server.store(),
        opts.ws_clients,
        opts.fanout_messages,
    )
    .await?;
    crate::outln!(
        "fan-out       {} agents x {} msgs, {} deliveries",
        opts.ws_clients,
        opts.fanout_messages,
        fan.delivered
    )?;
    crate::outln!("  commit->agent {}", fan.from_commit)?;
    crate::outln!("  post->agent   {}", fan.from_post)?;

    server.shutdown().await?;
    Ok(())
}
