//! Layers: the live keymap (`?`), pick-one menus, the yes/no before a bulk change, the
//! label editor and the canned reply picker.

use super::centered;
use crate::domain::Id;
use crate::tui::app::{App, Listing, Menu, attach};
use crate::tui::keymap::{Action, Context};
use crate::tui::sanitize::{sanitize, sanitize_line};
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// A framed, cleared box for a layer.
fn layer_block(frame: &mut Frame, theme: &Theme, rect: Rect, title: String) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .style(theme.style(Role::Base));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

/// The keymap as it is bound now, generated from the same table the keys use: one binding a
/// line with its whole description (wrapped), filtered by `filter`, scrolled by `scroll`.
pub fn draw_help(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    scroll: usize,
    filter: &str,
) {
    let rect = centered(area, area.width.min(100), area.height);
    let title = if filter.is_empty() {
        " keys: type to filter, ↑↓ PgUp PgDn scroll, Esc closes ".to_string()
    } else {
        format!(" keys matching {:?} ", sanitize_line(filter))
    };
    let inner = layer_block(frame, theme, rect, title);
    let needle = filter.to_lowercase();
    let help: Vec<_> = app
        .keymap
        .help()
        .into_iter()
        .filter(|h| {
            needle.is_empty()
                || h.description.to_lowercase().contains(&needle)
                || h.keys.to_lowercase().contains(&needle)
                || h.action.name().contains(&needle)
                || h.context.name().contains(&needle)
        })
        .collect();
    let keys_w = help.iter().map(|h| h.keys.len()).max().unwrap_or(0).min(22) + 1;
    // Descriptions wrap under themselves, never under the keys.
    let text_w = usize::from(inner.width).saturating_sub(keys_w + 2).max(10);
    let mut lines: Vec<Line> = Vec::new();
    let mut context = None;
    for h in &help {
        if context != Some(h.context) {
            context = Some(h.context);
            lines.push(Line::styled(
                format!("[{}]", h.context.name()),
                theme.style(Role::Accent),
            ));
        }
        for (i, piece) in textwrap::wrap(h.description, text_w)
            .into_iter()
            .enumerate()
        {
            let keys = if i == 0 { h.keys.as_str() } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<keys_w$}"), theme.style(Role::Key)),
                Span::raw(piece.into_owned()),
            ]));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("no key matches", theme.style(Role::Dim)));
    }
    let paragraph = Paragraph::new(lines);
    let total = paragraph.line_count(inner.width);
    let top = scroll.min(total.saturating_sub(usize::from(inner.height)));
    frame.render_widget(paragraph.scroll((top as u16, 0)), inner);
}

/// A pick-one menu for the conversations it was opened on.
pub fn draw_menu(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    menu: &Menu,
    selected: usize,
) {
    let options = app.menu_options(menu);
    let title = match menu {
        Menu::Status => " status ",
        Menu::Assign => " assign to ",
        Menu::Priority => " priority ",
        Menu::Snooze => " snooze ",
        Menu::Attachments => " attachments: Enter save, o open ",
        Menu::Detach => " remove a file from the reply ",
        Menu::Mentions => " you were mentioned in ",
        Menu::Outbox => " outbox: Enter opens; R retries, D discards there ",
    };
    let width = if matches!(menu, Menu::Attachments | Menu::Mentions | Menu::Outbox) {
        72
    } else {
        36
    };
    let rect = centered(area, width, options.len() as u16 + 2);
    let inner = layer_block(frame, theme, rect, title.into());
    // Keep the picked entry in view when the menu is taller than the screen.
    let rows = usize::from(inner.height.max(1));
    let top = selected.saturating_sub(rows - 1);
    let lines: Vec<Line> = options
        .iter()
        .enumerate()
        .skip(top)
        .map(|(i, (label, _))| {
            let line = Line::raw(format!(" {}", sanitize_line(label)));
            if i == selected {
                line.style(theme.style(Role::Selected))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A yes/no question: "close 7 conversations? y/n".
pub fn draw_confirm(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, question: &str) {
    let yes = app
        .keymap
        .key_for(Context::Confirm, Action::Confirm)
        .unwrap_or_default();
    let no = app
        .keymap
        .key_for(Context::Confirm, Action::Cancel)
        .unwrap_or_default();
    let question = format!(" {question} {yes}/{no} ");
    let width = (question.chars().count() as u16 + 2).max(30);
    let rect = centered(area, width, 3);
    let inner = layer_block(frame, theme, rect, String::new());
    frame.render_widget(
        Paragraph::new(Line::styled(question, theme.style(Role::StatusWarn))),
        inner,
    );
}

/// Before sending over a reply someone else made after the draft began: that reply, and
/// "send yours anyway? y/n".
pub fn draw_collision(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    message: Id,
    now: i64,
) {
    let Some(m) = app
        .thread
        .loaded
        .as_ref()
        .and_then(|t| t.detail.messages.iter().find(|m| m.id == message))
    else {
        return;
    };
    let yes = app
        .keymap
        .key_for(Context::Confirm, Action::Confirm)
        .unwrap_or_default();
    let no = app
        .keymap
        .key_for(Context::Confirm, Action::Cancel)
        .unwrap_or_default();
    let width = area.width.saturating_sub(4).min(72);
    let body: Vec<String> = sanitize(&m.body)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(6)
        .map(str::to_string)
        .collect();
    let rect = centered(area, width, body.len() as u16 + 6);
    let inner = layer_block(frame, theme, rect, " someone replied ".into());
    let mut lines = vec![Line::styled(
        match super::age(now, m.created_at.0).as_str() {
            "now" => format!(
                "{} just replied, after you started this draft:",
                sanitize_line(&m.sender.name)
            ),
            age => format!(
                "{} replied {age} ago, after you started this draft:",
                sanitize_line(&m.sender.name)
            ),
        },
        theme.style(Role::StatusWarn),
    )];
    lines.push(Line::raw(""));
    lines.extend(body.into_iter().map(|l| Line::raw(format!("  {l}"))));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("send yours anyway? {yes}/{no}"),
        theme.style(Role::StatusWarn),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The path prompt: the path typed, and the entries of its directory that match (folders
/// first, with a slash).
pub fn draw_attach(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    input: &str,
    selected: usize,
    listing: Option<&Listing>,
) {
    let (_, prefix) = attach::split(input);
    let found = listing
        .map(|l| attach::matches(l, prefix))
        .unwrap_or_default();
    let width = area.width.saturating_sub(4).min(72);
    let height = area
        .height
        .saturating_sub(2)
        .min(found.len() as u16 + 4)
        .max(5);
    let rect = centered(area, width, height);
    let inner = layer_block(frame, theme, rect, " attach a file ".into());
    let mut lines = vec![
        Line::from(vec![
            Span::styled("path: ", theme.style(Role::Dim)),
            Span::raw(format!("{}▏", sanitize_line(input))),
        ]),
        Line::styled(
            "Tab completes · ↑↓ pick · Enter attaches (or opens a folder) · Esc",
            theme.style(Role::Dim),
        ),
    ];
    match listing.map(|l| &l.entries) {
        None => lines.push(Line::styled(" listing…", theme.style(Role::Dim))),
        Some(Err(e)) => lines.push(Line::styled(
            format!(" {}", sanitize_line(e)),
            theme.style(Role::StatusWarn),
        )),
        Some(Ok(_)) if found.is_empty() => {
            lines.push(Line::styled(" no match", theme.style(Role::Dim)))
        }
        Some(Ok(_)) => {
            let rows = usize::from(inner.height.saturating_sub(2).max(1));
            let top = selected.saturating_sub(rows - 1);
            lines.extend(found.iter().enumerate().skip(top).map(|(i, e)| {
                let line = if e.dir {
                    Line::raw(format!(" {}/", sanitize_line(&e.name)))
                } else {
                    Line::raw(format!(
                        " {}  {}",
                        sanitize_line(&e.name),
                        attach::size_label(e.size)
                    ))
                };
                if i == selected {
                    line.style(theme.style(Role::Selected))
                } else {
                    line
                }
            }));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The agent picker after `@` in a note: what is typed and the agents it matches.
pub fn draw_mention(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    query: &str,
    selected: usize,
) {
    let choices = app.mention_choices(query);
    let rect = centered(area, 44, choices.len() as u16 + 4);
    let inner = layer_block(frame, theme, rect, " mention ".into());
    let mut lines = vec![
        Line::from(vec![
            Span::styled("@", theme.style(Role::Key)),
            Span::raw(format!("{}▏", sanitize_line(query))),
        ]),
        Line::styled("Enter mentions · Esc keeps the @", theme.style(Role::Dim)),
    ];
    for (i, a) in choices.iter().enumerate() {
        let line = Line::raw(format!(
            " {}  {}",
            sanitize_line(&a.name),
            sanitize_line(&a.email)
        ));
        lines.push(if i == selected {
            line.style(theme.style(Role::Selected))
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The label editor: what is typed, and the labels it matches (✓ when every target has it).
pub fn draw_labels(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    targets: &[Id],
    input: &str,
    selected: usize,
) {
    let choices = app.label_choices(targets, input);
    let title = match targets.len() {
        1 => format!(" labels of #{} ", targets[0]),
        n => format!(" labels of {n} conversations "),
    };
    let rect = centered(area, 44, choices.len() as u16 + 4);
    let inner = layer_block(frame, theme, rect, title);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("label: ", theme.style(Role::Dim)),
            Span::raw(format!("{}▏", sanitize_line(input))),
        ]),
        Line::styled(
            "Enter toggles · +name adds · -name removes · Esc",
            theme.style(Role::Dim),
        ),
    ];
    for (i, label) in choices.iter().enumerate() {
        let on = if app.all_have_label(targets, label) {
            "✓"
        } else {
            " "
        };
        let line = Line::raw(format!(" {on} {}", sanitize_line(label)));
        lines.push(if i == selected {
            line.style(theme.style(Role::Selected))
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The canned reply picker: what is typed, the replies it matches (best first), and the
/// picked one as it will be inserted, placeholders filled.
pub fn draw_canned(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    conversation: Id,
    query: &str,
    selected: usize,
) {
    let matches = app.canned_matches(query);
    let width = area.width.saturating_sub(4).min(96);
    let height = area.height.saturating_sub(2).min(20);
    let rect = centered(area, width, height);
    let inner = layer_block(frame, theme, rect, " canned reply ".into());
    let [find, body, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("find: ", theme.style(Role::Dim)),
            Span::raw(format!("{}▏", sanitize_line(query))),
            Span::styled(
                format!("  {} of {}", matches.len(), app.canned.len()),
                theme.style(Role::Dim),
            ),
        ])),
        find,
    );
    let [names, preview] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
    let rows = usize::from(names.height.max(1));
    let top = selected.saturating_sub(rows - 1);
    let lines: Vec<Line> = matches
        .iter()
        .enumerate()
        .skip(top)
        .map(|(i, c)| {
            let mut line = Line::raw(format!(" {}", sanitize_line(&c.name)));
            if c.shared.is_some() {
                line.push_span(Span::styled(" · desk", theme.style(Role::Dim)));
            }
            if i == selected {
                line.style(theme.style(Role::Selected))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), names);
    if let Some(reply) = matches.get(selected) {
        let filled = app.fill_canned(reply, conversation);
        let block = Block::default()
            .borders(Borders::LEFT)
            .border_style(theme.style(Role::Dim));
        frame.render_widget(
            Paragraph::new(sanitize(&filled.text).into_owned())
                .block(block)
                .wrap(Wrap { trim: false }),
            preview,
        );
    }
    frame.render_widget(
        Paragraph::new(Line::styled(
            "type to filter · ↑↓ pick · Enter insert · Esc",
            theme.style(Role::Dim),
        )),
        hint,
    );
}
