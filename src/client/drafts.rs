//! Drafts kept on disk, one file per conversation in a folder per desk, readable by the
//! agent only: a draft outlives the client (a quit, a crash, a dropped SSH session).

use super::outbox::OutboxPlace;
use crate::domain::Id;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The drafts of one desk.
#[derive(Debug, Clone)]
pub struct Drafts {
    dir: PathBuf,
}

impl Drafts {
    /// The drafts folder beside the outbox of the desk with id `desk_id`: the embedded and
    /// demo desks keep theirs with their data, team servers one folder per desk.
    pub fn beside(place: &OutboxPlace, desk_id: &str) -> std::io::Result<Drafts> {
        let dir = match place {
            OutboxPlace::File(path) => path.parent().unwrap_or(Path::new(".")).join("drafts"),
            OutboxPlace::PerDesk { dir, .. } => {
                let id: String = desk_id
                    .chars()
                    .filter(char::is_ascii_hexdigit)
                    .take(64)
                    .collect();
                dir.parent()
                    .unwrap_or(dir)
                    .join("drafts")
                    .join(format!("desk-{id}"))
            }
        };
        Drafts::open(dir)
    }

    /// The drafts in `dir`, created private (0700) if missing.
    pub fn open(dir: PathBuf) -> std::io::Result<Drafts> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode_private()
            .create(&dir)?;
        Ok(Drafts { dir })
    }

    fn path(&self, id: Id) -> PathBuf {
        self.dir.join(format!("{id}.txt"))
    }

    /// Every draft kept, by conversation.
    pub fn load(&self) -> std::io::Result<HashMap<Id, String>> {
        let mut out = HashMap::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let path = entry?.path();
            let id = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".txt"))
                .and_then(|n| n.parse::<Id>().ok());
            if let Some(id) = id
                && let Ok(text) = std::fs::read_to_string(&path)
                && !text.is_empty()
            {
                out.insert(id, text);
            }
        }
        Ok(out)
    }

    /// Keeps `text` as conversation `id`'s draft; an empty text removes it. Written to a
    /// private temporary file then renamed, so a crash leaves the old draft or the new one.
    pub fn save(&self, id: Id, text: &str) -> std::io::Result<()> {
        let path = self.path(id);
        if text.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let mut file = tempfile::Builder::new()
            .prefix(".draft-")
            .tempfile_in(&self.dir)?;
        file.write_all(text.as_bytes())?;
        file.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Creating folders readable by their owner only.
trait PrivateDir {
    fn mode_private(&mut self) -> &mut Self;
}

impl PrivateDir for std::fs::DirBuilder {
    #[cfg(unix)]
    fn mode_private(&mut self) -> &mut Self {
        use std::os::unix::fs::DirBuilderExt;
        self.mode(0o700)
    }

    #[cfg(not(unix))]
    fn mode_private(&mut self) -> &mut Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_kept_privately_and_an_empty_one_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = Drafts::open(dir.path().join("d")).unwrap();
        drafts.save(7, "Hola,\n\nline two\n").unwrap();
        drafts.save(8, "other").unwrap();
        let loaded = drafts.load().unwrap();
        assert_eq!(
            loaded.get(&7).map(String::as_str),
            Some("Hola,\n\nline two\n")
        );
        assert_eq!(loaded.len(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("d")), 0o700);
            assert_eq!(mode(&dir.path().join("d/7.txt")), 0o600);
        }
        drafts.save(7, "").unwrap();
        drafts.save(9, "").unwrap();
        assert_eq!(drafts.load().unwrap().len(), 1);
    }
}
