//! The status bar: connection, who I am, the latest notice, and the focused pane's commands
//! with the keys they are bound to now.

use crate::client::events::Connection;
use crate::tui::app::{App, Layer, Pane};
use crate::tui::sanitize::sanitize_line;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the status bar into `area` as of `now`.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, now: i64) {
    if let Some(Layer::Palette { line }) = app.layers.last() {
        let hint: Vec<&str> = app.completions().into_iter().take(8).collect();
        let prompt = Line::from(vec![
            Span::styled(":", theme.style(Role::Key)),
            Span::raw(format!("{}▏", sanitize_line(line))),
            Span::styled(format!("   {}", hint.join(" ")), theme.style(Role::Dim)),
        ]);
        frame.render_widget(
            Paragraph::new(prompt).style(theme.style(Role::StatusBar)),
            area,
        );
        return;
    }
    let (conn, role) = match &app.connection {
        Connection::Connected => ("● live".to_string(), Role::StatusOk),
        Connection::Connecting => ("○ connecting".to_string(), Role::StatusWarn),
        Connection::Reconnecting {
            attempt, retry_in, ..
        } => (
            format!(
                "○ reconnecting ({attempt}, {:.0}s)",
                retry_in.as_secs_f64().ceil()
            ),
            Role::StatusWarn,
        ),
        Connection::Offline(why) => (
            format!("✕ offline: {}", sanitize_line(why)),
            Role::StatusError,
        ),
    };
    let me = format!(
        "  {} ({})",
        sanitize_line(&app.me.name),
        if app.me.available {
            "available"
        } else {
            "away"
        }
    );
    let mut spans = vec![
        Span::styled(conn, theme.style(role)),
        Span::styled(me, theme.style(Role::StatusBar)),
    ];
    if !app.mentioned.is_empty() {
        spans.push(Span::styled(
            format!("  @{}", app.mentioned.len()),
            theme.style(Role::StatusWarn),
        ));
    }
    match app.notice_at(now) {
        Some(n) => spans.push(Span::styled(
            format!("  {}", sanitize_line(&n.text)),
            theme.style(if n.error {
                Role::StatusError
            } else {
                Role::StatusWarn
            }),
        )),
        None => spans.push(Span::styled(
            format!("  {}", hints(app)),
            theme.style(Role::Dim),
        )),
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.style(Role::StatusBar)),
        area,
    );
}

/// The focused pane's commands as "key name" pairs, then help and quit.
fn hints(app: &App) -> String {
    let pane = if app.list.filtering {
        Pane::List
    } else {
        app.focus
    };
    let context = pane.context();
    let mut out: Vec<String> = pane
        .commands()
        .iter()
        .filter_map(|a| {
            let key = app.keymap.key_for(context, *a)?;
            Some(format!("{key} {}", a.name().replace('_', " ")))
        })
        .collect();
    for a in [
        crate::tui::keymap::Action::Help,
        crate::tui::keymap::Action::Quit,
    ] {
        if let Some(key) = app.keymap.key_for(context, a) {
            out.push(format!("{key} {}", a.name()));
        }
    }
    out.join("  ")
}
