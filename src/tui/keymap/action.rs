//! Every action a key can trigger, with its keymap-file name and its help text.

/// Declares [`Action`] from one table, so the enum, its file names and its descriptions can
/// never disagree.
macro_rules! actions {
    ($($(#[$attr:meta])* $variant:ident = $name:literal, $description:literal;)*) => {
        /// Everything the client can be asked to do from the keyboard or the command palette.
        /// Deserialises from the snake_case names used in keymap files.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
        pub enum Action {
            $(
                #[doc = $description]
                #[serde(rename = $name)]
                $(#[$attr])*
                $variant,
            )*
        }

        impl Action {
            /// Every action, in help-screen order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The action's name in keymap files and the command palette (`move_down`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// A short description for the `?` help overlay.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $description,)*
                }
            }
        }
    };
}

actions! {
    MoveDown = "move_down", "Move down";
    MoveUp = "move_up", "Move up";
    PageDown = "page_down", "Page down";
    PageUp = "page_up", "Page up";
    Top = "top", "Go to the top";
    Bottom = "bottom", "Go to the bottom";
    Open = "open", "Open the selected item";
    NextPane = "next_pane", "Focus the next pane";
    PrevPane = "prev_pane", "Focus the previous pane";
    Filter = "filter", "Filter as you type";
    Reply = "reply", "Reply to the customer";
    Note = "note", "Write an internal note";
    #[serde(alias = "send_reply")]
    Send = "send", "Send what the editor holds";
    CursorLeft = "cursor_left", "Editor: move left";
    CursorRight = "cursor_right", "Editor: move right";
    CursorUp = "cursor_up", "Editor: move up a line";
    CursorDown = "cursor_down", "Editor: move down a line";
    LineStart = "line_start", "Editor: go to the start of the line";
    LineEnd = "line_end", "Editor: go to the end of the line";
    WordLeft = "word_left", "Editor: back a word";
    WordRight = "word_right", "Editor: forward a word";
    DraftTop = "draft_top", "Editor: go to the start of the draft";
    DraftBottom = "draft_bottom", "Editor: go to the end of the draft";
    DeleteForward = "delete_forward", "Editor: delete the character under the cursor";
    DeleteWordBack = "delete_word_back", "Editor: delete the word before the cursor";
    DeleteToLineEnd = "delete_to_line_end", "Editor: delete to the end of the line";
    DeleteToLineStart = "delete_to_line_start", "Editor: delete to the start of the line";
    UndoEdit = "undo_edit", "Editor: undo the last edit";
    RedoEdit = "redo_edit", "Editor: redo what was undone";
    LeaveEditor = "leave_editor", "Leave the editor (draft kept)";
    ToggleNote = "toggle_note", "Switch the editor between reply and internal note";
    ComposeInEditor = "compose_in_editor", "Compose in $EDITOR";
    CannedReply = "canned_reply", "Insert a canned reply";
    Attach = "attach", "Attach a file to the reply (Tab completes the path)";
    Detach = "detach", "Remove a file attached to the reply";
    Mentions = "mentions", "Conversations where you were mentioned and have not looked";
    SwitchChannel = "switch_channel", "Switch the reply channel";
    Assign = "assign", "Assign to…";
    AssignToMe = "assign_to_me", "Assign to me";
    Status = "status", "Change status…";
    Close = "close", "Close the conversation";
    Reopen = "reopen", "Reopen the conversation";
    Priority = "priority", "Change priority…";
    Snooze = "snooze", "Snooze…";
    ToggleSelect = "toggle_select", "Select or unselect for bulk actions";
    EditLabels = "edit_labels", "Add or remove labels (type to complete; +label adds, -label removes)";
    Undo = "undo", "Undo the last change of status, owner, priority, labels or snooze (for 10 s)";
    ToggleQuotes = "toggle_quotes", "Show or fold quoted e-mail history";
    OpenAttachment = "open_attachment", "Open the attachment";
    LoadOlder = "load_older", "Load older messages";
    RetryReply = "retry", "Send the newest failed reply of the thread again";
    DiscardReply = "discard", "Give up the newest failed or waiting reply (it stays, marked failed)";
    Outbox = "outbox", "Replies waiting, retrying or failed, on the whole desk";
    NextView = "next_view", "Next saved view";
    PrevView = "prev_view", "Previous saved view";
    ToggleSidebar = "toggle_sidebar", "Show or hide the contact sidebar";
    ToggleAvailable = "toggle_available", "Switch between available and away";
    Refresh = "refresh", "Refresh from the server";
    Help = "help", "Show this help";
    Palette = "palette", "Command palette";
    Cancel = "cancel", "Close the menu or prompt; dismiss the notice; clear the marks";
    Confirm = "confirm", "Yes: go ahead";
    Complete = "complete", "Complete what is typed";
    Quit = "quit", "Quit";
}

impl Action {
    /// The action with this keymap-file name (or an alias such as `send_reply`), if any.
    pub fn from_name(name: &str) -> Option<Action> {
        toml::Value::String(name.to_owned()).try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_and_round_trip() {
        for &action in Action::ALL {
            let value = toml::Value::try_from(action).unwrap();
            assert_eq!(value.as_str(), Some(action.name()));
            assert_eq!(Action::from_name(action.name()), Some(action));
            assert!(!action.description().is_empty());
        }
        assert_eq!(Action::from_name("nope"), None);
    }

    #[test]
    fn send_reply_is_accepted_as_an_alias_of_send() {
        assert_eq!(Action::from_name("send_reply"), Some(Action::Send));
    }
}
