//! The reply editor: a text area per conversation (ratatui-textarea) with soft wrap, undo,
//! word motions and bracketed paste; every editing key is a keymap action of the `[editor]`
//! context, so it can be rebound. A change to a draft asks for it to be kept on disk.

use super::{App, Effect};
use crate::domain::Id;
use crate::tui::keymap::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

/// `text` without control characters other than newlines and tabs: pasted or edited text
/// never writes an escape sequence to the terminal.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// A draft's editor holding `text`, the cursor at its end.
pub fn text_area(text: &str) -> TextArea<'static> {
    let lines = clean(text).split('\n').map(str::to_string).collect();
    let mut area = TextArea::new(lines);
    area.set_wrap_mode(WrapMode::WordOrGlyph);
    area.set_cursor_line_style(ratatui::style::Style::default());
    area.set_max_histories(200);
    area.move_cursor(CursorMove::Bottom);
    area.move_cursor(CursorMove::End);
    area
}

/// The text of an editor.
pub fn text_of(area: &TextArea<'_>) -> String {
    area.lines().join("\n")
}

impl App {
    /// The editor of the open conversation, created empty when it has none.
    fn editor_mut(&mut self) -> Option<&mut TextArea<'static>> {
        let id = self.open?;
        Some(self.drafts.entry(id).or_insert_with(|| text_area("")))
    }

    /// The text of conversation `id`'s draft, if it has one.
    pub fn draft_text(&self, id: Id) -> Option<String> {
        self.drafts.get(&id).map(text_of).filter(|t| !t.is_empty())
    }

    /// How many conversations have a draft with text in it.
    pub fn unsent_drafts(&self) -> usize {
        self.drafts.values().filter(|d| !d.is_empty()).count()
    }

    /// Asks for the open conversation's draft to be kept on disk as it is now.
    fn keep_draft(&self) -> Vec<Effect> {
        match self.open {
            Some(id) => vec![Effect::SaveDraft {
                conversation_id: id,
                text: self.draft(),
            }],
            None => vec![],
        }
    }

    /// Runs an editing action on the open draft; `None` when `action` is not one.
    pub(super) fn editor_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let area = self.editor_mut()?;
        let changed = match action {
            Action::CursorLeft => move_to(area, CursorMove::Back),
            Action::CursorRight => move_to(area, CursorMove::Forward),
            Action::CursorUp => move_to(area, CursorMove::Up),
            Action::CursorDown => move_to(area, CursorMove::Down),
            Action::LineStart => move_to(area, CursorMove::Head),
            Action::LineEnd => move_to(area, CursorMove::End),
            Action::WordLeft => move_to(area, CursorMove::WordBack),
            Action::WordRight => move_to(area, CursorMove::WordForward),
            Action::DraftTop => move_to(area, CursorMove::Top),
            Action::DraftBottom => {
                area.move_cursor(CursorMove::Bottom);
                move_to(area, CursorMove::End)
            }
            Action::DeleteForward => area.delete_next_char(),
            Action::DeleteWordBack => area.delete_word(),
            Action::DeleteToLineEnd => area.delete_line_by_end(),
            Action::DeleteToLineStart => area.delete_line_by_head(),
            Action::UndoEdit => area.undo(),
            Action::RedoEdit => area.redo(),
            _ => return None,
        };
        Some(if changed { self.keep_draft() } else { vec![] })
    }

    /// Text keys in the editor (characters, Enter, Tab, Backspace); `None` lets the keymap
    /// handle the key.
    pub(super) fn editor_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let text_key = match key.code {
            KeyCode::Char(_) => !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT),
            KeyCode::Enter | KeyCode::Tab | KeyCode::Backspace => key.modifiers.is_empty(),
            _ => false,
        };
        if !text_key {
            return None;
        }
        let area = self.editor_mut()?;
        let changed = match key.code {
            KeyCode::Tab => area.insert_str("    "),
            _ => area.input_without_shortcuts(key),
        };
        Some(if changed { self.keep_draft() } else { vec![] })
    }

    /// Pasted text (or a canned reply) goes into the draft at the cursor as typed, newlines
    /// kept, as one undo step.
    pub(super) fn paste_into_draft(&mut self, text: &str) -> Vec<Effect> {
        let text = clean(text);
        let changed = self.editor_mut().is_some_and(|area| area.insert_str(text));
        if changed { self.keep_draft() } else { vec![] }
    }

    /// Replaces conversation `id`'s draft with `text` (from `$EDITOR`, or restored at start).
    pub fn set_draft(&mut self, id: Id, text: &str) {
        self.drafts.insert(id, text_area(text));
    }
}

/// Moves the cursor; a move changes no text.
fn move_to(area: &mut TextArea<'_>, m: CursorMove) -> bool {
    area.move_cursor(m);
    false
}
