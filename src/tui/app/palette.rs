//! The command palette (`:`): run any action by name, or narrow the list by fields the view
//! tabs do not cover (`channel email`, `priority urgent`, `team billing`, `assignee bo`,
//! `status waiting_on_us`; `clear` undoes them).

use super::{App, Effect, Narrow};
use crate::domain::{ChannelKind, Priority, Status};
use crate::tui::keymap::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The palette's own commands, besides every action name.
pub const COMMANDS: &[&str] = &["status", "assignee", "channel", "priority", "team", "clear"];

impl App {
    /// Opens the palette with an empty line.
    pub(super) fn open_palette(&mut self) {
        self.palette = Some(String::new());
    }

    /// A key while the palette is open.
    pub(super) fn palette_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(line) = self.palette.as_mut() else {
            return vec![];
        };
        match key.code {
            KeyCode::Esc => self.palette = None,
            KeyCode::Backspace => {
                line.pop();
            }
            KeyCode::Tab => {
                if let Some(done) = self.completions().first() {
                    self.palette = Some(format!("{done} "));
                }
            }
            KeyCode::Enter => {
                let line = self.palette.take().unwrap_or_default();
                return self.run_command(line.trim());
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => line.push(c),
            _ => {}
        }
        vec![]
    }

    /// Commands and action names that start with what is typed, for the prompt's hint.
    pub fn completions(&self) -> Vec<&'static str> {
        let typed = self.palette.as_deref().unwrap_or("").trim();
        if typed.contains(' ') {
            return vec![];
        }
        COMMANDS
            .iter()
            .copied()
            .chain(Action::ALL.iter().map(|a| a.name()))
            .filter(|name| name.starts_with(typed))
            .collect()
    }

    /// Runs one palette line.
    fn run_command(&mut self, line: &str) -> Vec<Effect> {
        let (command, arg) = line.split_once(' ').unwrap_or((line, ""));
        let arg = arg.trim();
        let narrowed = match command {
            "" => return vec![],
            "clear" => Ok(Narrow::default()),
            "status" => self.narrow_status(arg),
            "assignee" => self.narrow_assignee(arg),
            "channel" => self.narrow_channel(arg),
            "priority" => arg
                .parse::<Priority>()
                .map(|p| Narrow {
                    priority: Some(p.as_str().into()),
                    ..self.narrow.clone()
                })
                .map_err(|e| e.to_string()),
            "team" => self.narrow_team(arg),
            name => {
                return match Action::from_name(name) {
                    Some(Action::Palette) | None => {
                        self.notice = Some(format!("no command {name:?}: Tab completes"));
                        vec![]
                    }
                    Some(action) => self.action(action),
                };
            }
        };
        match narrowed {
            Ok(narrow) => {
                self.narrow = narrow;
                vec![self.reload()]
            }
            Err(why) => {
                self.notice = Some(why);
                vec![]
            }
        }
    }

    fn narrow_status(&self, arg: &str) -> Result<Narrow, String> {
        let ok = matches!(arg, "open" | "snoozed") || arg.parse::<Status>().is_ok();
        if !ok {
            return Err(format!(
                "status {arg:?}: open, snoozed, new, waiting_on_contact, waiting_on_us or closed"
            ));
        }
        Ok(Narrow {
            status: Some(arg.into()),
            ..self.narrow.clone()
        })
    }

    fn narrow_assignee(&self, arg: &str) -> Result<Narrow, String> {
        let value = match arg {
            "me" | "unassigned" | "any" => arg.to_string(),
            name => {
                let needle = name.to_lowercase();
                self.agents
                    .iter()
                    .find(|a| a.name.to_lowercase().contains(&needle))
                    .map(|a| a.id.to_string())
                    .ok_or_else(|| format!("no agent named {name:?}"))?
            }
        };
        Ok(Narrow {
            assignee: Some(value),
            ..self.narrow.clone()
        })
    }

    fn narrow_channel(&self, arg: &str) -> Result<Narrow, String> {
        let value = match arg.parse::<ChannelKind>() {
            Ok(kind) => kind.as_str().to_string(),
            Err(_) => {
                let needle = arg.to_lowercase();
                self.channels
                    .iter()
                    .find(|c| c.name.to_lowercase().contains(&needle))
                    .map(|c| c.id.to_string())
                    .ok_or_else(|| format!("no channel kind or name {arg:?}"))?
            }
        };
        Ok(Narrow {
            channel: Some(value),
            ..self.narrow.clone()
        })
    }

    fn narrow_team(&self, arg: &str) -> Result<Narrow, String> {
        let needle = arg.to_lowercase();
        let team = self
            .teams
            .iter()
            .find(|t| t.name.to_lowercase().contains(&needle))
            .ok_or_else(|| format!("no team named {arg:?}"))?;
        Ok(Narrow {
            team: Some(team.id.to_string()),
            ..self.narrow.clone()
        })
    }
}
