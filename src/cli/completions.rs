//! `frontdesk completions SHELL`: the shell completion script for the whole command line.
//! When a server is configured and answers, agents' emails and teams' names are offered for
//! `assign`, `--assignee` and `--team` (as they are when the script is made).

use crate::cli::desk::{Desk, Target};
use clap::builder::PossibleValue;
use clap_complete::Shell;

/// Writes the completion script of `command` for `shell` to standard output.
pub async fn print(shell: Shell, command: clap::Command, target: Target) -> anyhow::Result<()> {
    let command = match names(target).await {
        Some((agents, teams)) => with_names(command, &agents, &teams),
        None => command,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command.clone(), "frontdesk", &mut script);
    crate::cli::stdout::write(&String::from_utf8(script)?)
}

/// Agent emails and team names of the configured server; none without one or when it fails.
async fn names(target: Target) -> Option<(Vec<String>, Vec<String>)> {
    let configured = target.server.is_some()
        || crate::tui::config::load(target.config.as_deref())
            .ok()
            .is_some_and(|c| c.server.is_some());
    if !configured {
        return None;
    }
    let desk = Desk::open(target).await.ok()?;
    let agents = desk.api.agents().await.ok()?;
    let teams = desk.api.teams().await.ok()?;
    let _ = desk.close().await;
    let word = |s: &String| !s.is_empty() && !s.contains(char::is_whitespace);
    Some((
        agents
            .into_iter()
            .filter(|a| a.active)
            .map(|a| a.email)
            .filter(word)
            .collect(),
        teams.into_iter().map(|t| t.name).filter(word).collect(),
    ))
}

/// `command` with the names as completion candidates (only in the generated script).
fn with_names(command: clap::Command, agents: &[String], teams: &[String]) -> clap::Command {
    let values = |extra: &[&str], names: &[String]| {
        let all: Vec<PossibleValue> = extra
            .iter()
            .map(|s| PossibleValue::new(s.to_string()))
            .chain(names.iter().map(|n| PossibleValue::new(n.clone())))
            .collect();
        clap::builder::PossibleValuesParser::new(all)
    };
    let assignee = values(&["me", "unassigned", "any"], agents);
    let team = values(&[], teams);
    command
        .mut_subcommand("conversations", |c| {
            c.mut_arg("assignee", |a| a.value_parser(assignee.clone()))
                .mut_arg("team", |a| a.value_parser(team.clone()))
        })
        .mut_subcommand("watch", |c| {
            c.mut_arg("assignee", |a| a.value_parser(assignee.clone()))
        })
        .mut_subcommand("assign", |c| {
            c.mut_arg("args", |a| a.value_parser(values(&[], agents)))
                .mut_arg("team", |a| a.value_parser(team.clone()))
        })
}
