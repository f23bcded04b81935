//! Keymap actions, and changes to conversations: each names the conversations that were on
//! screen when the key was pressed, a bulk change asks first and reports its result, and the
//! last change can be undone for a few seconds.

use super::{App, Batch, Compose, Effect, Layer, Menu, Pane, Pending, UNDO_MS, Undo, VIEWS};
use crate::api::ConversationPatch;
use crate::domain::{Conversation, Id, Status};
use crate::tui::keymap::Action;

/// How long a change of mine marks its events as my own doing (for the bell).
const OWN_CHANGE_MS: i64 = 10_000;

/// Most completions the label editor offers.
const LABEL_CHOICES: usize = 8;

impl App {
    /// Runs a keymap action.
    pub fn action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                let unsent = self.unsent_drafts();
                if unsent > 0
                    && !self
                        .layers
                        .iter()
                        .any(|l| matches!(l, Layer::ConfirmQuit(_)))
                {
                    self.layers.push(Layer::ConfirmQuit(unsent));
                    return vec![];
                }
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::MoveDown => return self.move_by(1),
            Action::MoveUp => return self.move_by(-1),
            Action::PageDown => return self.move_by(10),
            Action::PageUp => return self.move_by(-10),
            Action::Top => {
                return match self.focus {
                    Pane::Thread | Pane::Editor => self.thread_top(),
                    _ => self.move_by(-(self.list.rows.len() as isize)),
                };
            }
            Action::Bottom => {
                return match self.focus {
                    Pane::Thread | Pane::Editor => {
                        self.thread_bottom();
                        vec![]
                    }
                    _ => self.move_by(self.list.rows.len() as isize),
                };
            }
            Action::Open => return self.open_selected(),
            Action::NextPane => self.cycle_focus(true),
            Action::PrevPane => self.cycle_focus(false),
            Action::Filter => {
                self.list.filtering = true;
                self.focus = Pane::List;
            }
            Action::Reply | Action::Note => {
                if self.thread.open.is_none() {
                    return self.open_selected();
                }
                self.editor.compose = if action == Action::Note {
                    Compose::Note
                } else {
                    Compose::Reply
                };
                self.focus = Pane::Editor;
                if let Some(id) = self.thread.open
                    && action == Action::Reply
                {
                    return self.ask_reach(id);
                }
            }
            Action::LeaveEditor => {
                if self.focus == Pane::Editor {
                    self.focus = Pane::Thread;
                }
            }
            Action::Send => return self.send(),
            Action::ComposeInEditor => {
                let Some(id) = self.thread.open else {
                    return self.open_selected();
                };
                return vec![Effect::Edit {
                    conversation_id: id,
                    draft: self.draft(),
                }];
            }
            Action::SwitchChannel => self.switch_channel(),
            Action::CannedReply => self.open_canned(),
            Action::Attach => return self.open_attach(),
            Action::Detach => self.open_detach(),
            Action::Mentions => self.open_mentions(),
            Action::ToggleSelect => {
                if let Some(id) = self.list.current().map(|c| c.id) {
                    if !self.list.marked.remove(&id) {
                        self.list.marked.insert(id);
                    }
                    return self.move_by(1);
                }
            }
            Action::ToggleNote => {
                self.editor.compose = match self.editor.compose {
                    Compose::Reply => Compose::Note,
                    Compose::Note => Compose::Reply,
                };
                if let Some(id) = self.thread.open
                    && self.editor.compose == Compose::Reply
                {
                    return self.ask_reach(id);
                }
            }
            Action::Assign => self.open_menu(Menu::Assign),
            Action::Status => self.open_menu(Menu::Status),
            Action::Priority => self.open_menu(Menu::Priority),
            Action::Snooze => self.open_menu(Menu::Snooze),
            Action::AssignToMe => {
                let me = self.me.id;
                return self.change_targets(
                    ConversationPatch {
                        owner_id: Some(Some(me)),
                        ..Default::default()
                    },
                    "assign to me",
                    "assigned to me",
                );
            }
            Action::Close => {
                return self.change_targets(
                    ConversationPatch {
                        status: Some(Status::Closed),
                        ..Default::default()
                    },
                    "close",
                    "closed",
                );
            }
            Action::Reopen => {
                return self.change_targets(
                    ConversationPatch {
                        status: Some(Status::WaitingOnUs),
                        ..Default::default()
                    },
                    "reopen",
                    "reopened",
                );
            }
            Action::EditLabels => {
                let targets = self.targets();
                if !targets.is_empty() {
                    self.layers.push(Layer::Labels {
                        targets,
                        input: String::new(),
                        selected: 0,
                    });
                }
            }
            Action::Undo => return self.undo(),
            Action::ToggleQuotes => {
                if let Some(t) = self.thread.loaded.as_mut() {
                    t.quotes_expanded = !t.quotes_expanded;
                }
            }
            Action::Help => self.layers.push(Layer::Help {
                scroll: 0,
                filter: String::new(),
            }),
            Action::Palette => self.layers.push(Layer::Palette {
                line: String::new(),
            }),
            Action::NextView => return self.switch_view(self.list.view + 1),
            Action::PrevView => return self.switch_view(self.list.view + VIEWS.len() - 1),
            Action::ToggleSidebar => {
                if self.layout.thread.is_some()
                    && self.layout.sidebar.is_none()
                    && self.contact.shown
                {
                    // Too narrow to show it beside the thread: over it instead.
                    if self.thread.open.is_some() {
                        self.layers.push(Layer::Contact);
                    }
                } else {
                    self.contact.shown = !self.contact.shown;
                    if !self.contact.shown && self.focus == Pane::Sidebar {
                        self.focus = Pane::Thread;
                    }
                }
            }
            Action::ToggleAvailable => return vec![Effect::SetAvailable(!self.me.available)],
            Action::LoadOlder => return self.load_older(),
            Action::RetryReply => return self.retry_reply(),
            Action::DiscardReply => return self.discard_reply(),
            Action::Outbox => return vec![Effect::FetchOutbox],
            Action::OpenAttachment => {
                if self.menu_options(&Menu::Attachments).is_empty() {
                    self.inform("this conversation has no attachments");
                } else {
                    self.open_menu(Menu::Attachments);
                }
            }
            Action::Refresh => return vec![self.reload()],
            Action::Cancel => {
                if self.notice.is_some() {
                    self.notice = None;
                } else if self.focus == Pane::List {
                    self.list.marked.clear();
                }
            }
            Action::Confirm | Action::Complete => {}
            Action::CursorLeft
            | Action::CursorRight
            | Action::CursorUp
            | Action::CursorDown
            | Action::LineStart
            | Action::LineEnd
            | Action::WordLeft
            | Action::WordRight
            | Action::DraftTop
            | Action::DraftBottom
            | Action::DeleteForward
            | Action::DeleteWordBack
            | Action::DeleteToLineEnd
            | Action::DeleteToLineStart
            | Action::UndoEdit
            | Action::RedoEdit => {
                if self.focus == Pane::Editor {
                    return self.editor_action(action).unwrap_or_default();
                }
            }
        }
        vec![]
    }

    /// The conversations an action applies to, as on screen now: the marked rows when the
    /// list has the focus and marks, else the open conversation from the thread side, else
    /// the selected row.
    pub(super) fn targets(&self) -> Vec<Id> {
        if self.focus == Pane::List && !self.list.marked.is_empty() {
            return self.list.marked.iter().copied().collect();
        }
        match (self.focus, self.thread.open) {
            (Pane::Thread | Pane::Editor | Pane::Sidebar, Some(id)) => vec![id],
            _ => self.list.current().map(|c| c.id).into_iter().collect(),
        }
    }

    /// The same change for every target.
    fn change_targets(&mut self, patch: ConversationPatch, verb: &str, done: &str) -> Vec<Effect> {
        let changes = self
            .targets()
            .into_iter()
            .map(|id| (id, patch.clone()))
            .collect();
        self.change(Pending {
            changes,
            verb: verb.into(),
            done: done.into(),
        })
    }

    /// A change of one conversation goes at once; of several, after a yes.
    pub(super) fn change(&mut self, pending: Pending) -> Vec<Effect> {
        match pending.changes.len() {
            0 => vec![],
            1 => self.apply(pending),
            _ => {
                self.layers.push(Layer::Confirm(pending));
                vec![]
            }
        }
    }

    /// What this client knows of conversation `id` now.
    fn known(&self, id: Id) -> Option<&Conversation> {
        self.thread
            .loaded
            .as_ref()
            .map(|t| &t.detail.conversation)
            .filter(|c| c.id == id)
            .or_else(|| self.list.rows.iter().find(|c| c.id == id))
    }

    /// Sends a change, remembering how to undo it; a bulk one is counted into a result line.
    pub(super) fn apply(&mut self, pending: Pending) -> Vec<Effect> {
        let Pending {
            changes,
            verb: _,
            done,
        } = pending;
        let restore = changes
            .iter()
            .filter_map(|(id, patch)| Some((*id, restore_patch(self.known(*id)?, patch))))
            .collect();
        let what = match changes.len() {
            1 => format!("{done} #{}", changes[0].0),
            n => format!("{done} {n}"),
        };
        self.undo = Some(Undo {
            what,
            restore,
            at: self.now,
        });
        let batch = (changes.len() > 1).then(|| {
            self.next_batch += 1;
            self.batches.push(Batch {
                id: self.next_batch,
                done_verb: done,
                total: changes.len(),
                ok: 0,
                failed: vec![],
            });
            self.next_batch
        });
        if self.focus == Pane::List {
            self.list.marked.clear();
        }
        let until = self.now + OWN_CHANGE_MS;
        changes
            .into_iter()
            .map(|(id, patch)| {
                self.own_changes.insert(id, until);
                Effect::Patch { id, patch, batch }
            })
            .collect()
    }

    /// Counts an answer into its bulk change; the last one posts the result line.
    pub(super) fn count_batch(&mut self, batch: Option<u64>, failure: Option<String>) {
        let Some(at) = batch.and_then(|b| self.batches.iter().position(|x| x.id == b)) else {
            return;
        };
        let b = &mut self.batches[at];
        match failure {
            Some(f) => b.failed.push(f),
            None => b.ok += 1,
        }
        if b.ok + b.failed.len() < b.total {
            return;
        }
        let b = self.batches.remove(at);
        if b.failed.is_empty() {
            self.inform(format!("{} {}  (u undoes)", b.ok, b.done_verb));
        } else {
            self.warn(format!(
                "{} {}, {} failed: {}",
                b.ok,
                b.done_verb,
                b.failed.len(),
                b.failed.join("; ")
            ));
        }
    }

    /// Takes back the last change while it is fresh.
    fn undo(&mut self) -> Vec<Effect> {
        match self.undo.take() {
            Some(u) if self.now < u.at + UNDO_MS => {
                self.inform(format!("undone: {}", u.what));
                let until = self.now + OWN_CHANGE_MS;
                u.restore
                    .into_iter()
                    .map(|(id, patch)| {
                        self.own_changes.insert(id, until);
                        Effect::Patch {
                            id,
                            patch,
                            batch: None,
                        }
                    })
                    .collect()
            }
            _ => {
                self.inform("nothing to undo");
                vec![]
            }
        }
    }

    /// Whether a change to `id` was made by this client lately.
    pub(super) fn my_own_change(&self, id: Id) -> bool {
        self.own_changes.get(&id).is_some_and(|t| *t > self.now)
    }

    /// The labels the label editor offers for what is typed: in use on the desk or on the
    /// targets, containing the typed text.
    pub fn label_choices(&self, targets: &[Id], input: &str) -> Vec<String> {
        let needle = input.trim_start_matches(['+', '-']).trim().to_lowercase();
        let mut seen = std::collections::BTreeSet::new();
        targets
            .iter()
            .filter_map(|id| self.known(*id))
            .flat_map(|c| c.labels.iter())
            .chain(self.labels.iter())
            .filter(|l| l.to_lowercase().contains(&needle))
            .filter(|l| seen.insert(l.to_string()))
            .take(LABEL_CHOICES)
            .cloned()
            .collect()
    }

    /// Whether every target carries `label`.
    pub fn all_have_label(&self, targets: &[Id], label: &str) -> bool {
        targets.iter().all(|id| {
            self.known(*id)
                .is_some_and(|c| c.labels.iter().any(|l| l == label))
        })
    }

    /// A key action in the label editor: move in the choices, or add/remove a label.
    pub(super) fn labels_action(
        &mut self,
        targets: Vec<Id>,
        input: String,
        selected: usize,
        action: Action,
    ) -> Vec<Effect> {
        let choices = self.label_choices(&targets, &input);
        let keep = |input: String, selected| Layer::Labels {
            targets: targets.clone(),
            input,
            selected,
        };
        match action {
            Action::MoveDown => self.layers.push(keep(
                input,
                (selected + 1).min(choices.len().saturating_sub(1)),
            )),
            Action::MoveUp => self.layers.push(keep(input, selected.saturating_sub(1))),
            Action::Complete => {
                let done = choices.get(selected).cloned().unwrap_or(input);
                self.layers.push(keep(done, 0));
            }
            Action::Open | Action::Confirm => {
                let typed = input.trim();
                let (force, typed) = match typed.chars().next() {
                    Some(c @ ('+' | '-')) => (Some(c == '+'), typed[1..].trim()),
                    _ => (None, typed),
                };
                // Enter toggles the highlighted label; `+name`/`-name` add or remove exactly
                // that name (a new label too).
                let label = match force {
                    None => choices
                        .get(selected)
                        .cloned()
                        .or_else(|| (!typed.is_empty()).then(|| typed.to_string())),
                    Some(_) if typed.is_empty() => None,
                    Some(_) => choices
                        .iter()
                        .find(|c| c.eq_ignore_ascii_case(typed))
                        .cloned()
                        .or_else(|| Some(typed.to_string())),
                };
                let Some(label) = label else {
                    return vec![];
                };
                let add = force.unwrap_or_else(|| !self.all_have_label(&targets, &label));
                let changes = targets
                    .iter()
                    .filter_map(|id| {
                        let c = self.known(*id)?;
                        let mut labels = c.labels.clone();
                        labels.retain(|l| *l != label);
                        if add {
                            labels.push(label.clone());
                        }
                        Some((
                            *id,
                            ConversationPatch {
                                labels: Some(labels),
                                ..Default::default()
                            },
                        ))
                    })
                    .collect();
                let sign = if add { '+' } else { '-' };
                if !self.labels.contains(&label) && add {
                    self.labels.push(label.clone());
                }
                return self.change(Pending {
                    changes,
                    verb: format!("label {sign}{label}"),
                    done: format!("labelled {sign}{label}"),
                });
            }
            _ => self.layers.push(keep(input, selected)),
        }
        vec![]
    }
}

/// The patch that puts back, on `before`, every field `patch` changes.
fn restore_patch(before: &Conversation, patch: &ConversationPatch) -> ConversationPatch {
    ConversationPatch {
        status: patch.status.map(|_| before.status),
        owner_id: patch.owner_id.map(|_| before.owner_id),
        team_id: patch.team_id.map(|_| before.team_id),
        priority: patch.priority.map(|_| before.priority),
        labels: patch.labels.as_ref().map(|_| before.labels.clone()),
        snoozed_until: patch.snoozed_until.map(|_| before.snoozed_until),
    }
}
