//! The `frontdesk` command: parse the command line, hand over to the library.

use clap::{CommandFactory, Parser, Subcommand};
use frontdesk::outln;
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
    #[command(flatten)]
    client: ClientArgs,
}

/// How the terminal client connects and looks.
#[derive(clap::Args)]
#[command(next_help_heading = "Agent client options")]
struct ClientArgs {
    /// A team server's URL; without one, the client serves the local desk itself.
    #[arg(long, env = "FRONTDESK_SERVER", global = true)]
    server: Option<String>,
    /// The API token for --server.
    #[arg(long, env = "FRONTDESK_TOKEN", global = true, hide_env_values = true)]
    token: Option<String>,
    /// A PEM CA certificate to trust for an https:// server, besides the system's roots.
    #[arg(long, env = "FRONTDESK_CA_CERT", global = true)]
    ca_cert: Option<PathBuf>,
    /// The local desk's directory (default: the XDG data dir).
    #[arg(long = "data", env = "FRONTDESK_DATA")]
    local_data: Option<PathBuf>,
    /// Theme: dark, light, high-contrast, or a path to a theme file [default: dark].
    #[arg(long, env = "FRONTDESK_THEME", global = true)]
    theme: Option<String>,
    /// Config file (default: config.toml in the XDG config dir, when it exists).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Keymap file (default: keymap.toml in the XDG config dir, when it exists).
    #[arg(long, global = true)]
    keymap: Option<PathBuf>,
    /// Canned replies file (default: canned.toml in the XDG config dir, when it exists).
    #[arg(long, global = true)]
    canned: Option<PathBuf>,
    /// No terminal bell on new activity for you.
    #[arg(long, env = "FRONTDESK_NO_BELL", global = true)]
    no_bell: bool,
    /// Also send desktop notifications (OSC 9: iTerm2, WezTerm, Windows Terminal, kitty…).
    #[arg(long, env = "FRONTDESK_NOTIFY", global = true)]
    notify: bool,
    /// Leave the mouse to the terminal (its own text selection) instead of clicks and wheel.
    #[arg(long, env = "FRONTDESK_NO_MOUSE", global = true)]
    no_mouse: bool,
}

#[derive(Subcommand)]
enum Command {
    /// The client on a throw-away seeded desk with customers writing in live.
    Demo {
        /// Conversations in the demo desk.
        #[arg(long, default_value_t = 3000)]
        conversations: u64,
    },
    /// Run the team server.
    Serve {
        /// The desk's data directory; created if missing.
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// PEM certificate chain: serve HTTPS and WSS (needs --tls-key).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key of --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Largest request body accepted, in bytes.
        #[arg(long, default_value_t = 1024 * 1024)]
        body_limit: usize,
        /// Seconds between websocket pings.
        #[arg(long, default_value_t = 20)]
        heartbeat: u64,
        /// Live events a websocket client may lag behind before it is disconnected.
        #[arg(long, default_value_t = 4096)]
        live_buffer: usize,
        /// Milliseconds a "writing" notice holds on the event stream unless refreshed.
        #[arg(long, default_value_t = 10_000)]
        presence_ttl_ms: u64,
        /// Milliseconds before the first retry of a reply its channel could not take; the
        /// wait doubles after each further failure.
        #[arg(long, default_value_t = 1000)]
        delivery_retry_ms: u64,
        /// Attempts at a reply before it is marked failed.
        #[arg(long, default_value_t = 16)]
        delivery_attempts: u32,
        /// Also accept team email over SMTP on this address (port 0 picks a free port).
        #[arg(long)]
        smtp_listen: Option<String>,
        /// Largest mail accepted over SMTP or upload, in bytes.
        #[arg(long, default_value_t = 25 * 1024 * 1024)]
        mail_max_bytes: usize,
        /// Largest single mail attachment, in bytes.
        #[arg(long, default_value_t = 10 * 1024 * 1024)]
        mail_max_attachment_bytes: usize,
        #[command(flatten)]
        http_limits: HttpLimitArgs,
        #[command(flatten)]
        inbound_mail: InboundMailArgs,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        proxy: ProxyArgs,
        #[command(flatten)]
        search: SearchArgs,
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
    /// Set up customer portals and invite customers.
    Portal {
        #[command(subcommand)]
        command: PortalCommand,
    },
    /// Manage agents and their API tokens: add, list, token, revoke-token, deactivate,
    /// activate, set-role.
    Agent {
        #[command(subcommand)]
        command: frontdesk::cli::agent::AgentCommand,
    },
    /// Manage the desk's shared canned replies: list, add, edit, rm.
    Canned {
        #[command(subcommand)]
        command: frontdesk::cli::canned::CannedCommand,
    },
    /// Manage channels: list, add, edit, turn off and on, delete.
    Channel {
        #[command(subcommand)]
        command: frontdesk::cli::channel::ChannelCommand,
    },
    #[command(flatten)]
    Script(frontdesk::cli::ScriptCommand),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    Completions { shell: clap_complete::Shell },
    /// Write man pages (frontdesk.1 and one per subcommand) into DIR.
    Man {
        #[arg(value_hint = clap::ValueHint::DirPath)]
        dir: PathBuf,
    },
    /// Measure this machine: prints the figures the README quotes.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

/// How the customer portal sends mail and builds the links in it.
#[derive(clap::Args)]
struct MailArgs {
    /// SMTP relay for portal mail: smtp://host:port, smtp://host:587?tls=required,
    /// smtps://user:pass@host. Without one, no portal mail is sent (the log says so).
    #[arg(long, env = "FRONTDESK_SMTP_RELAY", hide_env_values = true)]
    smtp_relay: Option<String>,
    /// Sender of portal mail.
    #[arg(
        long,
        env = "FRONTDESK_MAIL_FROM",
        default_value = "Support <support@localhost>"
    )]
    mail_from: String,
    /// The URL customers reach this server at (for links in mail; https:// also makes
    /// portal cookies Secure). Default: http:// and the listen address.
    #[arg(long, env = "FRONTDESK_PUBLIC_URL")]
    public_url: Option<String>,
}

/// How long and how many HTTP connections may take.
#[derive(clap::Args)]
struct HttpLimitArgs {
    /// Seconds a client may take to send a request's line and headers (and an idle
    /// keep-alive connection stays open); slower ones are closed.
    #[arg(long, default_value_t = 30)]
    http_header_timeout: u64,
    /// Seconds a client may take to send a request's body; slower ones get 408 and are closed.
    #[arg(long, default_value_t = 60)]
    http_body_timeout: u64,
    /// HTTP connections open at once, websockets included; more are closed at once.
    #[arg(long, default_value_t = 10_000)]
    max_connections: usize,
}

/// How much inbound mail may ask of the server.
#[derive(clap::Args)]
struct InboundMailArgs {
    /// Most attachments one mail may carry (SMTP or upload).
    #[arg(long, default_value_t = 100)]
    mail_max_attachments: usize,
    /// SMTP sessions one client address may hold open at once.
    #[arg(long, default_value_t = 10)]
    smtp_max_per_address: usize,
    /// Seconds an SMTP session may go without progress on a mail (NOOP, RSET and other
    /// no-op commands do not count) before it is closed.
    #[arg(long, default_value_t = 300)]
    smtp_idle_timeout: u64,
    /// Seconds an SMTP session may last in all.
    #[arg(long, default_value_t = 1800)]
    smtp_session_timeout: u64,
}

/// How the team server sees its clients.
#[derive(clap::Args)]
struct ProxyArgs {
    /// Behind a reverse proxy: take the client address (for the per-address limits of the
    /// portal, chat and web forms) from the last X-Forwarded-For entry. Only with a proxy
    /// that sets it.
    #[arg(long, env = "FRONTDESK_TRUST_PROXY")]
    trust_proxy: bool,
    /// Let channel webhooks and Graph base URLs point at loopback, link-local and private
    /// addresses (refused by default).
    #[arg(long, env = "FRONTDESK_ALLOW_PRIVATE_TARGETS")]
    allow_private_targets: bool,
}

/// How much work one text search may do.
#[derive(clap::Args)]
struct SearchArgs {
    /// Milliseconds one text search (`q=`) may run before it is stopped with
    /// `503 search_too_broad`; 0 stops every search at its first check.
    #[arg(long, default_value_t = 2000)]
    search_timeout_ms: u64,
}

/// The settings of a portal, for `portal add` and `portal edit`.
#[derive(clap::Args)]
struct PortalSettings {
    /// Page title shown to customers.
    #[arg(long)]
    name: Option<String>,
    /// The portal is served at /portal/SLUG.
    #[arg(long)]
    slug: Option<String>,
    /// en, es, pt or it.
    #[arg(long)]
    language: Option<frontdesk::api::portal::Language>,
    /// Channel id that receives tickets opened on the portal (add: a new form channel).
    #[arg(long)]
    channel: Option<i64>,
    /// contact (only the customer's tickets) or company (also their company's).
    #[arg(long)]
    visibility: Option<frontdesk::api::portal::Visibility>,
    /// open (contacts may sign up) or invitation (only invited people).
    #[arg(long)]
    access: Option<frontdesk::api::portal::Access>,
}

#[derive(Subcommand)]
enum PortalCommand {
    /// Create a portal (--name and --slug required); prints it as JSON.
    Add {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[command(flatten)]
        settings: PortalSettings,
    },
    /// Change a portal's settings; prints it as JSON.
    Edit {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// The portal's slug or id.
        #[arg(long)]
        portal: String,
        #[command(flatten)]
        settings: PortalSettings,
        /// Turn the portal on.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Turn the portal off: it answers 404 to everyone.
        #[arg(long)]
        disable: bool,
    },
    /// List portals as JSON.
    List {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
    },
    /// Invite a customer; prints the single-use link as the last line.
    Invite {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// The portal's slug or id.
        #[arg(long)]
        portal: String,
        #[arg(long)]
        email: String,
        /// The contact's name, when no contact has this address yet.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        mail: MailArgs,
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
    /// Measure the terminal client: frame time, bytes to the terminal, filtering, start-up,
    /// live latency and memory, against an in-process seeded desk.
    Tui {
        #[arg(long, default_value_t = 100_000)]
        conversations: u64,
        /// Frames timed at 200x50.
        #[arg(long, default_value_t = 500)]
        frames: usize,
        /// Also time filtering on a desk of 1,000,000 conversations (seeding takes minutes).
        #[arg(long)]
        million: bool,
    },
}

fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "frontdesk=info".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

/// Scripting commands keep stderr for their own errors: only warnings of the desk they
/// serve get there.
fn init_quiet_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "frontdesk=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
}

/// The terminal client logs to a file: nothing may write over the screen.
fn init_file_logging() {
    let dir = dirs::state_dir()
        .or_else(dirs::cache_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("frontdesk");
    let file = std::fs::create_dir_all(&dir).and_then(|_| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("frontdesk.log"))
    });
    if let Ok(file) = file {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "frontdesk=info".into()),
            )
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .init();
    }
}

/// Runs the terminal client against a remote server, the local desk, or a demo desk.
async fn client(mut args: ClientArgs, demo: Option<u64>) -> anyhow::Result<()> {
    // Flags and environment first, then the config file.
    let config = frontdesk::tui::config::load(args.config.as_deref())?;
    args.server = args.server.or(config.server);
    let token_command = config.token_command;
    let config_token = config.token;
    args.local_data = args.local_data.or(config.data);
    let trust = match args.ca_cert.or(config.ca_cert) {
        Some(path) => frontdesk::client::tls::Trust::with_ca_file(&path)?,
        None => frontdesk::client::tls::Trust::system(),
    };
    let bell = match config.bell {
        _ if args.no_bell => frontdesk::tui::app::BellPolicy::Off,
        Some(setting) => setting.policy(),
        None => frontdesk::tui::app::BellPolicy::Mine,
    };
    let notify = args.notify || config.notify.unwrap_or(false);
    let mouse = !args.no_mouse && config.mouse.unwrap_or(true);
    let theme_name = args.theme.or(config.theme).unwrap_or_else(|| "dark".into());
    let theme = frontdesk::tui::theme::Theme::load(
        &theme_name,
        frontdesk::tui::theme::ColorMode::detect(),
    )?;
    let keymap = frontdesk::tui::keymap::Keymap::load(args.keymap.as_deref())?;
    let canned = frontdesk::tui::canned::load(args.canned.as_deref())?;
    let (embedded, base_url, token, outbox) = match (demo, args.server) {
        (Some(n), _) => {
            eprintln!("seeding a demo desk of {n} conversations…");
            let options = frontdesk::demo::DemoOptions {
                conversations: n,
                ..Default::default()
            };
            let e = frontdesk::embedded::demo(options).await?;
            let (url, token, outbox) = (e.base_url.clone(), e.token.clone(), e.outbox.clone());
            (Some(e), url, token, outbox)
        }
        (None, Some(server)) => {
            // Flag or environment, else the config's command, else its plain value.
            let token = match (args.token, token_command, config_token) {
                (Some(t), _, _) => t,
                (None, Some(command), _) => frontdesk::tui::config::run_token_command(&command)?,
                (None, None, Some(t)) => t,
                (None, None, None) => anyhow::bail!(
                    "--server needs a token: FRONTDESK_TOKEN, token_command in the config, or --token"
                ),
            };
            let server = server.trim_end_matches('/').to_string();
            let outbox = frontdesk::embedded::remote_outbox(&server);
            (None, server, token, outbox)
        }
        (None, None) => {
            let dir = args
                .local_data
                .unwrap_or_else(frontdesk::embedded::default_data_dir);
            let e = frontdesk::embedded::local(&dir).await?;
            let (url, token, outbox) = (e.base_url.clone(), e.token.clone(), e.outbox.clone());
            (Some(e), url, token, outbox)
        }
    };
    let session = frontdesk::tui::run::Session {
        base_url,
        token,
        trust,
        outbox,
        theme,
        keymap,
        bell,
        notify,
        mouse,
        canned,
    };
    let result = frontdesk::tui::run::run(session).await;
    if let Some(e) = embedded {
        e.stop().await?;
    }
    result
}

/// The desk the scripting commands talk to, as the client options name it.
fn target(args: ClientArgs) -> frontdesk::cli::desk::Target {
    frontdesk::cli::desk::Target {
        server: args.server,
        token: args.token,
        ca_cert: args.ca_cert,
        config: args.config,
        data: args.local_data,
    }
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?)
}

/// `frontdesk portal ...`, straight on the data directory.
async fn portal(command: PortalCommand) -> anyhow::Result<()> {
    use frontdesk::api::portal::{Access, Language, NewPortal, PortalPatch, Visibility};
    use server::portal::admin;
    match command {
        PortalCommand::Add { data, settings } => {
            let new = NewPortal {
                name: settings
                    .name
                    .ok_or_else(|| anyhow::anyhow!("--name is required"))?,
                slug: settings
                    .slug
                    .ok_or_else(|| anyhow::anyhow!("--slug is required"))?,
                language: settings.language.unwrap_or(Language::En),
                channel_id: settings.channel,
                visibility: settings.visibility.unwrap_or(Visibility::Contact),
                access: settings.access.unwrap_or(Access::Open),
            };
            print_json(&admin::add(&data, new).await?)
        }
        PortalCommand::Edit {
            data,
            portal,
            settings,
            enable,
            disable,
        } => {
            let patch = PortalPatch {
                name: settings.name,
                slug: settings.slug,
                language: settings.language,
                channel_id: settings.channel,
                visibility: settings.visibility,
                access: settings.access,
                enabled: (enable || disable).then_some(enable),
            };
            print_json(&admin::edit(&data, &portal, patch).await?)
        }
        PortalCommand::List { data } => print_json(&admin::list(&data).await?),
        PortalCommand::Invite {
            data,
            portal,
            email,
            name,
            mail,
        } => {
            let public_url = mail
                .public_url
                .ok_or_else(|| anyhow::anyhow!("--public-url is required to build the link"))?;
            let invitation = admin::invite_cli(
                &data,
                &portal,
                &email,
                name,
                (mail.smtp_relay.as_deref(), &mail.mail_from),
                &public_url,
            )
            .await?;
            outln!(
                "invited {} to portal {} (contact {}); {}; the link is valid until {}\n{}",
                invitation.email,
                invitation.portal_id,
                invitation.contact_id,
                if invitation.mailed {
                    "the invitation was mailed"
                } else {
                    "no mail was sent: give them the link"
                },
                invitation.expires_at,
                invitation.url
            )
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit 0, usage errors 2.
        Err(e) => e.exit(),
    };
    match cli.command {
        None | Some(Command::Demo { .. }) => init_file_logging(),
        Some(Command::Script(_) | Command::Completions { .. }) => init_quiet_logging(),
        Some(_) => init_logging(),
    }
    let result = match cli.command {
        None => client(cli.client, None).await,
        Some(Command::Demo { conversations }) => client(cli.client, Some(conversations)).await,
        Some(Command::Serve {
            data,
            listen,
            tls_cert,
            tls_key,
            body_limit,
            heartbeat,
            presence_ttl_ms,
            live_buffer,
            delivery_retry_ms,
            delivery_attempts,
            smtp_listen,
            mail_max_bytes,
            mail_max_attachment_bytes,
            http_limits,
            inbound_mail,
            mail,
            proxy,
            search,
        }) => {
            let config = ServerConfig {
                tls: tls_cert
                    .zip(tls_key)
                    .map(|(cert, key)| server::tls::TlsFiles { cert, key }),
                body_limit,
                http: server::HttpLimits {
                    header_timeout: Duration::from_secs(http_limits.http_header_timeout.max(1)),
                    body_timeout: Duration::from_secs(http_limits.http_body_timeout.max(1)),
                    max_connections: http_limits.max_connections.max(1),
                },
                heartbeat: Duration::from_secs(heartbeat.max(1)),
                live_buffer,
                presence_ttl: Duration::from_millis(presence_ttl_ms.max(1)),
                delivery: server::delivery::RetryPolicy {
                    base: Duration::from_millis(delivery_retry_ms.max(1)),
                    max_attempts: delivery_attempts.max(1),
                    ..Default::default()
                },
                smtp_listen,
                mail_max_bytes,
                mail_max_attachment_bytes,
                mail_max_attachments: inbound_mail.mail_max_attachments,
                smtp_sessions: server::channels::email::smtp::SessionLimits {
                    per_address: inbound_mail.smtp_max_per_address.max(1),
                    idle: Duration::from_secs(inbound_mail.smtp_idle_timeout.max(1)),
                    lifetime: Duration::from_secs(inbound_mail.smtp_session_timeout.max(1)),
                },
                smtp_relay: mail.smtp_relay,
                mail_from: mail.mail_from,
                public_url: mail.public_url,
                trust_proxy: proxy.trust_proxy,
                search_timeout: Duration::from_millis(search.search_timeout_ms),
                allow_private_targets: proxy.allow_private_targets,
                ..ServerConfig::new(data, listen)
            };
            server::serve_until_signal(config).await
        }
        Some(Command::Seed {
            data,
            conversations,
            seed,
            anchor,
        }) => server::seed::seed_dir(&data, conversations, seed, anchor.as_deref()).and_then(|r| {
            outln!(
                "seeded {} conversations ({} messages), {} contacts, {} companies, {} agents, {} teams, {} channels",
                r.conversations, r.messages, r.contacts, r.companies, r.agents, r.teams, r.channels
            )
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
            BenchCommand::Tui {
                conversations,
                frames,
                million,
            } => {
                let opts = frontdesk::bench::TuiBench {
                    conversations,
                    frames,
                    million,
                };
                frontdesk::bench::run_tui_bench(&opts).await
            }
        },
        Some(Command::Channel { command }) => frontdesk::cli::channel::run(command).await,
        Some(Command::Portal { command }) => portal(command).await,
        Some(Command::Agent { command }) => frontdesk::cli::agent::run(command).await,
        Some(Command::Canned { command }) => frontdesk::cli::canned::run(command).await,
        Some(Command::Script(command)) => frontdesk::cli::run(command, target(cli.client)).await,
        Some(Command::Completions { shell }) => {
            frontdesk::cli::completions::print(shell, Cli::command(), target(cli.client)).await
        }
        Some(Command::Man { dir }) => frontdesk::cli::man::write(Cli::command(), &dir),
    };
    frontdesk::cli::exit::finish(result)
}
