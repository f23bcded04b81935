//! The open conversation: a pinned header (status, owner, team, channel, labels, snooze),
//! messages in order with their channel, quoted history folded, attachments listed, the
//! editor.

use super::{Drawn, age, age_changes_at, pane_block, status_style};
use crate::domain::{Conversation, MessageKind};
use crate::tui::app::attach::size_label;
use crate::tui::app::{App, Compose, Delivery, Pane};
use crate::tui::keymap::{Action, Context};
use crate::tui::quotes::{Segment, segments, split_marker};
use crate::tui::sanitize::{sanitize, sanitize_line};
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

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
        S::Failed if d.discarded_at.is_some() => {
            ("  not delivered: discarded".to_string(), Role::StatusError)
        }
        S::Failed => (
            format!(
                "  not delivered: {} (R retries, D discards)",
                sanitize_line(d.error.as_deref().unwrap_or("the channel refused it"))
            ),
            Role::StatusError,
        ),
    };
    Span::styled(text, theme.style(role))
}

/// The pinned header: status, priority, owner, team, channel, labels, snooze.
fn header<'a>(app: &App, theme: &Theme, c: &Conversation, now: i64) -> Vec<Line<'a>> {
    let dim = theme.style(Role::Dim);
    let mut first = vec![
        Span::styled(
            c.status.as_str().replace('_', " "),
            status_style(theme, c.status),
        ),
        Span::styled(format!(" · {}", c.priority), dim),
        Span::styled(
            format!(
                " · owner: {}",
                match c.owner_id {
                    None => "nobody".into(),
                    Some(_) => sanitize_line(app.agent_name(c.owner_id)),
                }
            ),
            dim,
        ),
    ];
    if let Some(team) = app.team_name(c.team_id) {
        first.push(Span::styled(
            format!(" · team: {}", sanitize_line(team)),
            dim,
        ));
    }
    let channel = app.channel_name(c.channel_id).map_or_else(
        || c.channel_kind.to_string(),
        |n| sanitize_line(n).into_owned(),
    );
    first.push(Span::styled(format!(" · via {channel}"), dim));
    let mut second = vec![];
    let replying = app.replying_in(c.id, now);
    if !replying.is_empty() {
        let names = replying
            .iter()
            .map(|n| sanitize_line(n).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        let verb = if replying.len() == 1 { "is" } else { "are" };
        second.push(Span::styled(
            format!("{names} {verb} replying… "),
            theme.style(Role::StatusWarn),
        ));
    }
    if let Some(until) = c.snoozed_until.filter(|t| t.millis() > now) {
        second.push(Span::styled(
            format!("snoozed for {} ", left(until.millis() - now)),
            theme.style(Role::StatusWarn),
        ));
    }
    if c.labels.is_empty() {
        second.push(Span::styled("no labels", dim));
    } else {
        for l in &c.labels {
            second.push(Span::styled(
                format!("#{} ", sanitize_line(l)),
                theme.style(Role::Accent),
            ));
        }
    }
    vec![Line::from(first), Line::from(second)]
}

/// Time left until a snooze ends, coarsely: "3h", "2d", "40m".
fn left(ms: i64) -> String {
    let m = ms.max(0) / 60_000;
    match m {
        0..60 => format!("{}m", m.max(1)),
        60..2880 => format!("{}h", m / 60),
        _ => format!("{}d", m / 1440),
    }
}

/// The body of a message, with quoted history folded unless `expanded`. Quoted lines are
/// wrapped here, so each wrapped piece keeps its `>` marker.
fn body_lines<'a>(
    app: &App,
    theme: &Theme,
    body: &str,
    style: Style,
    expanded: bool,
    width: usize,
) -> Vec<Line<'a>> {
    let clean = sanitize(body);
    let dim = theme.style(Role::Dim);
    let toggle = app
        .keymap
        .key_for(Context::Thread, Action::ToggleQuotes)
        .map(|k| format!(" ({k} shows)"))
        .unwrap_or_default();
    let mut out = vec![];
    for segment in segments(&clean) {
        match segment {
            Segment::Text(lines) => out.extend(
                lines
                    .into_iter()
                    .map(|l| Line::styled(l.to_string(), style)),
            ),
            Segment::Quote(lines) | Segment::Signature(lines) if !expanded => {
                let what = if lines.first().is_some_and(|l| l.starts_with("--")) {
                    "signature".to_string()
                } else {
                    format!("{} quoted lines", lines.len())
                };
                out.push(Line::styled(format!("… {what}{toggle}"), dim));
            }
            Segment::Quote(lines) | Segment::Signature(lines) => {
                for line in lines {
                    let (marker, rest) = split_marker(line);
                    let room = width.saturating_sub(marker.width()).max(10);
                    let pieces = textwrap::wrap(rest, room);
                    if pieces.is_empty() {
                        out.push(Line::styled(marker.to_string(), dim));
                    }
                    for piece in pieces {
                        out.push(Line::styled(format!("{marker}{piece}"), dim));
                    }
                }
            }
        }
    }
    out
}

/// Draws the thread (and the editor under it when composing) into `area`; answers how many
/// lines it can scroll up.
pub fn draw(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    now: i64,
    drawn: &mut Drawn,
) -> Option<usize> {
    let id = app.thread.open?;
    let t = app.thread.loaded.as_ref();
    let row = app.list.rows.iter().find(|c| c.id == id);
    let c = t.map(|t| &t.detail.conversation).or(row);
    let draft = app.draft();
    let files = app.attached(id);
    let editing = app.focus == Pane::Editor || !draft.is_empty() || !files.is_empty();
    let files_height = u16::from(!files.is_empty());
    let editor_height = if editing {
        let inner_w = area.width.saturating_sub(2).max(1);
        let wanted = Paragraph::new(format!("{draft}_"))
            .wrap(Wrap { trim: false })
            .line_count(inner_w) as u16;
        (wanted + 2 + files_height).clamp(4 + files_height, (area.height / 2).max(4))
    } else {
        0
    };
    let [body, editor] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(editor_height)]).areas(area);
    let title = match c {
        Some(c) => format!(" {} ", sanitize_line(&c.subject)),
        None => format!(" #{id} "),
    };
    let block = pane_block(app, theme, Pane::Thread, title);
    let inner = block.inner(body);
    frame.render_widget(block, body);
    // The header wraps on a narrow pane (up to four lines) and stays put while the
    // history scrolls under it.
    let head_lines = c.map(|c| header(app, theme, c, now)).unwrap_or_default();
    let head_text = Paragraph::new(head_lines).wrap(Wrap { trim: true });
    let head_h = (head_text.line_count(inner.width) as u16).min(4) + 1;
    let [head, history] =
        Layout::vertical([Constraint::Length(head_h), Constraint::Min(1)]).areas(inner);
    if c.is_some() {
        let [text, rule] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(head);
        frame.render_widget(head_text, text);
        frame.render_widget(
            Paragraph::new(Line::styled(
                "─".repeat(usize::from(rule.width)),
                theme.style(Role::Border),
            )),
            rule,
        );
    }
    let Some(t) = t else {
        frame.render_widget(
            Paragraph::new(Span::styled("loading…", theme.style(Role::Dim))),
            history,
        );
        return None;
    };

    let mut lines: Vec<Line> = vec![];
    if t.detail.has_older {
        let hint = if t.loading_older {
            "loading older…"
        } else {
            "older messages: L"
        };
        lines.push(Line::from(Span::styled(hint, theme.style(Role::Dim))));
    }
    let width = usize::from(history.width);
    for m in &t.detail.messages {
        let (role, label) = match m.kind {
            MessageKind::Inbound => (Role::Inbound, ""),
            MessageKind::Outbound => (Role::Outbound, ""),
            MessageKind::Note => (Role::Note, "  NOTE (internal)"),
        };
        lines.push(Line::default());
        let channel = app
            .channel_name(m.channel_id)
            .map(|n| format!("  via {}", sanitize_line(n)))
            .unwrap_or_default();
        drawn.changes_at(age_changes_at(now, m.created_at.millis()));
        let mut header = vec![
            Span::styled(
                sanitize_line(&m.sender.name).into_owned(),
                theme.style(role),
            ),
            Span::styled(label, theme.style(Role::Note)),
            Span::styled(
                format!("{channel}  {}", ago(now, m.created_at.millis())),
                theme.style(Role::Dim),
            ),
        ];
        if let Some(d) = &m.delivery {
            header.push(delivery_span(d, theme));
        }
        lines.push(Line::from(header));
        if let Some(e) = &m.email {
            lines.push(Line::styled(email_line(e), theme.style(Role::Dim)));
        }
        let style = if m.kind == MessageKind::Note {
            theme.style(Role::Note)
        } else {
            theme.style(Role::Base)
        };
        lines.extend(body_lines(
            app,
            theme,
            &m.body,
            style,
            t.quotes_expanded,
            width,
        ));
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
    for o in app
        .editor
        .outgoing
        .iter()
        .filter(|o| o.conversation_id == id)
    {
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
    let total = paragraph.line_count(history.width) as u16;
    let bottom = total.saturating_sub(history.height);
    let scroll = bottom.saturating_sub(t.scroll.min(u16::MAX as usize) as u16);
    frame.render_widget(paragraph.scroll((scroll, 0)), history);

    if editing {
        let mode = match app.editor.compose {
            Compose::Reply => {
                let via = sanitize_line(app.reply_channel_name().unwrap_or("its channel"));
                let to = match app.reply_route() {
                    Some(r) if !r.reachable => " (cannot reach the contact)".to_string(),
                    Some(r) => r
                        .recipient
                        .as_deref()
                        .map(|to| format!(" to {}", sanitize_line(to)))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                format!(" reply via {via}{to}  ^S send  ^L channel  Esc keep draft ")
            }
            Compose::Note => " internal note  ^S save  ^T reply  Esc keep draft ".to_string(),
        };
        let block = pane_block(app, theme, Pane::Editor, mode);
        let inner = block.inner(editor);
        frame.render_widget(block, editor);
        let [inner, list] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(files_height)]).areas(inner);
        if !files.is_empty() {
            let names = files
                .iter()
                .map(|f| format!("{} ({})", sanitize_line(&f.name), size_label(f.size)))
                .collect::<Vec<_>>()
                .join(" · ");
            frame.render_widget(
                Paragraph::new(Line::styled(
                    format!("files: {names}  ^X removes one"),
                    theme.style(Role::Dim),
                )),
                list,
            );
        }
        // The text area wraps softly and scrolls by wrapped lines to keep its cursor in view.
        if let Some(area) = app.draft_editor() {
            frame.render_widget(area, inner);
        }
    }
    Some(usize::from(bottom))
}

/// "5m ago", or "now".
fn ago(now: i64, then: i64) -> String {
    match age(now, then) {
        a if a == "now" => a,
        a => format!("{a} ago"),
    }
}

/// `To: a · Cc: b · Bcc: c · Subject: s`, the fields that are set, sanitised.
fn email_line(e: &crate::domain::ReplyEmail) -> String {
    let lists = [("To", &e.to), ("Cc", &e.cc), ("Bcc", &e.bcc)];
    lists
        .into_iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(name, list)| format!("{name}: {}", sanitize_line(&list.join(", "))))
        .chain((!e.subject.is_empty()).then(|| format!("Subject: {}", sanitize_line(&e.subject))))
        .collect::<Vec<_>>()
        .join(" · ")
}
