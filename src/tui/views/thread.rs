//! The open conversation: messages in order, notes set apart, attachments listed, the editor.

use super::{age, pane_block, status_style};
use crate::domain::{MessageKind, Timestamp};
use crate::tui::app::{App, Compose, Delivery, Pane};
use crate::tui::sanitize::{sanitize, sanitize_line};
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Human size of an attachment.
fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// How far a reply got through its channel: queued, sent, delivered, read, or why it failed.
fn delivery_span(d: &crate::domain::Delivery, theme: &Theme) -> Span<'static> {
    use crate::domain::DeliveryStatus as S;
    let (text, role) = match d.status {
        S::Queued if d.attempts > 0 => (
            format!(
                "  queued, retrying ({} tries: {})",
                d.attempts,
                sanitize_line(d.error.as_deref().unwrap_or("no answer"))
            ),
            Role::StatusWarn,
        ),
        S::Queued => ("  queued".to_string(), Role::StatusWarn),
        S::Sent => ("  sent ✓".to_string(), Role::StatusOk),
        S::Delivered => ("  delivered ✓✓".to_string(), Role::StatusOk),
        S::Read => ("  read ✓✓".to_string(), Role::StatusOk),
        S::Failed => (
            format!(
                "  not delivered: {}",
                sanitize_line(d.error.as_deref().unwrap_or("the channel refused it"))
            ),
            Role::StatusError,
        ),
    };
    Span::styled(text, theme.style(role))
}

/// Draws the thread (and the editor under it when composing) into `area`; answers how many
/// lines it can scroll up.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) -> Option<usize> {
    let Some(t) = &app.thread else { return None };
    let c = &t.detail.conversation;
    let editing = app.focus == Pane::Editor || !app.draft.is_empty();
    let [body, editor] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(if editing { 7 } else { 0 }),
    ])
    .areas(area);
    let title = format!(" {} ", sanitize_line(&c.subject));
    let block = pane_block(app, theme, Pane::Thread, title);
    let inner = block.inner(body);
    frame.render_widget(block, body);

    let now = Timestamp::now().millis();
    let mut lines: Vec<Line> = vec![Line::from(vec![
        Span::styled(
            c.status.as_str().replace('_', " "),
            status_style(theme, c.status),
        ),
        Span::styled(format!("  {}  ", c.priority), theme.style(Role::Dim)),
        Span::styled(
            format!(
                "owner: {}",
                match c.owner_id {
                    None => "nobody".into(),
                    Some(_) => sanitize_line(app.agent_name(c.owner_id)),
                }
            ),
            theme.style(Role::Dim),
        ),
    ])];
    if t.detail.has_older {
        let hint = if t.loading_older {
            "loading older…"
        } else {
            "older messages: L"
        };
        lines.push(Line::from(Span::styled(hint, theme.style(Role::Dim))));
    }
    for m in &t.detail.messages {
        let (role, label) = match m.kind {
            MessageKind::Inbound => (Role::Inbound, ""),
            MessageKind::Outbound => (Role::Outbound, ""),
            MessageKind::Note => (Role::Note, "  NOTE (internal)"),
        };
        lines.push(Line::default());
        let mut header = vec![
            Span::styled(
                sanitize_line(&m.sender.name).into_owned(),
                theme.style(role),
            ),
            Span::styled(label, theme.style(Role::Note)),
            Span::styled(
                format!("  {} ago", age(now, m.created_at.millis())),
                theme.style(Role::Dim),
            ),
        ];
        if let Some(d) = &m.delivery {
            header.push(delivery_span(d, theme));
        }
        lines.push(Line::from(header));
        let style = if m.kind == MessageKind::Note {
            theme.style(Role::Note)
        } else {
            theme.style(Role::Base)
        };
        for l in sanitize(&m.body).lines() {
            lines.push(Line::styled(l.to_string(), style));
        }
        for a in &m.attachments {
            lines.push(Line::styled(
                format!(
                    "  [{}] {} ({})",
                    a.kind,
                    sanitize_line(&a.name),
                    size(a.size)
                ),
                theme.style(Role::Accent),
            ));
        }
    }
    for o in app.outgoing.iter().filter(|o| o.conversation_id == c.id) {
        let (state, role) = match &o.delivery {
            Delivery::Sending => ("sending…".to_string(), Role::StatusWarn),
            Delivery::Retrying(e) => (
                format!("sending… (will retry: {})", sanitize_line(e)),
                Role::StatusWarn,
            ),
            Delivery::Sent => ("sent".to_string(), Role::StatusOk),
            Delivery::Failed(e) => (format!("failed: {}", sanitize_line(e)), Role::StatusError),
        };
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled(
                sanitize_line(&app.me.name).into_owned(),
                theme.style(if o.internal {
                    Role::Note
                } else {
                    Role::Outbound
                }),
            ),
            Span::styled(
                if o.internal { "  NOTE (internal)" } else { "" },
                theme.style(Role::Note),
            ),
            Span::styled(format!("  {state}"), theme.style(role)),
        ]));
        let style = if o.internal {
            theme.style(Role::Note)
        } else {
            theme.style(Role::Base)
        };
        for l in sanitize(&o.body).lines() {
            lines.push(Line::styled(l.to_string(), style));
        }
    }
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = paragraph.line_count(inner.width) as u16;
    let bottom = total.saturating_sub(inner.height);
    let scroll = bottom.saturating_sub(t.scroll.min(u16::MAX as usize) as u16);
    frame.render_widget(paragraph.scroll((scroll, 0)), inner);

    if editing {
        let mode = match app.compose {
            Compose::Reply => format!(
                " reply via {}  ^S send  ^L channel  Esc keep draft ",
                sanitize_line(app.reply_channel_name().unwrap_or("its channel"))
            ),
            Compose::Note => " internal note  ^S save  ^T reply  Esc keep draft ".to_string(),
        };
        let block = pane_block(app, theme, Pane::Editor, mode);
        let inner = block.inner(editor);
        frame.render_widget(block, editor);
        let cursor = if app.focus == Pane::Editor { "▏" } else { "" };
        let text = format!("{}{cursor}", app.draft);
        let lines = text.lines().count().max(1) as u16;
        let scroll = lines.saturating_sub(inner.height);
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            inner,
        );
    }
    Some(usize::from(bottom))
}
