//! `frontdesk bench tui`: figures of the terminal client, measured on this machine.
//!
//! Drawing runs the real views into a ratatui terminal whose crossterm backend counts bytes
//! instead of writing to a TTY (24-bit colour unless said otherwise); the network figures run the client's own calls against a
//! seeded desk served in-process on loopback; idle output runs this very binary in a
//! pseudo-terminal.

mod data;
mod desk;
mod idle;
mod live;
mod local;
mod screen;

use super::Samples;
use crate::tui::theme::ColorMode;
use desk::{Client, Desk};

/// What the terminal client benchmark does.
#[derive(Debug, Clone)]
pub struct TuiBench {
    /// Conversations in the App's list and in the seeded desk.
    pub conversations: u64,
    /// Frames timed at 200×50.
    pub frames: usize,
    /// Also time filtering on a desk of 1,000,000 conversations (seeding takes minutes).
    pub million: bool,
}

/// Customer messages per second, and for how long, in the commit-to-screen figure.
const LIVE_RATE: u32 = 100;
const LIVE_SECS: u32 = 10;
/// Characters of the draft in the editor keystroke figure.
const EDITOR_CHARS: usize = 10_000;
/// Seconds the real client is watched doing nothing.
const IDLE_SECS: u64 = 10;

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// Runs every client measurement and prints the figures as it goes.
pub async fn run_tui_bench(opts: &TuiBench) -> anyhow::Result<()> {
    let n = opts.conversations;
    crate::outln!(
        "frontdesk tui bench: {n} conversations, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    )?;

    let before = local::rss();
    let mut app = local::loaded_app(n);
    match (before, local::rss()) {
        (Some(b), Some(a)) => crate::outln!(
            "rss           {n} conversations in the App: +{} (process total {})",
            mb(a.saturating_sub(b)),
            mb(a)
        )?,
        _ => crate::outln!("rss           not measured: no /proc/self/status")?,
    }
    let frames = local::frame_times(&mut app, 200, 50, opts.frames)?;
    crate::outln!("frame 200x50  {frames}")?;
    for (mode, name) in [
        (ColorMode::TrueColor, "24-bit"),
        (ColorMode::Ansi256, "256   "),
    ] {
        let b = local::bytes(&mut app, mode)?;
        crate::outln!(
            "bytes 80x24 {name}  first frame {} B; j at the top {} B; j deep in the list {} B; j at the window's edge (scrolls) {} B; new message in the open thread {} B",
            b.full,
            b.move_top,
            b.move_deep,
            b.move_edge,
            b.message
        )?;
    }
    let editor = local::editor_keystrokes(&mut app, EDITOR_CHARS, opts.frames, 120, 40)?;
    crate::outln!(
        "editor key    {EDITOR_CHARS}-character draft, key to frame at 120x40: {editor}"
    )?;
    drop(app);

    let (desk, seeded) = Desk::start(n).await?;
    crate::outln!(
        "seed          {n} conversations in {:.1} s",
        seeded.as_secs_f64()
    )?;
    let mut first = Samples::default();
    for _ in 0..10 {
        first.push(Client::start(&desk, 200, 50).await?.1);
    }
    crate::outln!("first frame   {first}")?;
    crate::outln!("keystroke     {}", desk::keystrokes(&desk, 5).await?)?;
    let (mut client, _) = Client::start(&desk, 200, 50).await?;
    let live = live::commit_to_screen(&desk, &mut client, LIVE_RATE, LIVE_SECS).await?;
    crate::outln!("commit->screen {LIVE_RATE} msg/s for {LIVE_SECS} s: {live}")?;
    drop(client);
    match idle::measure(&desk, IDLE_SECS).await? {
        Some(i) => crate::outln!(
            "idle 80x24    {} B in {IDLE_SECS} s (real client in a pty; {} B before, first frame included)",
            i.idle,
            i.startup
        )?,
        None => crate::outln!("idle 80x24    not measured: script(1) is not installed")?,
    }
    desk.server.shutdown().await?;

    if opts.million {
        let (desk, seeded) = Desk::start(1_000_000).await?;
        crate::outln!(
            "seed          1000000 conversations in {:.1} s",
            seeded.as_secs_f64()
        )?;
        crate::outln!("keystroke 1M  {}", desk::keystrokes(&desk, 3).await?)?;
        desk.server.shutdown().await?;
    }
    Ok(())
}
