//! The command palette (`:`): run any action by name, or narrow the list by fields the view
//! tabs do not cover (`channel email`, `priority urgent`, `team billing`, `assignee bo`,
//! `status waiting_on_us`; `clear` undoes them).

use super::{App, Effect, Narrow};
use crate::domain::{ChannelKind, Priority, Status};
use crate::tui::keymap::Action;

/// The palette's own commands, besides every action name.
pub const COMMANDS: &[&str] = &["status", "assignee", "channel", "priority", "team", "clear"];

impl App {
    /// Commands and action names that start with what the palette holds, for its hint.
    pub fn completions(&self) -> Vec<&'static str> {
        match self.layers.last() {
            Some(super::Layer::Palette { line }) => self.completions_for(line),
            _ => vec![],
        }
    }

    /// Commands and action names that start with `typed`.
    pub(super) fn completions_for(&self, typed: &str) -> Vec<&'static str> {
        let typed = typed.trim();
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
    pub(super) fn run_command(&mut self, line: &str) -> Vec<Effect> {
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
                    ..self.list.narrow.clone()
                })
                .map_err(|e| e.to_string()),
            "team" => self.narrow_team(arg),
            name => {
                return match Action::from_name(name) {
                    Some(Action::Palette) | None => {
                        self.warn(format!("no command {name:?}: Tab completes"));
                        vec![]
                    }
                    Some(action) => self.action(action),
                };
            }
        };
        match narrowed {
            Ok(narrow) => {
                self.list.narrow = narrow;
                vec![self.reload()]
            }
            Err(why) => {
                self.warn(why);
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
            ..self.list.narrow.clone()
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
            ..self.list.narrow.clone()
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
            ..self.list.narrow.clone()
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
            ..self.list.narrow.clone()
        })
    }
}
