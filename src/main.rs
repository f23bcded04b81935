//! The `frontdesk` command: parse the command line, hand over to the library.

use clap::{Parser, Subcommand};
use frontdesk::domain::Role;
use frontdesk::server::{self, ServerConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A keyboard-driven help desk for people who live in the terminal.
#[derive(Parser)]
#[command(name = "frontdesk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the team server.
    Serve {
        /// The desk's data directory; created if missing.
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Largest request body accepted, in bytes.
        #[arg(long, default_value_t = 1024 * 1024)]
        body_limit: usize,
        /// Seconds between websocket pings.
        #[arg(long, default_value_t = 20)]
        heartbeat: u64,
        /// Live events a websocket client may lag behind before it is disconnected.
        #[arg(long, default_value_t = 4096)]
        live_buffer: usize,
    },
    /// Fill an empty desk with a realistic, deterministic demo workspace.
    Seed {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// How many conversations to create.
        #[arg(long, default_value_t = 1000)]
        conversations: u64,
        /// The same seed always gives the same workspace.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// "Now" for the generated history (RFC 3339); defaults to the current time.
        #[arg(long)]
        anchor: Option<String>,
    },
    /// Manage agents.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Measure this machine: prints the figures the README quotes.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Create an agent; prints its API token as the last line.
    Add {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "agent")]
        role: Role,
    },
    /// Mint another API token for an existing agent; prints it as the last line.
    Token {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Seed a desk, serve it on loopback, and measure ingest, list queries and fan-out.
    Server {
        #[arg(long, default_value_t = 100_000)]
        conversations: u64,
        #[arg(long, default_value_t = 20_000)]
        ingest_messages: usize,
        #[arg(long, default_value_t = 32)]
        ingest_connections: usize,
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
        #[arg(long, default_value_t = 1_000)]
        ws_clients: usize,
        #[arg(long, default_value_t = 100)]
        fanout_messages: usize,
    },
}

fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "frontdesk=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        None => {
            eprintln!(
                "frontdesk: the agent terminal client is not built yet; run `frontdesk serve --data DIR` for the server (see --help)"
            );
            return ExitCode::from(2);
        }
        Some(Command::Serve {
            data,
            listen,
            body_limit,
            heartbeat,
            live_buffer,
        }) => {
            let config = ServerConfig {
                body_limit,
                heartbeat: Duration::from_secs(heartbeat.max(1)),
                live_buffer,
                ..ServerConfig::new(data, listen)
            };
            server::serve_until_signal(config).await
        }
        Some(Command::Seed {
            data,
            conversations,
            seed,
            anchor,
        }) => server::seed::seed_dir(&data, conversations, seed, anchor.as_deref()).map(|r| {
            println!(
                "seeded {} conversations ({} messages), {} contacts, {} companies, {} agents, {} teams, {} channels",
                r.conversations, r.messages, r.contacts, r.companies, r.agents, r.teams, r.channels
            );
        }),
        Some(Command::Bench { command }) => match command {
            BenchCommand::Server {
                conversations,
                ingest_messages,
                ingest_connections,
                queries,
                ws_clients,
                fanout_messages,
            } => {
                let opts = frontdesk::bench::ServerBench {
                    conversations,
                    ingest_messages,
                    ingest_connections,
                    queries,
                    ws_clients,
                    fanout_messages,
                };
                frontdesk::bench::run_server_bench(&opts).await
            }
        },
        Some(Command::Agent { command }) => match command {
            AgentCommand::Add {
                data,
                email,
                name,
                role,
            } => server::admin::add_agent(&data, &email, &name, role)
                .await
                .map(|(agent, token)| {
                    println!(
                        "created {} agent {} <{}> (id {})",
                        agent.role, agent.name, agent.email, agent.id
                    );
                    println!("{token}");
                })
                .map_err(Into::into),
            AgentCommand::Token { data, email } => server::admin::new_agent_token(&data, &email)
                .await
                .map(|(agent, token)| {
                    println!("new token for {} <{}>", agent.name, agent.email);
                    println!("{token}");
                })
                .map_err(Into::into),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("frontdesk: {e:#}");
            ExitCode::FAILURE
        }
    }
}
