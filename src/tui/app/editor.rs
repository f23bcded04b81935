//! The reply editor: a text area per conversation (ratatui-textarea) with soft wrap, undo,
//! word motions and bracketed paste; every editing key is a keymap action of the `[editor]`
//! context, so it can be rebound. A change to a draft asks for it to be kept on disk.

use super::{App, Compose, Effect, Outgoing};
use crate::domain::Id;
use crate::tui::canned::Filled;
use crate::tui::keymap::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};
use std::collections::HashMap;

/// The reply editor's state: a draft per conversation, how the next one goes out, and the
/// replies sent from here until the server's messages replace them.
#[derive(Debug, Clone)]
pub struct EditorPane {
    pub compose: Compose,
    /// Unsent text per conversation, each in its own editor; the open one's is shown.
    pub drafts: HashMap<Id, TextArea<'static>>,
    /// The channel the reply being written goes out on, when not the conversation's own.
    pub channel: Option<Id>,
    pub outgoing: Vec<Outgoing>,
    /// Per draft, the newest message of its conversation the agent had seen when the draft
    /// was started (or when a reply that came after was shown to them): a reply by someone
    /// else after it makes Ctrl-S ask first.
    pub(super) seen: HashMap<Id, Id>,
    /// Files attached per draft.
    pub files: HashMap<Id, Vec<super::Attached>>,
    /// Agents picked with `@` per note.
    pub mentions: HashMap<Id, std::collections::BTreeSet<Id>>,
    /// Which channels reach the open conversation's contact, once the server said.
    pub reach: Option<crate::api::ReplyChannels>,
}

impl Default for EditorPane {
    fn default() -> Self {
        EditorPane {
            compose: Compose::Reply,
            drafts: HashMap::new(),
            channel: None,
            outgoing: Vec::new(),
            seen: HashMap::new(),
            files: HashMap::new(),
            mentions: HashMap::new(),
            reach: None,
        }
    }
}

impl EditorPane {
    /// The commands the editor offers, in the order the hint line shows them.
    pub const COMMANDS: &[Action] = &[
        Action::Send,
        Action::ToggleNote,
        Action::SwitchChannel,
        Action::CannedReply,
        Action::Attach,
        Action::ComposeInEditor,
        Action::LeaveEditor,
    ];

    /// The draft of conversation `id`, created empty when it has none.
    fn draft_mut(&mut self, id: Id) -> &mut TextArea<'static> {
        self.drafts.entry(id).or_insert_with(|| text_area(""))
    }

    /// Runs editing `action` on `id`'s draft: `None` when it is not an editing action,
    /// else whether the text changed.
    fn edit(&mut self, id: Id, action: Action) -> Option<bool> {
        let area = self.draft_mut(id);
        Some(match action {
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
        })
    }

    /// Types a text key (characters, Enter, Tab, Backspace) into `id`'s draft: `None` when
    /// `key` is not one (the keymap handles it), else whether the text changed.
    fn type_key(&mut self, id: Id, key: KeyEvent) -> Option<bool> {
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
        let area = self.draft_mut(id);
        Some(match key.code {
            KeyCode::Tab => area.insert_str("    "),
            _ => area.input_without_shortcuts(key),
        })
    }

    /// Inserts `text` into `id`'s draft at the cursor, as typed, as one undo step; returns
    /// whether the text changed.
    fn insert(&mut self, id: Id, text: &str) -> bool {
        self.draft_mut(id).insert_str(clean(text))
    }

    /// Moves the cursor of `id`'s draft `chars` characters back (across line ends).
    fn back(&mut self, id: Id, chars: usize) {
        let area = self.draft_mut(id);
        for _ in 0..chars {
            area.move_cursor(CursorMove::Back);
        }
    }
}

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
    /// The text of conversation `id`'s draft, if it has one.
    pub fn draft_text(&self, id: Id) -> Option<String> {
        self.editor
            .drafts
            .get(&id)
            .map(text_of)
            .filter(|t| !t.is_empty())
    }

    /// How many conversations have a draft with text in it.
    pub fn unsent_drafts(&self) -> usize {
        self.editor
            .drafts
            .values()
            .filter(|d| !d.is_empty())
            .count()
    }

    /// Asks for the open conversation's draft to be kept on disk as it is now.
    fn keep_draft(&mut self) -> Vec<Effect> {
        match self.thread.open {
            Some(id) => {
                self.note_draft_start(id);
                vec![Effect::SaveDraft {
                    conversation_id: id,
                    text: self.draft(),
                }]
            }
            None => vec![],
        }
    }

    /// Remembers what the agent had seen of conversation `id` when its draft got its first
    /// text (once its thread is loaded); forgets it when the draft is emptied.
    pub(super) fn note_draft_start(&mut self, id: Id) {
        if self.draft_text(id).is_none() {
            self.editor.seen.remove(&id);
            return;
        }
        if self.editor.seen.contains_key(&id) {
            return;
        }
        if let Some(t) = self
            .thread
            .loaded
            .as_ref()
            .filter(|t| t.detail.conversation.id == id)
        {
            let newest = t.detail.messages.last().map_or(0, |m| m.id);
            self.editor.seen.insert(id, newest);
        }
    }

    /// Runs an editing action on the open draft; `None` when `action` is not one.
    pub(super) fn editor_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let id = self.thread.open?;
        let changed = self.editor.edit(id, action)?;
        Some(if changed { self.keep_draft() } else { vec![] })
    }

    /// Text keys in the editor (characters, Enter, Tab, Backspace); `None` lets the keymap
    /// handle the key.
    pub(super) fn editor_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let id = self.thread.open?;
        let changed = self.editor.type_key(id, key)?;
        if let KeyCode::Char(c) = key.code {
            self.maybe_pick_mention(c);
        }
        Some(if changed { self.keep_draft() } else { vec![] })
    }

    /// Pasted text (or a canned reply) goes into the draft at the cursor as typed, newlines
    /// kept, as one undo step.
    pub(super) fn paste_into_draft(&mut self, text: &str) -> Vec<Effect> {
        let changed = self
            .thread
            .open
            .is_some_and(|id| self.editor.insert(id, text));
        if changed { self.keep_draft() } else { vec![] }
    }

    /// Inserts a filled canned reply into conversation `id`'s draft at its cursor, and leaves
    /// the cursor where the reply's `{{cursor}}` was.
    pub(super) fn insert_into_draft(&mut self, id: Id, filled: &Filled) -> Vec<Effect> {
        if !self.editor.insert(id, &filled.text) {
            return vec![];
        }
        if let Some(back) = filled.cursor_from_end {
            self.editor.back(id, back);
        }
        self.note_draft_start(id);
        vec![Effect::SaveDraft {
            conversation_id: id,
            text: self.draft_text(id).unwrap_or_default(),
        }]
    }

    /// Replaces conversation `id`'s draft with `text` (from `$EDITOR`, or restored at start).
    pub fn set_draft(&mut self, id: Id, text: &str) {
        self.editor.drafts.insert(id, text_area(text));
    }
}

/// Moves the cursor; a move changes no text.
fn move_to(area: &mut TextArea<'_>, m: CursorMove) -> bool {
    area.move_cursor(m);
    false
}
