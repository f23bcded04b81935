//! Figures without a server: the App holding a long list, drawn into a counting terminal.

use super::data;
use super::screen::Screen;
use crate::api::ConversationPage;
use crate::bench::Samples;
use crate::domain::Timestamp;
use crate::tui::app::{App, Msg, PAGE, Pane, Slot};
use crate::tui::keymap::Keymap;
use crate::tui::theme::ColorMode;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key press as the terminal reports it.
pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// An App that received `n` generated conversations in `Msg::List` pages, as when scrolling
/// through the whole list.
pub fn loaded_app(n: u64) -> App {
    let agents = data::agents();
    let mut app = App::new(agents[0].clone(), agents, Keymap::default());
    let now = Timestamp::now();
    let mut start = 0;
    while start < n {
        let end = (start + PAGE as u64).min(n);
        let page = ConversationPage {
            items: (start..end).map(|i| data::conversation(i, now)).collect(),
            next_cursor: (end < n).then(|| format!("cursor-{end}")),
            seq: 1,
        };
        // As the client's loop answers its requests: the first page, then next pages.
        app.list.paging = start > 0;
        app.update(Msg::List {
            page,
            append: start > 0,
            generation: app.gens.current(Slot::List),
        });
        start = end;
    }
    app
}

/// Draw time at `width`×`height` over `frames` frames, the selection moving down one row each.
pub fn frame_times(
    app: &mut App,
    width: u16,
    height: u16,
    frames: usize,
) -> anyhow::Result<Samples> {
    let mut screen = Screen::new(width, height, ColorMode::TrueColor)?;
    screen.draw(app)?;
    let mut samples = Samples::default();
    for _ in 0..frames {
        app.update(key(KeyCode::Char('j')));
        samples.push(screen.draw(app)?.took);
    }
    Ok(samples)
}

/// Bytes written at 80×24 by the frames that matter for a slow link.
pub struct Bytes {
    pub full: u64,
    /// One `j` near the top of the list, where the rows stay put.
    pub move_top: u64,
    /// One `j` deep in the list, inside the visible window.
    pub move_deep: u64,
    /// One `j` on the last visible row, which scrolls the list by a row.
    pub move_edge: u64,
    /// A customer's message arriving in the open thread (the conversation at the list's top).
    pub message: u64,
}

/// Measures [`Bytes`] on `app` in colour `mode`, starting from the list alone; leaves the
/// first conversation open.
pub fn bytes(app: &mut App, mode: ColorMode) -> anyhow::Result<Bytes> {
    let mut screen = Screen::new(80, 24, mode)?;
    // As the client's loop tells it: 24 rows less status bar, borders, tabs and filter.
    app.update(Msg::Resize { list_rows: 19 });
    (app.thread.open, app.thread.loaded) = (None, None);
    app.focus = Pane::List;
    (app.list.selected, app.list.top) = (0, 0);
    let full = screen.draw(app)?.bytes;
    app.update(key(KeyCode::Char('j')));
    let move_top = screen.draw(app)?.bytes;

    app.list.selected = app.list.rows.len() / 2;
    app.list.top = app.list.selected - 9;
    screen.draw(app)?;
    app.update(key(KeyCode::Char('j')));
    let move_deep = screen.draw(app)?.bytes;

    app.list.top = app.list.selected + 1 - app.list.height;
    screen.draw(app)?;
    app.update(key(KeyCode::Char('j')));
    let move_edge = screen.draw(app)?.bytes;

    (app.list.selected, app.list.top) = (0, 0);
    app.update(key(KeyCode::Enter));
    let open = app.list.current().cloned().expect("a loaded list");
    let generation = app.gens.current(Slot::Thread);
    app.update(Msg::Conversation {
        detail: data::detail(&open, 12),
        generation,
    });
    screen.draw(app)?;
    app.update(Msg::Live(data::customer_writes(&open, 5_000, 2)));
    let message = screen.draw(app)?.bytes;
    Ok(Bytes {
        full,
        move_top,
        move_deep,
        move_edge,
        message,
    })
}

/// Keystroke to screen in the reply editor holding a draft of `chars` characters, at
/// `width`×`height`: each of `keys` keys (letters typed mid-draft, a space, a cursor move, a
/// Backspace, in turn) applied with `App::update` and drawn, timed together.
pub fn editor_keystrokes(
    app: &mut App,
    chars: usize,
    keys: usize,
    width: u16,
    height: u16,
) -> anyhow::Result<Samples> {
    let mut screen = Screen::new(width, height, ColorMode::TrueColor)?;
    (app.list.selected, app.list.top) = (0, 0);
    app.focus = Pane::List;
    app.update(key(KeyCode::Enter));
    let open = app.list.current().cloned().expect("a loaded list");
    let generation = app.gens.current(Slot::Thread);
    app.update(Msg::Conversation {
        detail: data::detail(&open, 12),
        generation,
    });
    app.set_draft(open.id, &data::draft(chars));
    app.focus = Pane::Editor;
    // Into the middle of the draft, where every key rewraps what follows.
    for _ in 0..20 {
        app.update(key(KeyCode::Up));
    }
    screen.draw(app)?;
    let cycle = [
        KeyCode::Char('a'),
        KeyCode::Char('s'),
        KeyCode::Char(' '),
        KeyCode::Right,
        KeyCode::Char('d'),
        KeyCode::Backspace,
    ];
    let mut samples = Samples::default();
    for code in cycle.iter().cycle().take(keys) {
        let t0 = std::time::Instant::now();
        app.update(key(*code));
        screen.draw(app)?;
        samples.push(t0.elapsed());
    }
    Ok(samples)
}

/// The resident set of this process in bytes, from `/proc/self/status`.
pub fn rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
