//! Quoted history in e-mail bodies: `>` blocks, "On … wrote:" chains, Outlook and Gmail
//! "From:/Sent:" headers and signatures after `-- `, found so the thread can fold each into
//! one dim line.

/// A run of lines of a message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// What the sender wrote.
    Text(Vec<&'a str>),
    /// Earlier mail quoted below or inside the reply.
    Quote(Vec<&'a str>),
    /// The sender's signature, after a `-- ` line.
    Signature(Vec<&'a str>),
}

/// Splits `body` into what was written, quoted history and the signature.
pub fn segments(body: &str) -> Vec<Segment<'_>> {
    let lines: Vec<&str> = body.lines().collect();
    let mut out: Vec<Segment> = Vec::new();
    let mut text: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line == "-- " || line == "--" {
            flush(&mut out, &mut text);
            out.push(Segment::Signature(lines[i..].to_vec()));
            return out;
        }
        if starts_forwarded_header(&lines[i..]) {
            flush(&mut out, &mut text);
            out.push(Segment::Quote(lines[i..].to_vec()));
            return out;
        }
        let attribution = is_attribution(line);
        if attribution || is_quoted(line) {
            let start = i;
            i += 1;
            // An attribution is followed by blank lines, then the quoted lines.
            while attribution && i < lines.len() && lines[i].trim().is_empty() {
                i += 1;
            }
            let quoted_from = i;
            while i < lines.len()
                && (is_quoted(lines[i])
                    || (lines[i].trim().is_empty()
                        && lines.get(i + 1).is_some_and(|l| is_quoted(l))))
            {
                i += 1;
            }
            if attribution && i == quoted_from {
                // "On … wrote:" with the old mail below it unmarked: all of it is history.
                flush(&mut out, &mut text);
                out.push(Segment::Quote(lines[start..].to_vec()));
                return out;
            }
            flush(&mut out, &mut text);
            out.push(Segment::Quote(lines[start..i].to_vec()));
            continue;
        }
        text.push(line);
        i += 1;
    }
    flush(&mut out, &mut text);
    out
}

fn flush<'a>(out: &mut Vec<Segment<'a>>, text: &mut Vec<&'a str>) {
    if !text.is_empty() {
        out.push(Segment::Text(std::mem::take(text)));
    }
}

/// A line of quoted mail: `>` after optional spaces.
pub fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// The `> > ` marker at the start of a quoted line, and the rest.
pub fn split_marker(line: &str) -> (&str, &str) {
    let rest = line.trim_start_matches(['>', ' ']);
    let marker = &line[..line.len() - rest.len()];
    (marker, rest)
}

/// "On Mon, 3 Jun 2024 at 10:00, Ana <ana@x> wrote:" and its Spanish, Portuguese, Italian,
/// French and German forms.
fn is_attribution(line: &str) -> bool {
    let l = line.trim();
    let lower = l.to_lowercase();
    let ends = [
        "wrote:",
        "escribió:",
        "escreveu:",
        "ha scritto:",
        "a écrit :",
        "a écrit:",
        "schrieb:",
    ];
    let starts = ["on ", "el ", "em ", "il ", "le ", "am "];
    l.len() < 300
        && ends.iter().any(|e| lower.ends_with(e))
        && starts.iter().any(|s| lower.starts_with(s))
}

/// Outlook's "-----Original Message-----" or a "From:" line followed closely by "Sent:" or
/// "Date:" and "To:" or "Subject:" (also in Spanish, Portuguese and Italian).
fn starts_forwarded_header(lines: &[&str]) -> bool {
    let first = lines[0].trim().to_lowercase();
    if first.starts_with("-----original message-----")
        || first.starts_with("-----mensaje original-----")
        || first.starts_with("-----mensagem original-----")
        || first.starts_with("-----messaggio originale-----")
    {
        return true;
    }
    let has = |prefixes: &[&str]| {
        lines.iter().take(6).skip(1).any(|l| {
            let l = l.trim().to_lowercase();
            prefixes.iter().any(|p| l.starts_with(p))
        })
    };
    ["from:", "de:", "da:"].iter().any(|p| first.starts_with(p))
        && has(&[
            "sent:", "date:", "enviado:", "enviada:", "fecha:", "data:", "inviato:",
        ])
        && has(&[
            "to:", "subject:", "para:", "asunto:", "assunto:", "a:", "oggetto:",
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_chain_folds_after_what_was_written() {
        let body = "Thanks, that worked!\n\nOn Mon, 3 Jun 2024, Ana <ana@x.example> wrote:\n> Try again\n> please\n>\n> > older\n";
        assert_eq!(
            segments(body),
            vec![
                Segment::Text(vec!["Thanks, that worked!", ""]),
                Segment::Quote(vec![
                    "On Mon, 3 Jun 2024, Ana <ana@x.example> wrote:",
                    "> Try again",
                    "> please",
                    ">",
                    "> > older"
                ]),
            ]
        );
    }

    #[test]
    fn interleaved_quotes_fold_one_block_each() {
        let body = "> question one\nanswer one\n> question two\n\n> still two\nanswer two";
        let s = segments(body);
        assert_eq!(s.len(), 4);
        assert_eq!(
            s[2],
            Segment::Quote(vec!["> question two", "", "> still two"])
        );
        assert_eq!(s[3], Segment::Text(vec!["answer two"]));
    }

    #[test]
    fn outlook_headers_and_signatures_fold_to_the_end() {
        let body =
            "See below.\n\nFrom: Bo <bo@x>\nSent: Monday\nTo: Ana\nSubject: Re: x\n\nold text";
        let s = segments(body);
        assert_eq!(s[0], Segment::Text(vec!["See below.", ""]));
        assert!(matches!(&s[1], Segment::Quote(l) if l.len() == 6));
        let signed = "Hola\n-- \nMaría\nSoporte";
        assert_eq!(
            segments(signed)[1],
            Segment::Signature(vec!["-- ", "María", "Soporte"])
        );
    }

    #[test]
    fn an_attribution_without_markers_quotes_the_rest_in_other_languages() {
        let body = "Gracias\nEl lun, 3 jun 2024, Ana escribió:\nTexto viejo\nmás";
        let s = segments(body);
        assert_eq!(s.len(), 2);
        assert!(matches!(&s[1], Segment::Quote(l) if l.len() == 3));
    }

    #[test]
    fn plain_text_is_left_alone_and_the_marker_splits_off() {
        let body = "Hello\nOn second thought, from: the docs\nbye";
        assert_eq!(segments(body), vec![Segment::Text(body.lines().collect())]);
        assert_eq!(split_marker("> > deep"), ("> > ", "deep"));
    }
}
