//! The conversation list: view tabs, filter bar, and only the rows that fit.

use super::{Drawn, age, age_changes_at, pane_block, status_style};
use crate::domain::{Priority, Timestamp};
use crate::tui::app::{App, Pane, VIEWS};
use crate::tui::sanitize::sanitize_line;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Short label of a channel kind.
fn channel_label(kind: crate::domain::ChannelKind) -> &'static str {
    use crate::domain::ChannelKind::*;
    match kind {
        Email => "mail",
        Chat => "chat",
        Form => "form",
        Messenger => "msgr",
        Whatsapp => "wapp",
        Call => "call",
        Custom => "api ",
    }
}

/// Cuts `s` to `width` columns, marking the cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return format!("{s}{}", " ".repeat(width - s.width()));
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// The labels of a row, as shown after its subject.
fn labels_text(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("#{}", sanitize_line(l)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Draws the list pane into `area` as of `now`.
pub fn draw(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    now: i64,
    drawn: &mut Drawn,
) -> Option<(Rect, usize)> {
    let marked = match app.list.marked.len() {
        0 => String::new(),
        n => format!(", {n} marked"),
    };
    let narrow = app.list.narrow.label();
    let marked = if narrow.is_empty() {
        marked
    } else {
        format!("{marked}; {narrow}")
    };
    let loading = if app.list.loading { " …" } else { "" };
    let title = match app.list.shown {
        None => format!(" {}{loading} ", VIEWS[app.list.view].name),
        Some(_) => format!(
            " {} ({}{}{marked}){loading} ",
            VIEWS[app.list.view].name,
            app.list.rows.len(),
            if app.list.next_cursor.is_some() {
                "+"
            } else {
                ""
            }
        ),
    };
    let block = pane_block(app, theme, Pane::List, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tabs, filter, rows] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);

    let tab_spans: Vec<Span> = VIEWS
        .iter()
        .enumerate()
        .flat_map(|(i, v)| {
            let style = if i == app.list.view {
                theme.style(Role::Accent)
            } else {
                theme.style(Role::Dim)
            };
            let label = match app.list.counts.get(i).copied().flatten() {
                Some(n) => format!("{} {}", v.name, compact(n)),
                None => v.name.to_string(),
            };
            [Span::styled(label, style), Span::raw("  ")]
        })
        .collect();
    frame.render_widget(Paragraph::new(Line::from(tab_spans)), tabs);

    let filter_line = if app.list.filtering || !app.list.filter.is_empty() {
        let cursor = if app.list.filtering { "▏" } else { "" };
        Line::from(vec![
            Span::styled("/", theme.style(Role::Key)),
            Span::raw(format!("{}{cursor}", sanitize_line(&app.list.filter))),
        ])
    } else {
        Line::from(Span::styled("/ to search", theme.style(Role::Dim)))
    };
    frame.render_widget(Paragraph::new(filter_line), filter);

    let height = rows.height as usize;
    if app.list.rows.is_empty() {
        let text = if app.list.loading {
            "loading…"
        } else {
            "nothing here"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.style(Role::Dim))),
            rows,
        );
        return None;
    }
    // The app's scroll position, corrected if this pane is shorter than the app assumed.
    let mut offset = app.list.top.min(app.list.rows.len().saturating_sub(height));
    if app.list.selected >= offset + height {
        offset = app.list.selected + 1 - height;
    }
    offset = offset.min(app.list.selected);
    let width = rows.width as usize;
    let wide = width >= 70;
    let lines: Vec<Line> = app
        .list
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, c)| {
            let snoozed = c.snoozed_until.is_some_and(|t| t > Timestamp(now));
            let marker = if app.list.marked.contains(&c.id) {
                "✓"
            } else if c.unread {
                "●"
            } else if app.editor.drafts.get(&c.id).is_some_and(|d| !d.is_empty()) {
                "✎"
            } else if snoozed {
                "z"
            } else {
                " "
            };
            let prio = match c.priority {
                Priority::Urgent => ("!!", theme.style(Role::PriorityUrgent)),
                Priority::High => ("! ", theme.style(Role::PriorityHigh)),
                _ => ("  ", theme.style(Role::Dim)),
            };
            let when = age(now, c.last_message_at.millis());
            drawn.changes_at(age_changes_at(now, c.last_message_at.millis()));
            let labels = labels_text(&c.labels);
            let mut spans = vec![
                Span::styled(marker, theme.style(Role::Unread)),
                Span::styled(prio.0, prio.1),
                Span::styled(channel_label(c.channel_kind), theme.style(Role::Dim)),
                Span::raw(" "),
            ];
            let fixed = 1 + 2 + 4 + 1 + 5;
            let mut rest = width.saturating_sub(fixed);
            if wide {
                let status = if snoozed {
                    "snoozed".to_string()
                } else {
                    c.status
                        .as_str()
                        .replace("waiting_on_", "w/")
                        .replace('_', " ")
                };
                let owner = sanitize_line(app.agent_name(c.owner_id)).into_owned();
                rest = rest.saturating_sub(10 + 11);
                let contact_w = (rest / 3).clamp(8, 22);
                let subject_w = rest.saturating_sub(contact_w + 1);
                spans.push(Span::raw(fit(&sanitize_line(&c.contact_name), contact_w)));
                spans.push(Span::raw(" "));
                // One column short of its share, so a cut subject does not touch the status.
                let share = subject_w.saturating_sub(1);
                let labels_w = if labels.is_empty() {
                    0
                } else {
                    (labels.width() + 1).min(share / 3)
                };
                spans.push(Span::raw(fit(&sanitize_line(&c.subject), share - labels_w)));
                // The space after the labels is drawn in their style: one colour change
                // less per row, which a move pays for twice on a slow link.
                if labels_w > 0 {
                    spans.push(Span::styled(
                        format!(" {} ", fit(&labels, labels_w - 1)),
                        theme.style(Role::Accent),
                    ));
                } else {
                    spans.push(Span::raw(" "));
                }
                spans.push(Span::styled(
                    fit(&status, 10),
                    status_style(theme, c.status),
                ));
                spans.push(Span::styled(fit(&owner, 11), theme.style(Role::Dim)));
            } else {
                let contact_w = (rest / 2).min(14);
                spans.push(Span::raw(fit(&sanitize_line(&c.contact_name), contact_w)));
                spans.push(Span::raw(" "));
                spans.push(Span::raw(fit(
                    &sanitize_line(&c.subject),
                    rest.saturating_sub(contact_w + 1),
                )));
            }
            spans.push(Span::styled(format!("{when:>5}"), theme.style(Role::Dim)));
            if i == app.list.selected {
                // One style for the whole picked row: on a slow link a move then costs a
                // colour change per row instead of one per column.
                let plain: Vec<Span> = spans.into_iter().map(|s| Span::raw(s.content)).collect();
                Line::from(plain).style(theme.style(Role::Selected))
            } else {
                Line::from(spans)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rows);
    Some((rows, offset))
}

/// A count in at most four characters: `987`, `1.2k`, `45k`, `1.3M`.
fn compact(n: i64) -> String {
    if n < 1_000 {
        n.to_string()
    } else if n < 9_950 {
        format!("{:.1}k", n as f64 / 1e3)
    } else if n < 1_000_000 {
        format!("{}k", n / 1_000)
    } else {
        format!("{:.1}M", n as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::fit;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn fit_pads_and_cuts_by_columns_not_bytes() {
        assert_eq!(fit("Gómez", 8), "Gómez   ");
        assert_eq!(fit("Gómez", 8).width(), 8);
        assert_eq!(fit("Nuria García Gómez", 10), "Nuria Gar…");
        assert_eq!(fit("日本語テキスト", 7).width(), 7);
    }
}
