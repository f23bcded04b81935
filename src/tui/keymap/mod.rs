//! The keymap: which key does which [`Action`] in which [`Context`], from built-in defaults
//! merged with the user's TOML file, and the `?` help table generated from the same bindings.
//!
//! File format (`~/.config/frontdesk/keymap.toml`), one table per context:
//!
//! ```toml
//! [global]             # list, thread and sidebar panes
//! "ctrl-x" = "close"   # add or replace a binding
//! "c" = "none"         # unbind (in a pane table, also hides the [global] binding)
//!
//! [list]
//! "d" = "toggle_select"
//!
//! [editor]             # only keys that cannot be text: ctrl-/alt- keys, esc, f1...
//! "ctrl-enter" = "send"
//! ```

mod action;
mod defaults;
mod key;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use toml::Spanned;

pub use action::Action;
pub use key::{Key, KeyParseError, parse_key};

/// Where a key is pressed. Bindings are per context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// The conversation list.
    List,
    /// The thread of the open conversation.
    Thread,
    /// The contact sidebar.
    Sidebar,
    /// The reply editor: printable keys are text, so only keys that cannot be text bind here.
    Editor,
    /// Bindings shared by the list, thread and sidebar panes.
    Global,
    /// A pick-one menu (status, assign, priority, snooze, canned replies, attachments).
    Menu,
    /// The `?` help: printable keys filter it, so only keys that cannot be text bind here.
    Help,
    /// A yes/no question before a bulk change.
    Confirm,
    /// A line being typed (the `:` palette, the label editor): only non-text keys bind.
    Prompt,
}

impl Context {
    /// Every context, in help-screen order.
    pub const ALL: [Context; 9] = [
        Context::Global,
        Context::List,
        Context::Thread,
        Context::Sidebar,
        Context::Editor,
        Context::Menu,
        Context::Help,
        Context::Confirm,
        Context::Prompt,
    ];

    /// The context's table name in the keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Context::List => "list",
            Context::Thread => "thread",
            Context::Sidebar => "sidebar",
            Context::Editor => "editor",
            Context::Global => "global",
            Context::Menu => "menu",
            Context::Help => "help",
            Context::Confirm => "confirm",
            Context::Prompt => "prompt",
        }
    }

    fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether printable keys are text here, so they cannot be bound.
    fn takes_text(self) -> bool {
        matches!(self, Context::Editor | Context::Help | Context::Prompt)
    }

    /// Whether a key unbound here is looked up in [`Context::Global`]: always for the panes,
    /// only function keys for the editor (everything else there is text or editing).
    fn falls_back(self, key: Key) -> bool {
        match self {
            Context::List | Context::Thread | Context::Sidebar => true,
            Context::Editor => matches!(key.code, KeyCode::F(_)),
            Context::Global
            | Context::Menu
            | Context::Help
            | Context::Confirm
            | Context::Prompt => false,
        }
    }
}

/// The live bindings. `None` records an explicit unbinding that hides the `Global` binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    bindings: HashMap<(Context, Key), Option<Action>>,
}

/// One line of the `?` help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    /// Where the keys work.
    pub context: Context,
    /// The keys bound to the action there, as the keymap file spells them (`"j, down"`).
    pub keys: String,
    /// The action.
    pub action: Action,
    /// The action's description.
    pub description: &'static str,
}

/// Why the user's keymap file could not be used; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// The file could not be read.
    #[error("cannot read keymap {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not TOML, or not tables of strings.
    #[error("keymap {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML error, with line and column.
        source: toml::de::Error,
    },
    /// A table that is not a context.
    #[error(
        "keymap {path}: unknown section [{context}] (use global, list, thread, sidebar, editor, \
         menu, help, confirm, prompt)"
    )]
    UnknownContext {
        /// The file.
        path: PathBuf,
        /// The bad table name.
        context: String,
    },
    /// A key spelling that does not parse.
    #[error("keymap {path}, line {line}: [{context}] {source}")]
    BadKey {
        /// The file.
        path: PathBuf,
        /// 1-based line of the binding.
        line: usize,
        /// The context table.
        context: &'static str,
        /// The parse error, naming the key.
        source: KeyParseError,
    },
    /// A printable key bound in `[editor]`, `[help]` or `[prompt]`, where it must stay text.
    #[error(
        "keymap {path}, line {line}: [{context}] \"{key}\" is typed as text there; \
         bind a ctrl-, alt- or function key"
    )]
    TextKeyInEditor {
        /// The file.
        path: PathBuf,
        /// 1-based line of the binding.
        line: usize,
        /// The context table.
        context: &'static str,
        /// The key as written.
        key: String,
    },
    /// An action name that does not exist.
    #[error(
        "keymap {path}, line {line}: [{context}] \"{key}\" = \"{action}\": unknown action \
         `{action}` (use \"none\" to unbind, or one of: {known})",
        known = Action::ALL.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
    )]
    UnknownAction {
        /// The file.
        path: PathBuf,
        /// 1-based line of the binding.
        line: usize,
        /// The context table.
        context: &'static str,
        /// The key as written.
        key: String,
        /// The bad action name.
        action: String,
    },
}

impl Default for Keymap {
    /// The default bindings (CONTRACT.md's keys plus vim-style extras).
    fn default() -> Self {
        let bindings = defaults::DEFAULTS
            .iter()
            .map(|&(context, spelling, action)| {
                let key = parse_key(spelling).expect("default key spellings are valid");
                ((context, key), Some(action))
            })
            .collect();
        Keymap { bindings }
    }
}

/// The user's keymap file: `<config dir>/frontdesk/keymap.toml`.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("frontdesk").join("keymap.toml"))
}

impl Keymap {
    /// The defaults merged with a keymap file: `path` when given (it must exist), else the
    /// user's file at [`default_path`] if there is one.
    pub fn load(path: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        let file = match path {
            Some(path) => Some(path.to_owned()),
            None => default_path().filter(|p| p.is_file()),
        };
        if let Some(path) = file {
            let src = std::fs::read_to_string(&path).map_err(|source| KeymapError::Read {
                path: path.clone(),
                source,
            })?;
            keymap.merge(&src, &path)?;
        }
        Ok(keymap)
    }

    /// The action `event` triggers in `ctx`, looking in `Global` when `ctx` does not bind it
    /// (the editor only for function keys). Key releases trigger nothing.
    pub fn action(&self, ctx: Context, event: KeyEvent) -> Option<Action> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let key = Key::from(event);
        match self.bindings.get(&(ctx, key)) {
            Some(bound) => *bound,
            None if ctx.falls_back(key) => self
                .bindings
                .get(&(Context::Global, key))
                .copied()
                .flatten(),
            None => None,
        }
    }

    /// The first key bound to `action` in `ctx`, or in `Global` where `ctx` falls back to
    /// it, as the keymap file spells it: for hints that follow the user's rebindings.
    pub fn key_for(&self, ctx: Context, action: Action) -> Option<String> {
        let find = |context: Context| {
            self.bindings
                .iter()
                .filter(|&(&(c, key), &a)| {
                    c == context
                        && a == Some(action)
                        && (context == ctx || !self.bindings.contains_key(&(ctx, key)))
                })
                .map(|(&(_, key), _)| key)
                .min_by_key(|k| k.help_rank())
        };
        let key = find(ctx).or_else(|| {
            let falls_back = matches!(ctx, Context::List | Context::Thread | Context::Sidebar);
            falls_back.then(|| find(Context::Global)).flatten()
        })?;
        Some(key.to_string())
    }

    /// The help table from the live bindings: per context (in [`Context::ALL`] order), one
    /// entry per bound action (in [`Action::ALL`] order) listing all its keys.
    pub fn help(&self) -> Vec<HelpEntry> {
        let mut entries = Vec::new();
        for context in Context::ALL {
            for &action in Action::ALL {
                let mut keys: Vec<Key> = self
                    .bindings
                    .iter()
                    .filter(|&(&(c, _), &a)| c == context && a == Some(action))
                    .map(|(&(_, key), _)| key)
                    .collect();
                if keys.is_empty() {
                    continue;
                }
                keys.sort_by_cached_key(|k| k.help_rank());
                let keys = keys
                    .iter()
                    .map(Key::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                entries.push(HelpEntry {
                    context,
                    keys,
                    action,
                    description: action.description(),
                });
            }
        }
        entries
    }

    /// Applies a keymap file's bindings over the current ones.
    fn merge(&mut self, src: &str, path: &Path) -> Result<(), KeymapError> {
        let tables: BTreeMap<String, BTreeMap<String, Spanned<String>>> = toml::from_str(src)
            .map_err(|source| KeymapError::Parse {
                path: path.to_owned(),
                source,
            })?;
        for (table, bindings) in tables {
            let context =
                Context::from_name(&table).ok_or_else(|| KeymapError::UnknownContext {
                    path: path.to_owned(),
                    context: table.clone(),
                })?;
            for (spelling, value) in bindings {
                let line = src[..value.span().start].lines().count().max(1);
                let key = parse_key(&spelling).map_err(|source| KeymapError::BadKey {
                    path: path.to_owned(),
                    line,
                    context: context.name(),
                    source,
                })?;
                if context.takes_text() && key.is_text() {
                    return Err(KeymapError::TextKeyInEditor {
                        path: path.to_owned(),
                        line,
                        context: context.name(),
                        key: spelling,
                    });
                }
                let name = value.into_inner();
                let action =
                    match name.as_str() {
                        "none" => None,
                        name => Some(Action::from_name(name).ok_or_else(|| {
                            KeymapError::UnknownAction {
                                path: path.to_owned(),
                                line,
                                context: context.name(),
                                key: spelling.clone(),
                                action: name.to_owned(),
                            }
                        })?),
                    };
                if action.is_none() && context == Context::Global {
                    self.bindings.remove(&(context, key));
                } else {
                    self.bindings.insert((context, key), action);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn press(spelling: &str) -> KeyEvent {
        let key = parse_key(spelling).unwrap();
        KeyEvent::new(key.code, key.modifiers)
    }

    fn load(src: &str) -> (tempfile::TempDir, PathBuf, Result<Keymap, KeymapError>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.toml");
        std::fs::write(&path, src).unwrap();
        let keymap = Keymap::load(Some(&path));
        (dir, path, keymap)
    }

    fn error(src: &str) -> String {
        let (_dir, path, keymap) = load(src);
        let err = keymap.unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        err
    }

    #[test]
    fn contract_default_keys_are_bound() {
        let keymap = Keymap::default();
        let panes = [Context::List, Context::Thread, Context::Sidebar];
        for (key, action) in [
            ("j", Action::MoveDown),
            ("k", Action::MoveUp),
            ("tab", Action::NextPane),
            ("/", Action::Filter),
            ("r", Action::Reply),
            ("n", Action::Note),
            ("a", Action::Assign),
            ("s", Action::Status),
            ("?", Action::Help),
            (":", Action::Palette),
            ("q", Action::Quit),
        ] {
            for ctx in panes {
                assert_eq!(
                    keymap.action(ctx, press(key)),
                    Some(action),
                    "{key} in {ctx:?}"
                );
            }
        }
        assert_eq!(
            keymap.action(Context::List, press("enter")),
            Some(Action::Open)
        );
        assert_eq!(
            keymap.action(Context::Sidebar, press("enter")),
            Some(Action::Open)
        );
        assert_eq!(
            keymap.action(Context::Editor, press("ctrl-s")),
            Some(Action::Send)
        );
        assert_eq!(
            keymap.action(Context::Editor, press("esc")),
            Some(Action::LeaveEditor)
        );
    }

    #[test]
    fn every_action_has_a_default_key() {
        let help = Keymap::default().help();
        for &action in Action::ALL {
            assert!(
                help.iter().any(|e| e.action == action),
                "{action:?} unbound"
            );
        }
    }

    #[test]
    fn the_editor_keeps_printable_keys_as_text_but_takes_function_keys() {
        let keymap = Keymap::default();
        for key in ["j", "q", "r", "?", "G", "space", "enter", "tab"] {
            assert_eq!(keymap.action(Context::Editor, press(key)), None, "{key}");
        }
        assert_eq!(
            keymap.action(Context::Editor, press("f1")),
            Some(Action::Help)
        );
    }

    #[test]
    fn shifted_letters_and_ctrl_match_crossterm_events() {
        let keymap = Keymap::default();
        let shifted_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            keymap.action(Context::List, shifted_g),
            Some(Action::Bottom)
        );
        let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(
            keymap.action(Context::Thread, ctrl_d),
            Some(Action::PageDown)
        );
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            keymap.action(Context::List, backtab),
            Some(Action::PrevPane)
        );
        let mut release = press("q");
        release.kind = KeyEventKind::Release;
        assert_eq!(keymap.action(Context::List, release), None);
    }

    #[test]
    fn a_pane_binding_overrides_global() {
        let keymap = Keymap::default();
        assert_eq!(
            keymap.action(Context::Thread, press("enter")),
            Some(Action::OpenAttachment)
        );
        assert_eq!(
            keymap.action(Context::List, press("x")),
            Some(Action::ToggleSelect)
        );
        assert_eq!(keymap.action(Context::Sidebar, press("x")), None);
    }

    #[test]
    fn a_file_rebinds_and_unbinds_and_help_follows() {
        let src = r#"
            [global]
            "c" = "none"
            "ctrl-x" = "close"

            [list]
            "j" = "none"
            "d" = "toggle_select"

            [editor]
            "ctrl-enter" = "send_reply"
        "#;
        let (_dir, _path, keymap) = load(src);
        let keymap = keymap.unwrap();

        assert_eq!(keymap.action(Context::List, press("c")), None);
        assert_eq!(
            keymap.action(Context::List, press("ctrl-x")),
            Some(Action::Close)
        );
        assert_eq!(keymap.action(Context::List, press("j")), None);
        assert_eq!(
            keymap.action(Context::Thread, press("j")),
            Some(Action::MoveDown)
        );
        assert_eq!(
            keymap.action(Context::List, press("d")),
            Some(Action::ToggleSelect)
        );
        assert_eq!(
            keymap.action(Context::Editor, press("ctrl-enter")),
            Some(Action::Send)
        );
        assert_eq!(
            keymap.action(Context::Editor, press("ctrl-s")),
            Some(Action::Send)
        );

        let help = keymap.help();
        let keys = |context, action| {
            help.iter()
                .find(|e| e.context == context && e.action == action)
                .map(|e| e.keys.as_str())
        };
        assert_eq!(keys(Context::Global, Action::Close), Some("ctrl-x"));
        assert_eq!(
            keys(Context::List, Action::ToggleSelect),
            Some("d, x, space")
        );
        assert_eq!(
            keys(Context::Editor, Action::Send),
            Some("ctrl-s, ctrl-enter")
        );
        assert_eq!(keys(Context::Global, Action::MoveDown), Some("j, down"));
        let close = help.iter().find(|e| e.action == Action::Close).unwrap();
        assert_eq!(close.description, Action::Close.description());
    }

    #[test]
    fn help_lists_contexts_in_order_and_default_keys() {
        let help = Keymap::default().help();
        assert_eq!(help[0].context, Context::Global);
        assert_eq!(help.last().unwrap().context, Context::Prompt);
        let bottom = help.iter().find(|e| e.action == Action::Bottom).unwrap();
        assert_eq!(bottom.keys, "G, end");
        let page = help.iter().find(|e| e.action == Action::PageDown).unwrap();
        assert_eq!(page.keys, "ctrl-d, pagedown");
    }

    #[test]
    fn an_unknown_action_names_the_file_line_key_and_value() {
        let err = error("[list]\n\"x\" = \"toggle_select\"\n\"ctrl-x\" = \"clsoe\"\n");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("\"ctrl-x\""), "{err}");
        assert!(err.contains("`clsoe`"), "{err}");
    }

    #[test]
    fn a_bad_key_names_the_file_line_and_key() {
        let err = error("[thread]\n\n\"ctrl-nope\" = \"close\"\n");
        assert!(
            err.contains("line 3") && err.contains("`ctrl-nope`"),
            "{err}"
        );
    }

    #[test]
    fn other_file_mistakes_are_errors_naming_them() {
        assert!(error("[lists]\n\"x\" = \"close\"\n").contains("[lists]"));
        assert!(error("[editor]\n\"q\" = \"quit\"\n").contains("\"q\""));
        assert!(error("[list]\n\"x\" = 3\n").contains("line 2"));
        let missing = Keymap::load(Some(Path::new("/nonexistent/keymap.toml"))).unwrap_err();
        assert!(missing.to_string().contains("/nonexistent/keymap.toml"));
    }
}
