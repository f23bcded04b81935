//! The public pages of a form: the form itself (with the visitor's values and an error beside
//! each field after a refused post), the thank-you page, and the pages for a form that is
//! missing or closed. Every piece of text is escaped; the hidden presets never appear.

use super::definition::{FieldType, Form, FormField};
use super::submit::{Answers, HONEYPOT};
use crate::server::channels::public::{FieldErrors, escape_html as esc};
use std::fmt::Write;

const STYLE: &str = "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;\
background:#f6f7f9;color:#111}main{max-width:36rem;margin:2rem auto;padding:1.5rem 2rem;\
background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.08)}label{display:block;\
font-weight:600;margin-top:1rem}.help{margin:.1rem 0;color:#555;font-size:.9rem}input,select,\
textarea{box-sizing:border-box;width:100%;font:inherit;padding:.45rem .6rem;border:1px solid #bbb;\
border-radius:6px;margin-top:.25rem}input[type=checkbox]{width:auto;margin-right:.5rem}\
.check{display:flex;align-items:center;font-weight:600;margin-top:1rem}\
[aria-invalid=true]{border-color:#b91c1c}.error{color:#b91c1c;margin:.25rem 0 0;font-size:.9rem}\
.summary{border:2px solid #b91c1c;border-radius:8px;padding:.5rem 1rem;margin-bottom:1rem}\
.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}\
button{margin-top:1.5rem;font:inherit;padding:.55rem 1.2rem;border:0;border-radius:6px;\
background:#2563eb;color:#fff;cursor:pointer}.req{color:#b91c1c}";

/// A whole page around `body`.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

/// The form, blank or with the visitor's values and the errors of a refused post.
pub fn form_page(form: &Form, values: &Answers, errors: &FieldErrors) -> String {
    let d = &form.definition;
    let mut body = format!("<h1>{}</h1>\n", esc(&d.name));
    if let Some(description) = &d.description {
        for paragraph in description.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let _ = writeln!(body, "<p>{}</p>", esc(paragraph.trim()));
        }
    }
    if !errors.is_empty() {
        let _ = write!(
            body,
            "<div class=\"summary\" role=\"alert\" id=\"errors\">\n<p>Please correct {}:</p>\n<ul>\n",
            if errors.len() == 1 {
                "1 field".to_string()
            } else {
                format!("{} fields", errors.len())
            }
        );
        for f in d.fields.iter().filter(|f| errors.contains_key(&f.name)) {
            let _ = writeln!(
                body,
                "<li><a href=\"#f-{name}\">{label}: {error}</a></li>",
                name = esc(&f.name),
                label = esc(&f.label),
                error = esc(&errors[&f.name]),
            );
        }
        body.push_str("</ul>\n</div>\n");
    }
    let _ = writeln!(
        body,
        "<form method=\"post\" action=\"/forms/{}\" accept-charset=\"utf-8\" \
         enctype=\"application/x-www-form-urlencoded\">",
        form.id
    );
    for f in &d.fields {
        field_html(
            &mut body,
            f,
            values.get(&f.name).map(String::as_str),
            errors.get(&f.name),
        );
    }
    let _ = writeln!(
        body,
        "<div class=\"trap\" aria-hidden=\"true\"><label for=\"{HONEYPOT}\">Leave this empty</label>\
         <input id=\"{HONEYPOT}\" name=\"{HONEYPOT}\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></div>"
    );
    let _ = writeln!(
        body,
        "<button type=\"submit\">{}</button>\n</form>",
        esc(d.submit_label.as_deref().unwrap_or("Send"))
    );
    page(&d.name, &body)
}

fn field_html(out: &mut String, f: &FormField, value: Option<&str>, error: Option<&String>) {
    let id = format!("f-{}", esc(&f.name));
    let name = esc(&f.name);
    let value = value.unwrap_or("");
    let mut described = Vec::new();
    if f.help.is_some() {
        described.push(format!("{id}-help"));
    }
    if error.is_some() {
        described.push(format!("{id}-error"));
    }
    let mut attrs = String::new();
    if f.required {
        attrs.push_str(" required aria-required=\"true\"");
    }
    if error.is_some() {
        attrs.push_str(" aria-invalid=\"true\"");
    }
    if !described.is_empty() {
        let _ = write!(attrs, " aria-describedby=\"{}\"", described.join(" "));
    }
    if let Some(p) = &f.placeholder {
        let _ = write!(attrs, " placeholder=\"{}\"", esc(p));
    }
    let star = if f.required {
        " <span class=\"req\" aria-hidden=\"true\">*</span>"
    } else {
        ""
    };
    let help = f
        .help
        .as_ref()
        .map(|h| format!("<p class=\"help\" id=\"{id}-help\">{}</p>\n", esc(h)))
        .unwrap_or_default();
    out.push_str("<div class=\"field\">\n");
    if f.kind == FieldType::Checkbox {
        let checked = if matches!(value.trim(), "on" | "true" | "yes" | "1") {
            " checked"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<label class=\"check\" for=\"{id}\"><input id=\"{id}\" name=\"{name}\" type=\"checkbox\" \
             value=\"on\"{checked}{attrs}>{}{star}</label>\n{help}",
            esc(&f.label)
        );
    } else {
        let _ = write!(
            out,
            "<label for=\"{id}\">{}{star}</label>\n{help}",
            esc(&f.label)
        );
        let max = f.max_chars();
        match f.kind {
            FieldType::Textarea => {
                let _ = writeln!(
                    out,
                    "<textarea id=\"{id}\" name=\"{name}\" rows=\"6\" maxlength=\"{max}\"{attrs}>{}</textarea>",
                    esc(value)
                );
            }
            FieldType::Select => {
                let _ = writeln!(out, "<select id=\"{id}\" name=\"{name}\"{attrs}>");
                let _ = writeln!(out, "<option value=\"\">Choose…</option>");
                for option in &f.options {
                    let selected = if option == value { " selected" } else { "" };
                    let _ = writeln!(
                        out,
                        "<option value=\"{o}\"{selected}>{o}</option>",
                        o = esc(option)
                    );
                }
                out.push_str("</select>\n");
            }
            kind => {
                let (kind, extra) = match kind {
                    FieldType::Email => ("email", " autocomplete=\"email\"".to_string()),
                    FieldType::Tel => ("tel", " autocomplete=\"tel\"".to_string()),
                    FieldType::Number => {
                        let mut bounds = " step=\"any\"".to_string();
                        if let Some(min) = f.min {
                            let _ = write!(bounds, " min=\"{min}\"");
                        }
                        if let Some(max) = f.max {
                            let _ = write!(bounds, " max=\"{max}\"");
                        }
                        ("number", bounds)
                    }
                    _ => ("text", format!(" maxlength=\"{max}\"")),
                };
                let _ = writeln!(
                    out,
                    "<input id=\"{id}\" name=\"{name}\" type=\"{kind}\" value=\"{}\"{extra}{attrs}>",
                    esc(value)
                );
            }
        }
    }
    if let Some(e) = error {
        let _ = writeln!(out, "<p class=\"error\" id=\"{id}-error\">{}</p>", esc(e));
    }
    out.push_str("</div>\n");
}

/// After a successful post.
pub fn thanks_page(form: &Form) -> String {
    let message = form
        .definition
        .thank_you
        .as_deref()
        .unwrap_or("Thank you! We received your message and will get back to you by email.");
    let body = format!(
        "<h1>{}</h1>\n<p role=\"status\" id=\"thanks\">{}</p>\n",
        esc(&form.definition.name),
        esc(message)
    );
    page(&form.definition.name, &body)
}

/// A page that only says `message`, for a missing or closed form.
pub fn notice_page(title: &str, message: &str) -> String {
    page(
        title,
        &format!("<h1>{}</h1>\n<p>{}</p>\n", esc(title), esc(message)),
    )
}
