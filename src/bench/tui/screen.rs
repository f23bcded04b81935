//! A ratatui terminal whose crossterm backend writes into a byte counter instead of a TTY:
//! the buffer diff and the escape encoding run exactly as on screen.

use crate::tui::app::App;
use crate::tui::theme::{ColorMode, Theme};
use crate::tui::views;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Swallows what is written, counting the bytes in a counter the screen shares.
pub struct CountingWriter {
    bytes: Arc<AtomicU64>,
}

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One screen of a fixed size in the dark theme.
pub struct Screen {
    terminal: Terminal<CrosstermBackend<CountingWriter>>,
    theme: Theme,
    bytes: Arc<AtomicU64>,
}

/// What one draw cost.
pub struct Drawn {
    pub bytes: u64,
    pub took: Duration,
}

impl Screen {
    pub fn new(width: u16, height: u16, mode: ColorMode) -> anyhow::Result<Screen> {
        let bytes = Arc::new(AtomicU64::new(0));
        let writer = CountingWriter {
            bytes: bytes.clone(),
        };
        let terminal = Terminal::with_options(
            CrosstermBackend::new(writer),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )?;
        Ok(Screen {
            terminal,
            theme: Theme::load("dark", mode)?,
            bytes,
        })
    }

    /// Draws `app` as the client's loop does, timing it and counting what reaches the terminal.
    pub fn draw(&mut self, app: &App) -> anyhow::Result<Drawn> {
        let before = self.bytes.load(Ordering::Relaxed);
        let t0 = Instant::now();
        self.terminal.draw(|f| {
            views::draw(
                f,
                app,
                &self.theme,
                crate::domain::Timestamp::now().millis(),
            );
        })?;
        let took = t0.elapsed();
        Ok(Drawn {
            bytes: self.bytes.load(Ordering::Relaxed) - before,
            took,
        })
    }
}
