//! Drawing: pure functions from `&App` to a frame. Every remote string goes through
//! `sanitize` before it reaches a cell.

mod help;
mod list;
mod sidebar;
mod status;
mod thread;

use super::app::{App, Overlay, Pane};
use super::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, BorderType, Borders};

/// Widest terminal at which the contact sidebar is folded away.
const SIDEBAR_MIN_WIDTH: u16 = 120;

/// What a frame learnt about the screen that the state needs back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drawn {
    /// How many lines the open thread can scroll up from its bottom.
    pub thread_max_scroll: Option<usize>,
    /// Where the list's rows are, and the index of the first one shown.
    pub list_rows: Option<(Rect, usize)>,
    /// Where the thread and the sidebar are, when shown.
    pub thread: Option<Rect>,
    pub sidebar: Option<Rect>,
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) -> Drawn {
    let mut drawn = Drawn::default();
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.style(Role::Base)), area);
    let [main, bar] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
    match &app.thread {
        None => drawn.list_rows = list::draw(frame, app, theme, main),
        Some(_) => {
            let list_width = (main.width * 2 / 5).clamp(28, 60);
            let show_sidebar = app.sidebar && main.width >= SIDEBAR_MIN_WIDTH;
            let [l, rest] =
                Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)])
                    .areas(main);
            drawn.list_rows = list::draw(frame, app, theme, l);
            if show_sidebar {
                let [t, s] =
                    Layout::horizontal([Constraint::Min(30), Constraint::Length(34)]).areas(rest);
                drawn.thread_max_scroll = thread::draw(frame, app, theme, t);
                sidebar::draw(frame, app, theme, s);
                (drawn.thread, drawn.sidebar) = (Some(t), Some(s));
            } else {
                drawn.thread_max_scroll = thread::draw(frame, app, theme, rest);
                drawn.thread = Some(rest);
            }
        }
    }
    status::draw(frame, app, theme, bar);
    match &app.overlay {
        Some(Overlay::Help) => help::draw_help(frame, app, theme, main),
        Some(Overlay::Menu { menu, selected }) => {
            help::draw_menu(frame, app, theme, main, menu, *selected)
        }
        None => {}
    }
    drawn
}

/// A bordered block titled `title`, highlighted when `pane` has the focus.
fn pane_block<'a>(app: &App, theme: &Theme, pane: Pane, title: String) -> Block<'a> {
    let focused = app.focus == pane;
    let border = if focused {
        theme.style(Role::BorderFocused)
    } else {
        theme.style(Role::Border)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(ratatui::text::Span::styled(title, theme.style(Role::Title)))
}

/// A centred rectangle of at most `w`×`h` inside `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A short, human age like `5m`, `3h`, `2d`.
fn age(now_ms: i64, then_ms: i64) -> String {
    let s = (now_ms - then_ms).max(0) / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Style for a status value.
fn status_style(theme: &Theme, s: crate::domain::Status) -> Style {
    use crate::domain::Status;
    theme.style(match s {
        Status::New => Role::StatusNew,
        Status::WaitingOnUs => Role::StatusWaitingOnUs,
        Status::WaitingOnContact => Role::StatusWaitingOnContact,
        Status::Closed => Role::StatusClosed,
    })
}

#[cfg(test)]
mod tests {
    use super::age;

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        assert_eq!(age(61_000, 0), "1m");
        assert_eq!(age(7_200_000, 0), "2h");
        assert_eq!(age(3 * 86_400_000, 0), "3d");
        assert_eq!(age(0, 5_000), "0s");
    }
}
