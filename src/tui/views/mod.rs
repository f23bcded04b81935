//! Drawing: pure functions from `&App` to a frame. Every remote string goes through
//! `sanitize` before it reaches a cell.

mod help;
mod list;
mod sidebar;
mod status;
mod thread;

use super::app::{App, Layer, Pane};
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
    /// The next moment an age on screen reads differently (ms since the epoch).
    pub next_change: Option<i64>,
}

impl Drawn {
    /// Notes that something drawn changes at `at`.
    fn changes_at(&mut self, at: i64) {
        self.next_change = Some(self.next_change.map_or(at, |n| n.min(at)));
    }
}

/// Draws the whole screen as of `now` (ms since the epoch).
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, now: i64) -> Drawn {
    let mut drawn = Drawn::default();
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.style(Role::Base)), area);
    let [main, bar] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
    match app.thread.open {
        None => drawn.list_rows = list::draw(frame, app, theme, main, now, &mut drawn),
        Some(_) => {
            let list_width = (main.width * 2 / 5).clamp(28, 60);
            let show_sidebar = app.contact.shown && main.width >= SIDEBAR_MIN_WIDTH;
            let [l, rest] =
                Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)])
                    .areas(main);
            drawn.list_rows = list::draw(frame, app, theme, l, now, &mut drawn);
            if show_sidebar {
                let [t, s] =
                    Layout::horizontal([Constraint::Min(30), Constraint::Length(34)]).areas(rest);
                drawn.thread_max_scroll = thread::draw(frame, app, theme, t, now, &mut drawn);
                sidebar::draw(frame, app, theme, s, app.focus == Pane::Sidebar);
                (drawn.thread, drawn.sidebar) = (Some(t), Some(s));
            } else {
                drawn.thread_max_scroll = thread::draw(frame, app, theme, rest, now, &mut drawn);
                drawn.thread = Some(rest);
            }
        }
    }
    status::draw(frame, app, theme, bar, now);
    for layer in &app.layers {
        match layer {
            Layer::Help { scroll, filter } => {
                help::draw_help(frame, app, theme, main, *scroll, filter)
            }
            Layer::Menu { menu, selected, .. } => {
                help::draw_menu(frame, app, theme, main, menu, *selected)
            }
            Layer::Confirm(pending) => {
                let question = format!(
                    "{} {} conversations?",
                    crate::tui::sanitize::sanitize_line(&pending.verb),
                    pending.changes.len()
                );
                help::draw_confirm(frame, app, theme, main, &question)
            }
            Layer::ConfirmQuit(n) => {
                let drafts = if *n == 1 { "draft" } else { "drafts" };
                let question = format!("quit with {n} unsent {drafts} (kept for next time)?");
                help::draw_confirm(frame, app, theme, main, &question)
            }
            Layer::Labels {
                targets,
                input,
                selected,
            } => help::draw_labels(frame, app, theme, main, targets, input, *selected),
            Layer::Contact => {
                let w = main.width.saturating_sub(4).min(50);
                let rect = Rect {
                    x: main.right().saturating_sub(w),
                    width: w,
                    ..main
                };
                frame.render_widget(ratatui::widgets::Clear, rect);
                sidebar::draw(frame, app, theme, rect, true);
            }
            Layer::Canned {
                conversation,
                query,
                selected,
            } => help::draw_canned(frame, app, theme, main, *conversation, query, *selected),
            Layer::Collision { message, .. } => {
                help::draw_collision(frame, app, theme, main, *message, now)
            }
            Layer::Attach {
                input,
                selected,
                listing,
                ..
            } => help::draw_attach(frame, theme, main, input, *selected, listing.as_ref()),
            Layer::Mention {
                query, selected, ..
            } => help::draw_mention(frame, app, theme, main, query, *selected),
            Layer::Palette { .. } => {}
        }
    }
    drawn
}

/// A bordered block titled `title`, highlighted when `pane` has the focus.
fn pane_block<'a>(app: &App, theme: &Theme, pane: Pane, title: String) -> Block<'a> {
    focus_block(theme, app.focus == pane && app.layers.is_empty(), title)
}

/// A bordered block titled `title`, thick when `focused`.
fn focus_block<'a>(theme: &Theme, focused: bool, title: String) -> Block<'a> {
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

/// A short, human age like `now`, `5m`, `3h`, `2d`: it reads differently at most once a
/// minute, so a screen of ages stays still between minutes.
fn age(now_ms: i64, then_ms: i64) -> String {
    let s = (now_ms - then_ms).max(0) / 1000;
    match s {
        0..60 => "now".to_string(),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// When `age(_, then_ms)` next reads differently after `now_ms`.
fn age_changes_at(now_ms: i64, then_ms: i64) -> i64 {
    let elapsed = (now_ms - then_ms).max(0);
    let unit = match elapsed / 1000 {
        0..3600 => 60_000,
        3600..86_400 => 3_600_000,
        _ => 86_400_000,
    };
    then_ms + (elapsed / unit + 1) * unit
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
    use super::{age, age_changes_at};

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        assert_eq!(age(61_000, 0), "1m");
        assert_eq!(age(7_200_000, 0), "2h");
        assert_eq!(age(3 * 86_400_000, 0), "3d");
        assert_eq!(age(0, 5_000), "now");
        assert_eq!(age(59_999, 0), "now");
    }

    #[test]
    fn an_age_changes_exactly_when_it_reads_differently() {
        for (now, then) in [
            (0, 0),
            (59_000, 0),
            (61_000, 0),
            (3_599_000, 0),
            (7_300_000, 0),
        ] {
            let at = age_changes_at(now, then);
            assert!(at > now);
            assert_eq!(age(at - 1, then), age(now, then), "{now}");
            assert_ne!(age(at, then), age(now, then), "{now}");
        }
        assert_eq!(age_changes_at(10_000, 5_000), 65_000);
    }
}
