//! The contact sidebar: who this is, their company, their other conversations.

use super::list::fit;
use super::{focus_block, status_style};
use crate::tui::app::App;
use crate::tui::sanitize::sanitize_line;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A date as `2024-06-03`.
fn date(t: crate::domain::Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.millis()) * 1_000_000)
        .map(|d| d.date().to_string())
        .unwrap_or_default()
}

/// Draws the contact of the open conversation into `area`, as the pane beside the thread or
/// over it; `focused` when it has the keys.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, focused: bool) {
    let block = focus_block(theme, focused, " contact ".into());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(c) = &app.contact.detail else {
        frame.render_widget(
            Paragraph::new(Span::styled("loading…", theme.style(Role::Dim))),
            inner,
        );
        return;
    };
    let field = |label: &str, value: Option<&str>| {
        Line::from(vec![
            Span::styled(format!("{label:<8}"), theme.style(Role::Dim)),
            Span::raw(sanitize_line(value.unwrap_or("—")).into_owned()),
        ])
    };
    let mut lines = vec![
        Line::styled(
            sanitize_line(&c.contact.name).into_owned(),
            theme.style(Role::Title),
        ),
        field("email", c.contact.email.as_deref()),
        field("phone", c.contact.phone.as_deref()),
        field("company", c.company.as_ref().map(|co| co.name.as_str())),
        field(
            "owner",
            Some(app.agent_name(c.contact.owner_id)).filter(|s| !s.is_empty()),
        ),
        Line::default(),
        Line::styled(
            format!("conversations ({})", c.conversations.len()),
            theme.style(Role::Accent),
        ),
    ];
    let open = app.thread.open;
    for (i, conv) in c.conversations.iter().enumerate() {
        let marker = if Some(conv.id) == open { "▸ " } else { "  " };
        let status = conv
            .status
            .as_str()
            .replace("waiting_on_", "w/")
            .replace('_', " ");
        let when = date(conv.last_message_at);
        let room = (inner.width as usize).saturating_sub(2);
        let line = Line::from(vec![
            Span::raw(marker),
            Span::raw(fit(&sanitize_line(&conv.subject), room)),
        ]);
        let meta = Line::from(vec![
            Span::raw("  "),
            Span::styled(status, status_style(theme, conv.status)),
            Span::styled(format!(" · {when}"), theme.style(Role::Dim)),
        ]);
        lines.push(if focused && i == app.contact.selected {
            line.style(theme.style(Role::Selected))
        } else {
            line
        });
        lines.push(meta);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
