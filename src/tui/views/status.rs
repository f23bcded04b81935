//! The status bar: connection, who I am, the latest notice, key hints.

use crate::client::events::Connection;
use crate::tui::app::App;
use crate::tui::sanitize::sanitize_line;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the status bar into `area`.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    if let Some(line) = &app.palette {
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
    let notice = app
        .notice
        .as_deref()
        .map(|n| format!("  {}", sanitize_line(n)))
        .unwrap_or_default();
    let line = Line::from(vec![
        Span::styled(conn, theme.style(role)),
        Span::styled(me, theme.style(Role::StatusBar)),
        Span::styled(notice, theme.style(Role::StatusWarn)),
        Span::styled("  ? help  q quit", theme.style(Role::Dim)),
    ]);
    frame.render_widget(
        Paragraph::new(line).style(theme.style(Role::StatusBar)),
        area,
    );
}
