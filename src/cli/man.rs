//! `frontdesk man DIR`: man pages for the command and each of its subcommands.

use std::path::Path;

/// Writes `frontdesk.1` and `frontdesk-SUB.1` (and deeper) pages into `dir`, creating it;
/// prints the path of each page written.
pub fn write(command: clap::Command, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| crate::cli::exit::usage(format!("{}: {e}", dir.display())))?;
    let mut written = String::new();
    page(command.name("frontdesk"), dir, &mut written)?;
    crate::cli::stdout::write(&written)
}

/// Renders `command`'s page and those of its visible subcommands.
fn page(command: clap::Command, dir: &Path, written: &mut String) -> anyhow::Result<()> {
    let mut command = command;
    command.build();
    let name = command
        .get_display_name()
        .unwrap_or(command.get_name())
        .to_string();
    let path = dir.join(format!("{name}.1"));
    let mut roff = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut roff)?;
    std::fs::write(&path, roff)?;
    written.push_str(&format!("{}\n", path.display()));
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        page(sub.clone(), dir, written)?;
    }
    Ok(())
}
