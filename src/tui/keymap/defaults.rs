//! The default bindings. The keys named in CONTRACT.md are fixed; the rest follow vim habits.

use super::Action::{self, *};
use super::Context::{self, *};

/// Default bindings, as `(context, key spelling, action)`.
///
/// `Global` holds what works in the list, thread and sidebar panes alike; the editor only
/// binds keys that cannot be text (and falls back to `Global` for function keys only).
pub(super) const DEFAULTS: &[(Context, &str, Action)] = &[
    (Global, "j", MoveDown),
    (Global, "down", MoveDown),
    (Global, "k", MoveUp),
    (Global, "up", MoveUp),
    (Global, "ctrl-d", PageDown),
    (Global, "pagedown", PageDown),
    (Global, "ctrl-u", PageUp),
    (Global, "pageup", PageUp),
    (Global, "g", Top),
    (Global, "home", Top),
    (Global, "G", Bottom),
    (Global, "end", Bottom),
    (Global, "enter", Open),
    (Global, "tab", NextPane),
    (Global, "backtab", PrevPane),
    (Global, "/", Filter),
    (Global, "r", Reply),
    (Global, "n", Note),
    (Global, "e", ComposeInEditor),
    (Global, "a", Assign),
    (Global, "m", AssignToMe),
    (Global, "s", Status),
    (Global, "c", Close),
    (Global, "o", Reopen),
    (Global, "p", Priority),
    (Global, "z", Snooze),
    (Global, "[", PrevView),
    (Global, "]", NextView),
    (Global, "b", ToggleSidebar),
    (Global, "A", ToggleAvailable),
    (Global, "ctrl-r", Refresh),
    (Global, "?", Help),
    (Global, "f1", Help),
    (Global, ":", Palette),
    (Global, "q", Quit),
    (Global, "ctrl-c", Quit),
    (List, "x", ToggleSelect),
    (List, "space", ToggleSelect),
    (Thread, "enter", OpenAttachment),
    (Thread, "L", LoadOlder),
    (Editor, "ctrl-s", Send),
    (Editor, "esc", LeaveEditor),
    (Editor, "ctrl-t", ToggleNote),
    (Editor, "ctrl-e", ComposeInEditor),
    (Editor, "ctrl-p", CannedReply),
    (Editor, "ctrl-l", SwitchChannel),
];
