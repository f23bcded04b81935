//! Files on agents' replies: which uploads a reply may carry, which channels carry them, and
//! the signed public links far sides fetch them by (`GET /files/{channel}/{hash}?sig=`).

use crate::api::{FileLimits, ReplyAttachment};
use crate::domain::{Attachment, Channel, ChannelKind, Id};
use crate::server::files::Files;
use crate::server::signature;

use crate::api::{MAX_REPLY_BYTES as MAX_TOTAL, MAX_REPLY_FILES as MAX_FILES};
/// Longest file name kept, in characters.
pub const MAX_NAME: usize = 255;

/// The error code of every refused attachment.
pub const REFUSED: &str = "attachment_refused";

/// The media type of a file named `name`, guessed from its extension.
pub fn mime_of(name: &str) -> String {
    mime_guess::from_path(name)
        .first_or_octet_stream()
        .essence_str()
        .to_string()
}

/// Why `name` cannot name a file, if it cannot.
pub fn bad_name(name: &str) -> Option<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NAME {
        return Some(format!("a file name is 1 to {MAX_NAME} characters"));
    }
    name.chars()
        .any(char::is_control)
        .then(|| "a file name may not hold control characters".to_string())
}

/// The hash a desk file link names: `/api/v1/files/{hash}`, or the same under `public_url`.
fn hash_of<'a>(url: &'a str, public_url: &str) -> Option<&'a str> {
    let path = url
        .strip_prefix(public_url)
        .filter(|_| !public_url.is_empty())
        .unwrap_or(url);
    path.strip_prefix("/api/v1/files/")
        .filter(|h| !h.contains(['/', '?', '#']))
}

/// The reply's files as the desk stored them (real sizes), or why they are refused: more
/// than [`MAX_FILES`], over [`MAX_TOTAL`] together, or not files this desk keeps.
pub async fn resolve(
    files: &Files,
    public_url: &str,
    wanted: &[ReplyAttachment],
) -> Result<Vec<Attachment>, String> {
    if wanted.len() > MAX_FILES {
        return Err(format!(
            "a reply carries at most {MAX_FILES} files; this one has {}",
            wanted.len()
        ));
    }
    let mut out = Vec::with_capacity(wanted.len());
    for a in wanted {
        if let Some(why) = bad_name(&a.name) {
            return Err(why);
        }
        let not_ours = || {
            format!(
                "{:?} is not a file uploaded to this desk: upload it with POST /api/v1/files",
                a.url
            )
        };
        let hash = hash_of(a.url.trim(), public_url).ok_or_else(not_ours)?;
        let size = files
            .size(hash)
            .await
            .map_err(|e| format!("cannot read {hash}: {e}"))?
            .ok_or_else(not_ours)?;
        let mime = a.mime_type.clone().unwrap_or_else(|| mime_of(&a.name));
        out.push(Attachment {
            kind: a
                .kind
                .unwrap_or_else(|| super::portal::attachment_kind(Some(&mime))),
            name: a.name.trim().to_string(),
            mime_type: Some(mime),
            size: size as i64,
            url: Files::url(hash),
        });
    }
    let total: i64 = out.iter().map(|a| a.size).sum();
    if total > MAX_TOTAL {
        return Err(format!(
            "a reply's files may weigh {MAX_TOTAL} bytes together; these weigh {total}"
        ));
    }
    Ok(out)
}

/// What `channel` carries on a reply.
pub fn limits(channel: &Channel) -> FileLimits {
    let carries = match channel.kind {
        ChannelKind::Email | ChannelKind::Chat | ChannelKind::Messenger | ChannelKind::Whatsapp => {
            true
        }
        ChannelKind::Custom => channel
            .capabilities
            .attachments
            .as_ref()
            .is_none_or(|rules| !rules.is_empty()),
        _ => false,
    };
    let largest = match (&channel.kind, &channel.capabilities.attachments) {
        (ChannelKind::Custom, Some(rules)) => rules
            .iter()
            .map(|r| r.max_size)
            .max()
            .unwrap_or(0)
            .min(MAX_TOTAL),
        _ => MAX_TOTAL,
    };
    FileLimits {
        attachments: carries,
        max_count: if carries { MAX_FILES } else { 0 },
        max_total: if carries { largest } else { 0 },
    }
}

/// Why `channel` cannot carry `files` on a reply, if it cannot.
pub fn refusal(channel: &Channel, files: &[Attachment]) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    if !limits(channel).attachments {
        return Some(format!(
            "{} channel {:?} cannot carry files; reply without them or on another channel",
            channel.kind, channel.name
        ));
    }
    let rules = channel
        .capabilities
        .attachments
        .as_ref()
        .filter(|_| channel.kind == ChannelKind::Custom)?;
    files
        .iter()
        .find_map(|f| match rules.iter().find(|r| r.kind == f.kind) {
            None => Some(format!(
                "channel {:?} does not carry {} files ({:?})",
                channel.name, f.kind, f.name
            )),
            Some(r) if f.size > r.max_size => Some(format!(
                "channel {:?} carries {} files up to {} bytes; {:?} has {}",
                channel.name, f.kind, r.max_size, f.name, f.size
            )),
            Some(_) => None,
        })
}

fn link_signature(secret: &str, channel_id: Id, hash: &str) -> String {
    let signed = signature::sign(secret, format!("{channel_id}/{hash}").as_bytes());
    signed.trim_start_matches("sha256=").to_string()
}

/// A public link to `file` for channel `channel_id`'s far side, signed with its secret.
pub fn signed_link(public_url: &str, channel_id: Id, secret: &str, file: &Attachment) -> String {
    let hash = file.url.rsplit('/').next().unwrap_or_default();
    format!(
        "{public_url}/files/{channel_id}/{hash}?sig={}",
        link_signature(secret, channel_id, hash)
    )
}

/// Whether `sig` signs `hash` for `channel_id` with `secret` (constant-time).
pub fn link_ok(secret: &str, channel_id: Id, hash: &str, sig: &str) -> bool {
    signature::verify(
        secret,
        format!("{channel_id}/{hash}").as_bytes(),
        &format!("sha256={sig}"),
    )
}

/// `file` with its link replaced by the signed public one.
pub fn public(public_url: &str, channel_id: Id, secret: &str, file: &Attachment) -> Attachment {
    Attachment {
        url: signed_link(public_url, channel_id, secret, file),
        ..file.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_only_desk_files_and_signatures_bind_channel_and_hash() {
        let h = "a".repeat(64);
        assert_eq!(
            hash_of(&format!("/api/v1/files/{h}"), "http://d"),
            Some(&h[..])
        );
        assert_eq!(
            hash_of(&format!("http://d/api/v1/files/{h}"), "http://d"),
            Some(&h[..])
        );
        assert_eq!(
            hash_of(&format!("http://evil/api/v1/files/{h}"), "http://d"),
            None
        );
        assert_eq!(hash_of("/api/v1/files/../x/y", "http://d"), None);
        let sig = link_signature("s", 3, &h);
        assert!(link_ok("s", 3, &h, &sig));
        assert!(!link_ok("s", 4, &h, &sig));
        assert!(!link_ok("t", 3, &h, &sig));
        assert_eq!(mime_of("a.PNG"), "image/png");
        assert_eq!(mime_of("noext"), "application/octet-stream");
        assert!(bad_name("a\u{1b}[2J.txt").is_some());
    }
}
