//! HTML mail bodies as plain text: tags dropped, block elements on their own lines, entities
//! decoded, scripts, styles and the head left out. (mail-parser's own conversion glues the
//! words around inline tags at the start of a line: `<b>Ana</b> at` became `Anaat`.)

/// Elements whose content is never text.
const HIDDEN: [&str; 5] = ["script", "style", "head", "title", "template"];
/// Elements that start and end on their own line.
const BLOCKS: [&str; 22] = [
    "p",
    "div",
    "tr",
    "li",
    "ul",
    "ol",
    "table",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "dl",
    "dt",
];

/// The text of `html`.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut pre = 0usize;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut out, rest, pre > 0);
            break;
        };
        push_text(&mut out, &rest[..lt], pre > 0);
        rest = &rest[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(end) = tag_end(rest) else {
            // A lone '<' is text.
            push_text(&mut out, "<", pre > 0);
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !closing && HIDDEN.contains(&name.as_str()) {
            rest = skip_element(rest, &name);
            continue;
        }
        match name.as_str() {
            "br" => out.push('\n'),
            "td" | "th" if !closing => push_text(&mut out, " ", false),
            "li" if !closing => {
                line_break(&mut out);
                out.push_str("- ");
            }
            "pre" => {
                pre = if closing {
                    pre.saturating_sub(1)
                } else {
                    pre + 1
                };
                line_break(&mut out);
            }
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" if closing => {
                line_break(&mut out);
                out.push('\n');
            }
            n if BLOCKS.contains(&n) => line_break(&mut out),
            _ => {}
        }
    }
    tidy(&out)
}

/// The index of the `>` that ends the tag at the start of `s`, quotes respected; `None`
/// when `s` does not start a tag.
fn tag_end(s: &str) -> Option<usize> {
    let next = s[1..].chars().next()?;
    if !(next.is_ascii_alphabetic() || next == '/' || next == '!') {
        return None;
    }
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// What follows the closing tag of `name` (case-insensitive); nothing if it never closes.
fn skip_element<'a>(s: &'a str, name: &str) -> &'a str {
    let lower = s.to_ascii_lowercase();
    let close = format!("</{name}");
    match lower.find(&close) {
        Some(at) => s[at..].find('>').map_or("", |gt| &s[at + gt + 1..]),
        None => "",
    }
}

fn line_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Appends text with entities decoded; outside `<pre>`, runs of white space become one
/// space and none starts a line.
fn push_text(out: &mut String, text: &str, pre: bool) {
    let decoded = decode_entities(text);
    if pre {
        out.push_str(&decoded);
        return;
    }
    for c in decoded.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !out.is_empty() && !out.ends_with([' ', '\n']) {
                out.push(' ');
            }
        } else if c == '\u{a0}' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entity = rest[1..]
            .find(';')
            .filter(|&semi| semi <= 10)
            .map(|semi| (&rest[1..semi + 1], semi + 2));
        let decoded = entity.and_then(|(name, len)| {
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, len))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// No trailing blanks on a line, at most one empty line in a row, no blank edges.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut empty_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            empty_run += 1;
            if empty_run > 1 {
                continue;
            }
        } else {
            empty_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_words_apart_and_blocks_on_their_lines() {
        assert_eq!(
            html_to_text("<p><b>Ana</b> at Acme</p><p>Second&nbsp;line &amp; more</p>"),
            "Ana at Acme\n\nSecond line & more"
        );
        assert_eq!(
            html_to_text(
                "<html><head><title>T</title><style>p{}</style></head><body>Hi<br>there<script>alert(1)</script></body></html>"
            ),
            "Hi\nthere"
        );
        assert_eq!(
            html_to_text("<ul><li>one</li><li>two</li></ul>"),
            "- one\n- two"
        );
        assert_eq!(html_to_text("a < b <!-- c --> &#233;&#x41;"), "a < b éA");
        assert_eq!(html_to_text("<a href=\"x>y\">link</a> text"), "link text");
        assert_eq!(html_to_text("<pre>  keep\n  this</pre>"), "keep\n  this");
    }
}
