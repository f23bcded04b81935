//! The desk's files hold secrets (channel secrets, Meta app secrets, token hashes, the SMTP
//! relay password): they are created readable by their owner only (folders 0700, files 0600),
//! and a server warns at start when it finds them wider.

use std::fs::{DirBuilder, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` and any missing parents, owner-only; an existing folder is left as it is.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates an empty owner-only file at `path` unless something is there already.
pub fn create_file(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Logs a warning for each of `paths` that exists and that others than its owner may read or
/// write.
pub fn warn_if_exposed<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) {
    for path in paths {
        let path = path.as_ref();
        if let Some(mode) = open_mode(path) {
            tracing::warn!(
                "{} is open to other users (mode {mode:o}); it holds the desk's secrets: chmod {} {}",
                path.display(),
                if path.is_dir() { "700" } else { "600" },
                path.display()
            );
        }
    }
}

/// The permission bits of `path` when group or others have any, else `None`.
#[cfg(unix)]
fn open_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn open_mode(_: &Path) -> Option<u32> {
    None
}
