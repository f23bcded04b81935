//! Saving an attachment to disk: the desk's own files with the agent's token, files on other
//! hosts without it, size-capped, under a name that cannot leave the downloads folder.

use super::api::{Api, ClientError};
use reqwest::Url;
use reqwest::header::AUTHORIZATION;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest attachment saved.
pub const MAX_DOWNLOAD: u64 = 200 * 1024 * 1024;

/// Why an attachment was not saved.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error(transparent)]
    Api(#[from] ClientError),
    #[error("cannot fetch {url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("the attachment is larger than {} MB", MAX_DOWNLOAD / 1024 / 1024)]
    TooLarge,
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// The folder attachments are saved in: `FRONTDESK_DOWNLOADS`, else the user's downloads
/// folder, else `~/Downloads`.
pub fn downloads_dir() -> PathBuf {
    std::env::var_os("FRONTDESK_DOWNLOADS")
        .map(PathBuf::from)
        .or_else(dirs::download_dir)
        .or_else(|| dirs::home_dir().map(|h| h.join("Downloads")))
        .unwrap_or_else(std::env::temp_dir)
}

/// A file name made from a customer's `name` (already through the terminal sanitiser, which
/// drops escapes and bidi controls): no folders, no control characters, no leading dot,
/// never empty.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == ':' { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let mut out: String = cleaned.chars().take(120).collect();
    if out.is_empty() {
        out = "attachment".into();
    }
    out
}

/// Fetches the attachment at `url` (a desk path like `/api/v1/files/...` or an http(s) URL)
/// and writes it into `dir` as `name`, never over an existing file. Answers the path.
pub async fn save_attachment(
    api: &Api,
    url: &str,
    name: &str,
    dir: &Path,
) -> Result<PathBuf, DownloadError> {
    let base = Url::parse(api.base_url()).map_err(|e| ClientError::Config(e.to_string()))?;
    let target = base.join(url).map_err(|e| DownloadError::Fetch {
        url: url.into(),
        reason: e.to_string(),
    })?;
    if !matches!(target.scheme(), "http" | "https") {
        return Err(DownloadError::Fetch {
            url: url.into(),
            reason: "only http and https links can be fetched".into(),
        });
    }
    let mut request = api.http().get(target.clone());
    // The agent's token goes to the desk only, never to a host a customer named.
    if target.origin() == base.origin() {
        request = request.header(AUTHORIZATION, api.auth_header());
    }
    let fetch_error = |e: reqwest::Error| DownloadError::Fetch {
        url: target.to_string(),
        reason: e.to_string(),
    };
    let mut response = request.send().await.map_err(fetch_error)?;
    if !response.status().is_success() {
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap_or_default();
        return Err(ClientError::from_status(status, &body).into());
    }
    if response.content_length().is_some_and(|n| n > MAX_DOWNLOAD) {
        return Err(DownloadError::TooLarge);
    }
    std::fs::create_dir_all(dir).map_err(|error| DownloadError::Write {
        path: dir.to_path_buf(),
        error,
    })?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|error| DownloadError::Write {
        path: dir.to_path_buf(),
        error,
    })?;
    let mut written = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(fetch_error)? {
        written += chunk.len() as u64;
        if written > MAX_DOWNLOAD {
            return Err(DownloadError::TooLarge);
        }
        tmp.write_all(&chunk)
            .map_err(|error| DownloadError::Write {
                path: tmp.path().to_path_buf(),
                error,
            })?;
    }
    place(tmp, dir, &safe_file_name(name))
}

/// Moves the finished download to `name` in `dir`, or `name (2)`, `name (3)`... if taken.
fn place(tmp: tempfile::NamedTempFile, dir: &Path, name: &str) -> Result<PathBuf, DownloadError> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let mut tmp = tmp;
    for n in 1..1000 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        match tmp.persist_noclobber(&candidate) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => {
                return Err(DownloadError::Write {
                    path: candidate,
                    error: e.error,
                });
            }
        }
    }
    Err(DownloadError::Write {
        path: dir.join(name),
        error: std::io::Error::other("too many files of that name"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_file_names_cannot_leave_the_folder_or_hide_what_they_are() {
        assert_eq!(safe_file_name("../../.bashrc"), "bashrc");
        assert_eq!(safe_file_name("C:\\evil\\run.bat"), "run.bat");
        assert_eq!(safe_file_name("a\u{1b}[2Jb.txt"), "a[2Jb.txt");
        assert_eq!(safe_file_name("..."), "attachment");
        assert_eq!(safe_file_name(""), "attachment");
        assert_eq!(safe_file_name("x".repeat(300).as_str()).len(), 120);
    }

    #[test]
    fn a_taken_name_gets_a_number_and_nothing_is_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("photo.jpg"), "first").unwrap();
        let mut tmp = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        tmp.write_all(b"second").unwrap();
        let path = place(tmp, dir.path(), "photo.jpg").unwrap();
        assert_eq!(path, dir.path().join("photo (2).jpg"));
        assert_eq!(
            std::fs::read(dir.path().join("photo.jpg")).unwrap(),
            b"first"
        );
        assert_eq!(std::fs::read(path).unwrap(), b"second");
    }
}
