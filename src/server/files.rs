//! Attachment bytes the desk keeps itself (email attachments, portal uploads): one file per
//! content, named by its SHA-256 under `DATA/files/`, served to agents at [`Files::url`].

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The content-addressed file store of one desk.
#[derive(Debug, Clone)]
pub struct Files {
    dir: PathBuf,
}

impl Files {
    /// The store under `data_dir`; its folder is created on first write.
    pub fn new(data_dir: &Path) -> Files {
        Files {
            dir: data_dir.join("files"),
        }
    }

    /// Where the content lives.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The API path that serves the content named `hash`.
    pub fn url(hash: &str) -> String {
        format!("/api/v1/files/{hash}")
    }

    /// Stores `bytes` durably (written, synced, then renamed into place) and answers their
    /// hash. Storing the same bytes twice keeps one copy.
    pub async fn put(&self, bytes: impl AsRef<[u8]> + Send + 'static) -> std::io::Result<String> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || {
            let bytes = bytes.as_ref();
            let hash = hex::encode(Sha256::digest(bytes));
            let path = dir.join(&hash[..2]).join(&hash);
            if path.exists() {
                return Ok(hash);
            }
            let parent = path.parent().expect("a content path has a folder");
            crate::server::private::create_dir(parent)?;
            let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
            tmp.write_all(bytes)?;
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(hash)
        })
        .await
        .map_err(std::io::Error::other)?
    }

    /// Where the content named `hash` would be; `None` for a name that is not a hash.
    fn path(&self, hash: &str) -> Option<PathBuf> {
        let well_formed = hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        well_formed.then(|| self.dir.join(&hash[..2]).join(hash))
    }

    /// The content named `hash`; `None` for a malformed or unknown name.
    pub async fn get(&self, hash: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(hash) else {
            return Ok(None);
        };
        match tokio::fs::read(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The size in bytes of the content named `hash`; `None` for a malformed or unknown name.
    pub async fn size(&self, hash: &str) -> std::io::Result<Option<u64>> {
        let Some(path) = self.path(hash) else {
            return Ok(None);
        };
        match tokio::fs::metadata(path).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_content_once_by_hash_and_refuses_names_that_are_not_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::new(dir.path());
        let a = files.put(b"invoice".to_vec()).await.unwrap();
        let b = files.put(b"invoice".to_vec()).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(files.get(&a).await.unwrap().unwrap(), b"invoice");
        assert_eq!(files.size(&a).await.unwrap(), Some(7));
        assert_eq!(files.size("../x").await.unwrap(), None);
        assert_eq!(files.get("../../etc/passwd").await.unwrap(), None);
        assert_eq!(files.get(&"0".repeat(64)).await.unwrap(), None);
    }
}
