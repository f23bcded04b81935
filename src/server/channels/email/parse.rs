//! Reading one RFC 822 mail: who sent it, what it says, what it carries, which mails it
//! answers, and whom a forwarded mail originally came from.

use crate::domain::AttachmentKind;
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// Size limits for one mail.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The whole raw message, in bytes.
    pub message: usize,
    /// One decoded attachment, in bytes.
    pub attachment: usize,
    /// Attachments of one mail.
    pub attachments: usize,
}

/// Why a mail was refused; nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("the message is {size} bytes; this desk accepts at most {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error(
        "attachment {name:?} is {size} bytes; this desk accepts at most {limit} per attachment"
    )]
    AttachmentTooLarge {
        name: String,
        size: usize,
        limit: usize,
    },
    #[error("the message has {count} attachments; this desk accepts at most {limit} per message")]
    TooManyAttachments { count: usize, limit: usize },
    #[error("the message is not RFC 822 mail: {0}")]
    Malformed(String),
    #[error("the message has no sender: it needs a From header with an address")]
    NoSender,
    #[error("the message comes from this channel's own address {0}: refused to avoid a mail loop")]
    OwnAddress(String),
}

/// A name and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    /// Lower-cased.
    pub address: String,
}

/// A file carried by a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    pub name: String,
    pub mime_type: String,
    pub kind: AttachmentKind,
    pub bytes: Vec<u8>,
}

/// What the desk keeps of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// The Message-ID without angle brackets; derived from the content when absent, so a
    /// redelivered copy is still recognised.
    pub message_id: String,
    /// In-Reply-To then References, newest first, without angle brackets.
    pub ancestors: Vec<String>,
    pub subject: String,
    pub from: Mailbox,
    /// For a forwarded mail: whom it originally came from.
    pub forwarded_from: Option<Mailbox>,
    pub text: String,
    pub attachments: Vec<MailAttachment>,
}

/// Lines that open a forwarded block in the body of the common mail clients.
const FORWARD_MARKERS: [&str; 3] = [
    "---------- forwarded message ---------",
    "begin forwarded message:",
    "-------- forwarded message --------",
];
/// Lines that open a quoted original in replies and (with a forward subject) forwards.
const ORIGINAL_MARKERS: [&str; 2] = [
    "-----original message-----",
    "-------- original message --------",
];

/// Parses `raw` within `limits`.
pub fn parse(raw: &[u8], limits: Limits) -> Result<ParsedMail, MailError> {
    if raw.len() > limits.message {
        return Err(MailError::TooLarge {
            size: raw.len(),
            limit: limits.message,
        });
    }
    if !starts_with_header(raw) {
        return Err(MailError::Malformed(
            "it does not start with a header line (Name: value)".into(),
        ));
    }
    let mut message = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| MailError::Malformed("no headers could be read".into()))?;
    if message.headers().is_empty() {
        return Err(MailError::Malformed("no headers could be read".into()));
    }
    check_multipart(raw, &message)?;
    if message.attachments.len() > limits.attachments {
        return Err(MailError::TooManyAttachments {
            count: message.attachments.len(),
            limit: limits.attachments,
        });
    }
    let from = first_mailbox(message.from()).ok_or(MailError::NoSender)?;
    let message_id = message
        .message_id()
        .map(clean_id)
        .filter(|id| !id.is_empty() && id.len() <= 512)
        .unwrap_or_else(|| format!("{}@frontdesk.invalid", hex::encode(Sha256::digest(raw))));
    let mut ancestors = ids(message.in_reply_to());
    for id in ids(message.references()).into_iter().rev() {
        if !ancestors.contains(&id) {
            ancestors.push(id);
        }
    }
    let subject = message
        .subject()
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let mut text = body_text(&message);
    let mut attachments = Vec::new();
    let mut forwarded_from = None;
    for part in message.attachments() {
        let size = part.contents().len();
        let name = part
            .attachment_name()
            .map(str::to_string)
            .or_else(|| {
                part.message()
                    .map(|m| format!("{}.eml", m.subject().unwrap_or("message")))
            })
            .unwrap_or_else(|| format!("attachment-{}", attachments.len() + 1));
        let name: String = name
            .chars()
            .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
            .take(200)
            .collect();
        if size > limits.attachment {
            return Err(MailError::AttachmentTooLarge {
                name,
                size,
                limit: limits.attachment,
            });
        }
        if let Some(inner) = part.message()
            && forwarded_from.is_none()
        {
            forwarded_from = first_mailbox(inner.from());
            let inner_text = body_text(inner);
            if !inner_text.trim().is_empty() {
                text = format!(
                    "{}\n\n---------- Forwarded message ----------\n{}",
                    text.trim_end(),
                    inner_text
                )
                .trim_start()
                .to_string();
            }
        }
        let mime_type = part
            .content_type()
            .map(|ct| match &ct.c_subtype {
                Some(sub) => format!("{}/{}", ct.c_type, sub),
                None => ct.c_type.to_string(),
            })
            .unwrap_or_else(|| {
                if part.is_message() {
                    "message/rfc822".into()
                } else {
                    "application/octet-stream".into()
                }
            })
            .to_ascii_lowercase();
        attachments.push(MailAttachment {
            kind: kind_of(&mime_type),
            name: if name.trim().is_empty() {
                format!("attachment-{}", attachments.len() + 1)
            } else {
                name
            },
            mime_type,
            bytes: Vec::new(),
        });
    }
    // The decoded contents move out of the parsed message: a large attachment is not copied.
    for (attachment, id) in attachments.iter_mut().zip(&message.attachments) {
        if let Some(part) = message.parts.get_mut(*id as usize) {
            attachment.bytes = into_bytes(std::mem::take(&mut part.body));
        }
    }
    if forwarded_from.is_none() {
        forwarded_from = inline_forward(&subject, &text);
    }
    Ok(ParsedMail {
        message_id,
        ancestors,
        subject,
        from,
        forwarded_from,
        text: text.trim().to_string(),
        attachments,
    })
}

/// The contents of a part, owned.
fn into_bytes(body: PartType<'_>) -> Vec<u8> {
    match body {
        PartType::Text(text) | PartType::Html(text) => text.into_owned().into_bytes(),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.into_owned(),
        PartType::Message(message) => message.raw_message.into_owned(),
        PartType::Multipart(_) => Vec::new(),
    }
}

/// Whether the first line of `raw` is a header field.
fn starts_with_header(raw: &[u8]) -> bool {
    let line = raw.split(|b| *b == b'\n').next().unwrap_or_default();
    match line.iter().position(|b| *b == b':') {
        Some(colon) if colon > 0 => line[..colon]
            .iter()
            .all(|b| b.is_ascii_graphic() && *b != b':'),
        _ => false,
    }
}

/// A multipart body must name its boundary and close it; a truncated upload fails here.
fn check_multipart(raw: &[u8], message: &mail_parser::Message<'_>) -> Result<(), MailError> {
    let Some(ct) = message.content_type() else {
        return Ok(());
    };
    if !ct.c_type.eq_ignore_ascii_case("multipart") {
        return Ok(());
    }
    let boundary = ct.attribute("boundary").ok_or_else(|| {
        MailError::Malformed("a multipart message without a boundary parameter".into())
    })?;
    let closing = format!("--{boundary}--");
    if !contains(raw, closing.as_bytes()) {
        return Err(MailError::Malformed(format!(
            "the multipart body never closes (no {closing} line): the message is truncated"
        )));
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every text body part as plain text (an HTML part, sent without a text alternative, turned
/// into text), joined.
fn body_text(message: &mail_parser::Message<'_>) -> String {
    message
        .text_bodies()
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(text.replace("\r\n", "\n")),
            PartType::Html(html) => Some(super::html::html_to_text(html)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The first mailbox with an address in `address`.
fn first_mailbox(address: Option<&Address<'_>>) -> Option<Mailbox> {
    let addr = address?.iter().find(|a| {
        a.address()
            .is_some_and(|s| super::settings::is_address(s.trim()))
    })?;
    Some(Mailbox {
        name: addr
            .name()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        address: addr.address()?.trim().to_ascii_lowercase(),
    })
}

/// The message ids of a header, without angle brackets.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let raw: Vec<String> = match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    };
    raw.iter()
        .flat_map(|t| t.split_whitespace().map(clean_id).collect::<Vec<_>>())
        .filter(|id| !id.is_empty() && id.len() <= 512)
        .collect()
}

/// A message id without surrounding angle brackets and blanks.
fn clean_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// The attachment kind of a MIME type.
fn kind_of(mime_type: &str) -> AttachmentKind {
    match mime_type.split('/').next().unwrap_or_default() {
        "image" => AttachmentKind::Image,
        "audio" => AttachmentKind::Audio,
        "video" => AttachmentKind::Video,
        _ => AttachmentKind::File,
    }
}

/// Whether a subject marks a forward.
fn is_forward_subject(subject: &str) -> bool {
    let s = subject.trim_start().to_ascii_lowercase();
    ["fwd:", "fw:", "wg:", "tr:", "rv:", "enc:"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// The original sender named in an inline forwarded block ("From: Name <addr>" after a
/// forward marker).
fn inline_forward(subject: &str, text: &str) -> Option<Mailbox> {
    let forward_subject = is_forward_subject(subject);
    let mut lines = text.lines();
    lines.by_ref().find(|line| {
        let l = line.trim().to_ascii_lowercase();
        FORWARD_MARKERS.iter().any(|m| l.starts_with(m))
            || (forward_subject && ORIGINAL_MARKERS.iter().any(|m| l.starts_with(m)))
    })?;
    let from = lines
        .take(8)
        .map(|l| l.trim().trim_start_matches('*').trim())
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            ["from", "de", "von", "da"]
                .contains(
                    &name
                        .trim()
                        .trim_end_matches('*')
                        .to_ascii_lowercase()
                        .as_str(),
                )
                .then(|| value.trim().trim_start_matches('*').trim().to_string())
        })?;
    mailbox_from_text(&from)
}

/// `Name <addr>`, `Name [mailto:addr]`, `"Name" addr` or `addr`.
fn mailbox_from_text(s: &str) -> Option<Mailbox> {
    let (name, address) = if let Some(open) = s.find('<') {
        let close = s[open..].find('>')? + open;
        (&s[..open], &s[open + 1..close])
    } else if let Some(open) = s.find("[mailto:") {
        let close = s[open..].find(']')? + open;
        (&s[..open], &s[open + 8..close])
    } else {
        let addr = s.split_whitespace().find(|w| w.contains('@'))?;
        ("", addr)
    };
    let address = address.trim().to_ascii_lowercase();
    if !super::settings::is_address(&address) {
        return None;
    }
    let name = name.trim().trim_matches('"').trim().to_string();
    Some(Mailbox {
        name: (!name.is_empty()).then_some(name),
        address,
    })
}

/// A reply's own words: the quoted history below them ("On … wrote:" and `>` lines, or an
/// "Original Message" block) is cut. Answers the text unchanged when nothing would remain.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let quoted_from = |i: usize| {
        lines[i..]
            .iter()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('>'))
    };
    let cut = (0..lines.len()).find(|&i| {
        let l = lines[i].trim();
        let lower = l.to_ascii_lowercase();
        if ORIGINAL_MARKERS.iter().any(|m| lower.starts_with(m)) {
            return true;
        }
        if l.starts_with('>') && quoted_from(i) {
            return true;
        }
        // "On Mon, 1 Jan 2026, Ana <ana@x> wrote:", possibly wrapped over two lines.
        let wrote = |s: &str| s.trim_end().ends_with("wrote:");
        lower.starts_with("on ")
            && (wrote(l)
                && quoted_from((i + 1).min(lines.len()))
                && lines[i + 1..]
                    .iter()
                    .any(|l| l.trim_start().starts_with('>'))
                || lines
                    .get(i + 1)
                    .is_some_and(|next| wrote(next) && quoted_from((i + 2).min(lines.len()))))
    });
    match cut {
        Some(i) => {
            let kept = lines[..i].join("\n");
            if kept.trim().is_empty() {
                text.to_string()
            } else {
                kept.trim_end().to_string()
            }
        }
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        message: 1 << 20,
        attachment: 1 << 16,
        attachments: 3,
    };

    #[test]
    fn html_only_mail_becomes_text_and_ids_are_cleaned() {
        let raw = b"From: \"Ana Silva\" <Ana@Customer.example>\r\nTo: support@acme.example\r\n\
Subject: Help\r\nMessage-ID: <m1@customer.example>\r\nIn-Reply-To: <m0@acme.example>\r\n\
References: <a@x> <m0@acme.example>\r\nContent-Type: text/html\r\n\r\n\
<p>Hello <b>there</b></p><script>x</script>\r\n";
        let m = parse(raw, LIMITS).unwrap();
        assert_eq!(m.message_id, "m1@customer.example");
        assert_eq!(m.ancestors, ["m0@acme.example", "a@x"]);
        assert_eq!(m.from.address, "ana@customer.example");
        assert_eq!(m.from.name.as_deref(), Some("Ana Silva"));
        assert!(m.text.contains("Hello there"), "{}", m.text);
        assert!(!m.text.contains('<'));
    }

    #[test]
    fn refuses_mail_without_sender_or_headers_or_closing_boundary() {
        assert_eq!(
            parse(b"Subject: x\r\n\r\nbody", LIMITS),
            Err(MailError::NoSender)
        );
        assert!(matches!(
            parse(b"just some text\r\n", LIMITS),
            Err(MailError::Malformed(_))
        ));
        let truncated = b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
        assert!(matches!(
            parse(truncated, LIMITS),
            Err(MailError::Malformed(m)) if m.contains("truncated")
        ));
    }

    #[test]
    fn finds_the_original_sender_of_an_inline_forward() {
        let raw = b"From: Bo <bo@acme.example>\r\nSubject: Fwd: Broken\r\n\r\nSee below\r\n\r\n\
---------- Forwarded message ---------\r\nFrom: Carla Diaz <carla@client.example>\r\n\
Date: Mon\r\nSubject: Broken\r\n\r\nIt is broken\r\n";
        let m = parse(raw, LIMITS).unwrap();
        assert_eq!(
            m.forwarded_from,
            Some(Mailbox {
                name: Some("Carla Diaz".into()),
                address: "carla@client.example".into()
            })
        );
    }

    #[test]
    fn a_mail_forwarded_as_attachment_names_its_sender_and_is_kept() {
        let raw = b"From: bo@acme.example\r\nSubject: Fwd: Refund\r\n\
Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n\
FYI\r\n--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom: Eve Ray <eve@buyer.example>\r\n\
Subject: Refund\r\n\r\nI want my money back.\r\n--b1--\r\n";
        let m = parse(raw, LIMITS).unwrap();
        assert_eq!(m.forwarded_from.unwrap().address, "eve@buyer.example");
        assert!(m.text.starts_with("FYI"), "{}", m.text);
        assert!(m.text.contains("I want my money back."), "{}", m.text);
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].name, "Refund.eml");
        assert_eq!(m.attachments[0].mime_type, "message/rfc822");
    }

    #[test]
    fn strips_quoted_history_only_when_words_remain() {
        let reply = "Thanks, that worked.\n\nOn Mon, 2 Mar 2026 at 10:00, Acme <s@acme.example>\nwrote:\n> Try again\n> please\n";
        assert_eq!(strip_quoted(reply), "Thanks, that worked.");
        assert_eq!(strip_quoted("> only quote\n"), "> only quote\n");
        assert_eq!(
            strip_quoted("Hi\n-----Original Message-----\nFrom: x"),
            "Hi"
        );
        assert_eq!(strip_quoted("a > b\nc"), "a > b\nc");
    }
}
