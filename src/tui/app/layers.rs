//! Layers above the panes: menus, the palette, help, confirmations, the label editor and
//! the contact overlay. The top layer takes the keys, in its own keymap context.

use super::{App, Choice, Effect, Pane};
use crate::api::ConversationPatch;
use crate::domain::{Id, Priority, Status};
use crate::tui::keymap::{Action, Context};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A menu that picks one value.
#[derive(Debug, Clone, PartialEq)]
pub enum Menu {
    Status,
    Assign,
    Priority,
    Snooze,
    /// The files attached to the open draft, to remove one.
    Detach,
    /// The conversations where this agent was mentioned and has not looked.
    Mentions,
    /// The desk's replies waiting, retrying or failed.
    Outbox,
    /// The attachments of the open conversation, newest first.
    Attachments,
}

/// A change of one or more conversations, waiting for the agent's yes when it is a bulk one.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Per conversation, the change: the ids on screen when the key was pressed.
    pub changes: Vec<(Id, ConversationPatch)>,
    /// What it does, in the present tense ("close").
    pub verb: String,
    /// What it did, in the past tense ("closed").
    pub done: String,
}

/// One layer of the stack above the panes.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    /// The keymap, filtered by what is typed.
    Help { scroll: usize, filter: String },
    /// A pick-one menu for `targets` (the conversations on screen when it opened).
    Menu {
        menu: Menu,
        selected: usize,
        targets: Vec<Id>,
    },
    /// The `:` command line.
    Palette { line: String },
    /// "close 7 conversations? y/n".
    Confirm(Pending),
    /// Add or remove labels on `targets`.
    Labels {
        targets: Vec<Id>,
        input: String,
        selected: usize,
    },
    /// The contact sidebar over the thread, where the screen is too narrow to show it beside.
    Contact,
    /// "quit with 2 unsent drafts? y/n".
    ConfirmQuit(usize),
    /// "Bo replied after you started: send yours anyway? y/n" before sending the draft of
    /// `conversation`; `message` is that reply.
    Collision { conversation: Id, message: Id },
    /// The path prompt that attaches a file to the draft of `conversation`; `listing` is the
    /// directory typed, once listed; `asked` the directory last asked for.
    Attach {
        conversation: Id,
        input: String,
        selected: usize,
        listing: Option<super::Listing>,
        asked: String,
    },
    /// The agent picker after `@` in a note of `conversation`.
    Mention {
        conversation: Id,
        query: String,
        selected: usize,
    },
    /// The canned reply picker for the draft of `conversation`: typing filters, the picked
    /// reply is previewed with its placeholders filled.
    Canned {
        conversation: Id,
        query: String,
        selected: usize,
    },
}

impl Layer {
    /// The keymap context the layer reads its keys in.
    pub fn context(&self) -> Context {
        match self {
            Layer::Help { .. } => Context::Help,
            Layer::Menu { .. } => Context::Menu,
            Layer::Palette { .. }
            | Layer::Labels { .. }
            | Layer::Canned { .. }
            | Layer::Attach { .. }
            | Layer::Mention { .. } => Context::Prompt,
            Layer::Confirm(_) | Layer::ConfirmQuit(_) | Layer::Collision { .. } => Context::Confirm,
            Layer::Contact => Context::Sidebar,
        }
    }

    /// Pasted text, for the layers that take text.
    pub(super) fn paste(&mut self, text: &str) {
        let clean = text.chars().filter(|c| !c.is_control());
        match self {
            Layer::Help { filter, scroll } => {
                filter.extend(clean.take(100));
                *scroll = 0;
            }
            Layer::Palette { line } => line.extend(clean.take(200)),
            Layer::Labels { input, .. } => input.extend(clean.take(100)),
            Layer::Attach {
                input, selected, ..
            } => {
                input.extend(clean.take(1000));
                *selected = 0;
            }
            Layer::Canned {
                query, selected, ..
            } => {
                query.extend(clean.take(100));
                *selected = 0;
            }
            _ => {}
        }
    }
}

impl App {
    /// The text input of the top layer, if it takes text.
    fn layer_text(&mut self) -> Option<&mut String> {
        match self.layers.last_mut()? {
            Layer::Help { filter, .. } => Some(filter),
            Layer::Palette { line } => Some(line),
            Layer::Labels { input, .. } => Some(input),
            Layer::Canned { query, .. } | Layer::Mention { query, .. } => Some(query),
            Layer::Attach { input, .. } => Some(input),
            _ => None,
        }
    }

    /// A key for the top layer: its keymap context first, then typing for layers with text.
    pub(super) fn layer_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let context = self.context();
        if context == Context::Sidebar {
            // The contact overlay works like the sidebar pane.
            let focus = std::mem::replace(&mut self.focus, Pane::Sidebar);
            let effects = match self.keymap.action(context, key) {
                Some(Action::Cancel | Action::ToggleSidebar) => {
                    self.layers.pop();
                    vec![]
                }
                Some(action @ (Action::MoveDown | Action::MoveUp | Action::Open)) => {
                    self.action(action)
                }
                Some(Action::Quit) => self.action(Action::Quit),
                _ => vec![],
            };
            if self.focus == Pane::Sidebar {
                self.focus = focus;
            }
            return effects;
        }
        if let Some(action) = self.keymap.action(context, key) {
            return self.layer_action(action);
        }
        match key.code {
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL) => {
                if let Some(text) = self.layer_text() {
                    text.push(c);
                    return self.after_typing();
                }
            }
            KeyCode::Backspace => {
                if let Some(text) = self.layer_text() {
                    text.pop();
                    return self.after_typing();
                }
            }
            _ => {}
        }
        vec![]
    }

    /// Typing moved the layer's text: start its list from the top again (and list the
    /// directory a path now names).
    fn after_typing(&mut self) -> Vec<Effect> {
        match self.layers.last_mut() {
            Some(Layer::Help { scroll, .. }) => *scroll = 0,
            Some(
                Layer::Labels { selected, .. }
                | Layer::Canned { selected, .. }
                | Layer::Mention { selected, .. },
            ) => *selected = 0,
            Some(Layer::Attach { .. }) => return self.attach_typed(),
            _ => {}
        }
        vec![]
    }

    fn layer_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(layer) = self.layers.pop() else {
            return vec![];
        };
        match (layer, action) {
            (
                Layer::Collision {
                    conversation,
                    message,
                },
                Action::Cancel,
            ) => {
                self.collision_seen(conversation, message);
                vec![]
            }
            (_, Action::Cancel) => vec![],
            (Layer::Help { .. }, Action::Help) => vec![],
            (Layer::Help { scroll, filter }, a) => {
                let scroll = match a {
                    Action::MoveDown => scroll + 1,
                    Action::MoveUp => scroll.saturating_sub(1),
                    Action::PageDown => scroll + 10,
                    Action::PageUp => scroll.saturating_sub(10),
                    Action::Top => 0,
                    Action::Bottom => usize::MAX / 2,
                    _ => scroll,
                };
                self.layers.push(Layer::Help { scroll, filter });
                vec![]
            }
            (
                Layer::Menu {
                    menu,
                    selected,
                    targets,
                },
                a,
            ) => self.menu_action(menu, selected, targets, a),
            (Layer::Palette { line }, Action::Complete) => {
                let line = match self.completions_for(&line).first() {
                    Some(done) => format!("{done} "),
                    None => line,
                };
                self.layers.push(Layer::Palette { line });
                vec![]
            }
            (Layer::Palette { line }, Action::Open | Action::Confirm) => {
                self.run_command(line.trim())
            }
            (Layer::Confirm(pending), Action::Confirm) => self.apply(pending),
            (
                Layer::Collision {
                    conversation,
                    message,
                },
                Action::Confirm,
            ) => {
                self.collision_seen(conversation, message);
                self.send_draft(conversation)
            }
            (Layer::ConfirmQuit(_), Action::Confirm) => {
                self.quit = true;
                vec![Effect::Quit]
            }
            (
                Layer::Labels {
                    targets,
                    input,
                    selected,
                },
                a,
            ) => self.labels_action(targets, input, selected, a),
            (
                Layer::Canned {
                    conversation,
                    query,
                    selected,
                },
                a,
            ) => self.canned_action(conversation, query, selected, a),
            (
                Layer::Mention {
                    conversation,
                    query,
                    selected,
                },
                a,
            ) => self.mention_action(conversation, query, selected, a),
            (
                Layer::Attach {
                    conversation,
                    input,
                    selected,
                    listing,
                    asked,
                },
                a,
            ) => self.attach_action(conversation, input, selected, (listing, asked), a),
            (layer, _) => {
                self.layers.push(layer);
                vec![]
            }
        }
    }

    fn menu_action(
        &mut self,
        menu: Menu,
        selected: usize,
        targets: Vec<Id>,
        action: Action,
    ) -> Vec<Effect> {
        let options = self.menu_options(&menu);
        let last = options.len().saturating_sub(1);
        let keep = |selected| Layer::Menu {
            menu: menu.clone(),
            selected,
            targets: targets.clone(),
        };
        match action {
            Action::MoveDown => self.layers.push(keep((selected + 1).min(last))),
            Action::MoveUp => self.layers.push(keep(selected.saturating_sub(1))),
            Action::Top => self.layers.push(keep(0)),
            Action::Bottom => self.layers.push(keep(last)),
            Action::OpenAttachment => {
                if let Some((_, Choice::Attachment { url, name })) =
                    options.into_iter().nth(selected)
                {
                    return vec![Effect::SaveAttachment {
                        url,
                        name,
                        open: true,
                    }];
                }
            }
            Action::Open | Action::Confirm => match options.into_iter().nth(selected) {
                Some((label, Choice::Patch(patch))) => {
                    let (verb, done) = match menu {
                        Menu::Assign => {
                            (format!("assign to {label}"), format!("assigned to {label}"))
                        }
                        Menu::Snooze => (format!("snooze {label}"), format!("snoozed {label}")),
                        _ => (format!("set to {label}"), format!("set to {label}")),
                    };
                    let changes = targets.into_iter().map(|id| (id, patch.clone())).collect();
                    return self.change(Pending {
                        changes,
                        verb,
                        done,
                    });
                }
                Some((_, Choice::Attachment { url, name })) => {
                    return vec![Effect::SaveAttachment {
                        url,
                        name,
                        open: false,
                    }];
                }
                Some((_, Choice::Open(id))) => return self.open_conversation(id),
                Some((_, Choice::Detach(index))) => {
                    if let Some(&id) = targets.first() {
                        self.detach(id, index);
                    }
                }
                None => {}
            },
            _ => self.layers.push(keep(selected)),
        }
        vec![]
    }

    /// Opens a menu for the conversations the action applies to now.
    pub(super) fn open_menu(&mut self, menu: Menu) {
        let targets = match menu {
            Menu::Attachments | Menu::Detach => self.thread.open.into_iter().collect(),
            _ => self.targets(),
        };
        if !targets.is_empty() {
            self.layers.push(Layer::Menu {
                menu,
                selected: 0,
                targets,
            });
        }
    }

    /// The choices of a menu: a label and what picking it does.
    pub fn menu_options(&self, menu: &Menu) -> Vec<(String, Choice)> {
        if *menu == Menu::Attachments {
            let Some(t) = &self.thread.loaded else {
                return Vec::new();
            };
            return t
                .detail
                .messages
                .iter()
                .rev()
                .flat_map(|m| m.attachments.iter().map(move |a| (m, a)))
                .map(|(m, a)| {
                    let name = crate::tui::sanitize::sanitize_line(&a.name).into_owned();
                    (
                        format!("[{}] {name}  from {}", a.kind, m.sender.name),
                        Choice::Attachment {
                            url: a.url.clone(),
                            name,
                        },
                    )
                })
                .collect();
        }
        if *menu == Menu::Outbox {
            return self.outbox_options();
        }
        if *menu == Menu::Mentions {
            return self
                .mentioned
                .iter()
                .map(|m| {
                    let label = format!(
                        "#{} {}  ({} from {})",
                        m.conversation.id, m.conversation.subject, m.unseen, m.by
                    );
                    (label, Choice::Open(m.conversation.id))
                })
                .collect();
        }
        if *menu == Menu::Detach {
            let files = self.thread.open.map_or(&[][..], |id| self.attached(id));
            return files
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let label = format!("{}  {}", f.name, super::attach::size_label(f.size));
                    (label, Choice::Detach(i))
                })
                .collect();
        }
        let patches: Vec<(String, ConversationPatch)> = match menu {
            Menu::Status => Status::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().replace('_', " "),
                        ConversationPatch {
                            status: Some(*s),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
            Menu::Priority => Priority::ALL
                .iter()
                .map(|p| {
                    (
                        p.as_str().to_string(),
                        ConversationPatch {
                            priority: Some(*p),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
            Menu::Snooze => {
                const HOUR: i64 = 3_600_000;
                let now = self.now;
                [
                    ("for an hour", Some(now + HOUR)),
                    ("for 4 hours", Some(now + 4 * HOUR)),
                    ("for a day", Some(now + 24 * HOUR)),
                    ("for a week", Some(now + 7 * 24 * HOUR)),
                    ("wake it now", None),
                ]
                .into_iter()
                .map(|(label, until)| {
                    (
                        label.to_string(),
                        ConversationPatch {
                            snoozed_until: Some(until.map(crate::domain::Timestamp)),
                            ..Default::default()
                        },
                    )
                })
                .collect()
            }
            Menu::Assign => std::iter::once(("nobody".to_string(), None))
                .chain(self.agents.iter().map(|a| {
                    let away = if a.available { "" } else { " (away)" };
                    (format!("{}{away}", a.name), Some(a.id))
                }))
                .map(|(label, owner)| {
                    (
                        label,
                        ConversationPatch {
                            owner_id: Some(owner),
                            ..Default::default()
                        },
                    )
                })
                .chain(self.teams.iter().map(|t| {
                    (
                        format!("team: {}", t.name),
                        ConversationPatch {
                            team_id: Some(Some(t.id)),
                            ..Default::default()
                        },
                    )
                }))
                .collect(),
            Menu::Attachments | Menu::Detach | Menu::Mentions | Menu::Outbox => Vec::new(),
        };
        patches
            .into_iter()
            .map(|(label, patch)| (label, Choice::Patch(patch)))
            .collect()
    }
}
