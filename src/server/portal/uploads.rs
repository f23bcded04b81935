//! Reading the portal's multipart forms: text fields and attached files, within limits.
//!
//! Files are held in memory until the whole form is read and its anti-forgery token checked,
//! so a refused form stores nothing.

use super::{MAX_FILE_BYTES, MAX_TOTAL_BYTES};
use axum::extract::Multipart;
use std::collections::HashMap;

/// Longest text field accepted, in bytes.
const MAX_FIELD_BYTES: usize = 256 * 1024;

/// Most files one form may carry.
pub const MAX_FILES: usize = 10;

/// One attached file.
pub struct File {
    pub name: String,
    pub mime_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// A read form.
#[derive(Default)]
pub struct Parsed {
    pub fields: HashMap<String, String>,
    pub files: Vec<File>,
}

/// Why a form could not be taken.
pub enum UploadError {
    /// A file, or all files together, are over the limits.
    TooLarge,
    /// Not a readable multipart form.
    Bad,
}

/// Reads every part of a multipart form.
pub async fn read(mut multipart: Multipart) -> Result<Parsed, UploadError> {
    let mut parsed = Parsed::default();
    let mut total = 0usize;
    while let Some(mut part) = multipart.next_field().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Bad
        }
    })? {
        let name = part.name().unwrap_or("").to_string();
        let file_name = part.file_name().map(clean_name);
        let mime_type = part
            .content_type()
            .map(str::to_string)
            .filter(|m| m.len() <= 128 && m.contains('/'));
        let limit = if file_name.is_some() {
            MAX_FILE_BYTES
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                UploadError::TooLarge
            } else {
                UploadError::Bad
            }
        })? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > limit {
                return Err(UploadError::TooLarge);
            }
        }
        match file_name {
            // A file input left empty still sends a part with no name and no bytes.
            Some(file_name) if file_name.is_empty() && bytes.is_empty() => {}
            Some(file_name) => {
                total += bytes.len();
                if total > MAX_TOTAL_BYTES || parsed.files.len() >= MAX_FILES {
                    return Err(UploadError::TooLarge);
                }
                parsed.files.push(File {
                    name: if file_name.is_empty() {
                        "file".into()
                    } else {
                        file_name
                    },
                    mime_type,
                    bytes,
                });
            }
            None => {
                let text = String::from_utf8(bytes).map_err(|_| UploadError::Bad)?;
                parsed.fields.insert(name, text);
            }
        }
    }
    Ok(parsed)
}

/// A file name without folders or control characters, at most 200 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    base.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\me\\report.pdf"), "report.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("bad\u{7}\nname.txt"), "badname.txt");
    }
}
