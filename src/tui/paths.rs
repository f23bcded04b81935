//! Paths typed in the client's path prompt: `~` expanded, directories listed (bounded), for
//! the run loop; the app itself does no I/O.

use crate::tui::app::DirEntry;
use std::path::PathBuf;

/// Entries listed from one directory at most: a huge directory stays quick to complete in.
const MAX_ENTRIES: usize = 2_000;

/// `raw` as a path: `~` and `~/…` from the home directory, anything else as given (relative
/// to the working directory; `""` is the working directory itself).
pub fn expand(raw: &str) -> PathBuf {
    let home = || dirs::home_dir().unwrap_or_default();
    match raw {
        "" => PathBuf::from("."),
        "~" => home(),
        _ => match raw.strip_prefix("~/") {
            Some(rest) => home().join(rest),
            None => PathBuf::from(raw),
        },
    }
}

/// The entries of directory `raw` (as typed), names that are not UTF-8 left out; or why it
/// cannot be read.
pub fn list(raw: &str) -> Result<Vec<DirEntry>, String> {
    let dir = expand(raw);
    let read = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(read
        .filter_map(Result::ok)
        .take(MAX_ENTRIES)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            // Follows links, so a link to a directory completes like one.
            let meta = std::fs::metadata(entry.path()).ok()?;
            Some(DirEntry {
                name,
                dir: meta.is_dir(),
                size: meta.len(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_lists_its_files_and_subdirectories() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.pdf"), b"12345").unwrap();
        std::fs::create_dir(dir.path().join("logs")).unwrap();
        let raw = format!("{}/", dir.path().display());
        let mut entries = list(&raw).unwrap();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(
            entries,
            [
                DirEntry {
                    name: "logs".into(),
                    dir: true,
                    size: entries[0].size
                },
                DirEntry {
                    name: "report.pdf".into(),
                    dir: false,
                    size: 5
                }
            ]
        );
        let missing = list(&format!("{raw}nope/")).unwrap_err();
        assert!(missing.contains("nope"), "{missing}");
        assert_eq!(expand(""), PathBuf::from("."));
        assert_eq!(expand("~/a.txt"), dirs::home_dir().unwrap().join("a.txt"));
    }
}
