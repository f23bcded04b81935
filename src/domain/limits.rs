//! The size limits of everything the API stores or searches, and the checks that apply them.
//!
//! Lengths in characters unless a name says bytes. A check answers the message a client
//! sees (naming the field) or, for labels, the labels as stored.

/// Most labels on one conversation (or one preset).
pub const MAX_LABELS: usize = 50;
/// Longest label.
pub const MAX_LABEL_CHARS: usize = 100;
/// Longest name of an agent, contact, company, channel or channel account.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest team name.
pub const MAX_TEAM_NAME_CHARS: usize = 100;
/// Longest e-mail address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest phone number.
pub const MAX_PHONE_CHARS: usize = 64;
/// Longest subject given with a new conversation (the stored subject is its first 80).
pub const MAX_SUBJECT_CHARS: usize = 1000;
/// Longest id an integration gives a thread or a sender, in bytes.
pub const MAX_EXTERNAL_ID_BYTES: usize = 512;
/// Most attachments on one message.
pub const MAX_ATTACHMENTS: usize = 100;
/// Longest attachment file name.
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// Longest media type of an attachment.
pub const MAX_MIME_CHARS: usize = 255;
/// Longest URL, in bytes.
pub const MAX_URL_BYTES: usize = 2048;
/// Longest search text (`q`).
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words in a search text.
pub const MAX_QUERY_WORDS: usize = 16;

/// A required one-line text: not blank, at most `max` characters, no control characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    optional_text(field, value, max)
}

/// An optional one-line text: at most `max` characters, no control characters.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        return Err(format!("{field} must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{field} must not contain control characters"));
    }
    Ok(())
}

/// An e-mail address: one `@`, no blanks, at most [`MAX_EMAIL_CHARS`].
pub fn email(field: &str, value: &str) -> Result<(), String> {
    let value = value.trim();
    let well_formed = value
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed || value.chars().count() > MAX_EMAIL_CHARS {
        return Err(format!(
            "{field} must be an e-mail address of at most {MAX_EMAIL_CHARS} characters"
        ));
    }
    Ok(())
}

/// Labels as stored: trimmed, sorted, without repeats; at most [`MAX_LABELS`] of 1 to
/// [`MAX_LABEL_CHARS`] characters each.
pub fn labels(field: &str, labels: &[String]) -> Result<Vec<String>, String> {
    if labels.len() > MAX_LABELS {
        return Err(format!("{field} may hold at most {MAX_LABELS} labels"));
    }
    let mut out = Vec::with_capacity(labels.len());
    for (i, label) in labels.iter().enumerate() {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
            return Err(format!(
                "{field}[{i}] must be 1 to {MAX_LABEL_CHARS} characters"
            ));
        }
        optional_text(&format!("{field}[{i}]"), label, MAX_LABEL_CHARS)?;
        out.push(label.to_string());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The words of a search text: runs of letters and digits.
pub fn query_words(q: &str) -> impl Iterator<Item = &str> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A search text: at most [`MAX_QUERY_CHARS`] characters and [`MAX_QUERY_WORDS`] words.
pub fn query(q: &str) -> Result<(), String> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("q must be at most {MAX_QUERY_CHARS} characters"));
    }
    if query_words(q).nth(MAX_QUERY_WORDS).is_some() {
        return Err(format!("q must be at most {MAX_QUERY_WORDS} words"));
    }
    Ok(())
}

/// `text` cut to its first `max` characters (for what arrives from outside the API, such
/// as a mail's sender name, where refusing would lose the customer's message).
pub fn clip(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// A one-line `text` made to fit: control characters as spaces, cut to `max` characters.
pub fn fit(text: &str, max: usize) -> String {
    clip(text, max)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_sorted_deduplicated_and_bounded() {
        let got = labels("labels", &[" b ".into(), "a".into(), "b".into()]).unwrap();
        assert_eq!(got, ["a", "b"]);
        assert!(labels("labels", &["x".repeat(100)]).is_ok());
        assert!(labels("labels", &["é".repeat(101)]).is_err());
        assert!(labels("labels", &[" ".into()]).is_err());
        assert!(labels("labels", &["a\u{1b}[31m".into()]).is_err());
        let many: Vec<String> = (0..51).map(|i| i.to_string()).collect();
        assert_eq!(
            labels("labels", &many).unwrap_err(),
            "labels may hold at most 50 labels"
        );
        assert!(labels("labels", &many[..50]).is_ok());
    }

    #[test]
    fn texts_count_characters_and_refuse_control_characters() {
        assert!(text("name", &"é".repeat(200), MAX_NAME_CHARS).is_ok());
        assert!(text("name", &"é".repeat(201), MAX_NAME_CHARS).is_err());
        assert!(text("name", "  ", MAX_NAME_CHARS).is_err());
        assert!(text("name", "a\nb", MAX_NAME_CHARS).is_err());
        assert!(optional_text("name", "", MAX_NAME_CHARS).is_ok());
    }

    #[test]
    fn emails_need_an_at_and_no_blanks() {
        assert!(email("email", "a@b.example").is_ok());
        for bad in ["ab.example", "@b", "a@", "a b@c.example", "a@b\r\nBcc: x"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
        let long = format!("{}@b.example", "a".repeat(250));
        assert!(email("email", &long).is_err());
    }

    #[test]
    fn queries_are_bounded_in_characters_and_words() {
        assert!(query(&"w ".repeat(16)).is_ok());
        assert!(query(&"w ".repeat(17)).is_err());
        assert!(query(&"x".repeat(200)).is_ok());
        assert!(query(&"x".repeat(201)).is_err());
        assert_eq!(query_words("a-b  c").collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn clip_cuts_on_character_boundaries() {
        assert_eq!(clip("héllo", 2), "hé");
        assert_eq!(clip("hé", 5), "hé");
        assert_eq!(fit("a\tb\u{1b}c", 4), "a b ");
    }
}
