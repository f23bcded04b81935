//! Overlays: the live keymap (`?`) and the pick-one menus (assign, status, priority).

use super::centered;
use crate::tui::app::{App, Menu};
use crate::tui::sanitize::sanitize_line;
use crate::tui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// The keymap as it is bound now, generated from the same table the keys use.
pub fn draw_help(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let rect = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" keys (any key closes) ")
        .style(theme.style(Role::Base));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let help = app.keymap.help();
    // Wide enough for the longest key list ("ctrl-d, pagedown"), so descriptions line up.
    let keys_w = help.iter().map(|h| h.keys.width()).max().unwrap_or(0) + 2;
    // As many columns as it takes for every binding to show.
    let rows = usize::from(inner.height.max(1));
    let columns = help.len().div_ceil(rows).max(1) as u16;
    let column_w = inner.width / columns;
    for (i, chunk) in help.chunks(rows).enumerate() {
        let lines: Vec<Line> = chunk
            .iter()
            .map(|h| {
                Line::from(vec![
                    Span::styled(
                        format!("{:<8}", format!("{:?}", h.context).to_lowercase()),
                        theme.style(Role::Dim),
                    ),
                    Span::styled(format!("{:<keys_w$}", h.keys), theme.style(Role::Key)),
                    Span::raw(h.description),
                ])
            })
            .collect();
        let column = Rect {
            x: inner.x + column_w * i as u16,
            width: column_w.saturating_sub(1),
            ..inner
        };
        frame.render_widget(Paragraph::new(lines), column);
    }
}

/// A pick-one menu for the current conversation.
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
        Menu::Canned => " canned reply ",
        Menu::Attachments => " attachments: Enter save, o open ",
    };
    let width = if *menu == Menu::Attachments { 72 } else { 36 };
    let rect = centered(area, width, options.len() as u16 + 2);
    let lines: Vec<Line> = options
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let line = Line::raw(format!(" {}", sanitize_line(label)));
            if i == selected {
                line.style(theme.style(Role::Selected))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .style(theme.style(Role::Base));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
