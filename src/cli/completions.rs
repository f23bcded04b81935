//! `frontdesk completions SHELL`: the shell completion script for the whole command line.

use clap_complete::Shell;

/// Writes the completion script of `command` for `shell` to standard output.
pub fn print(shell: Shell, command: &mut clap::Command) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, command, "frontdesk", &mut script);
    crate::cli::stdout::write(&String::from_utf8(script)?)
}
