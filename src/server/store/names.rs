//! Contact names from outside (a chat visitor, a form, an integration, a mail's From, a
//! Messenger profile, a portal invitation): one line, bounded, before they are stored.

/// The longest contact name kept, in characters.
pub const MAX_CONTACT_NAME: usize = 200;

/// `raw` as a contact name: control characters and line or paragraph separators become
/// spaces, runs of white space one space, trimmed, cut at [`MAX_CONTACT_NAME`] characters.
/// Empty when nothing printable is left.
pub fn contact_name(raw: &str) -> String {
    let mut name = String::with_capacity(raw.len().min(MAX_CONTACT_NAME * 4));
    let mut chars = 0;
    for c in raw.chars() {
        let blank = c.is_control() || c.is_whitespace() || matches!(c, '\u{2028}' | '\u{2029}');
        if blank {
            if !name.is_empty() && !name.ends_with(' ') {
                name.push(' ');
                chars += 1;
            }
        } else {
            name.push(c);
            chars += 1;
        }
        if chars >= MAX_CONTACT_NAME {
            break;
        }
    }
    name.trim_end().to_string()
}

/// The first of `candidates` that is a usable contact name once cleaned.
pub fn first_contact_name<'a>(candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(contact_name)
        .find(|n| !n.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_bounded_line() {
        assert_eq!(
            contact_name("Eve\r\nBcc: all@example.com"),
            "Eve Bcc: all@example.com"
        );
        assert_eq!(contact_name("  Ana \t\u{2028} Lima\u{7}  "), "Ana Lima");
        assert_eq!(contact_name("\r\n\0"), "");
        assert_eq!(
            contact_name(&"é".repeat(500)).chars().count(),
            MAX_CONTACT_NAME
        );
        assert_eq!(first_contact_name(["\n", " Bo "]), "Bo");
    }
}
