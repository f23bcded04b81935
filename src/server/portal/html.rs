//! The portal's HTML: escaping, the page layout, small form pieces, and its one stylesheet.

use super::context::Ctx;
use crate::domain::{Status, Timestamp};
use crate::server::store::portal::Customer;
use axum::http::header;
use axum::response::IntoResponse;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole document around a page's body.
pub fn layout(ctx: &Ctx, title: &str, nav: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {name}</title>\
         <link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><a class=\"skip\" href=\"#main\">{skip}</a>\
         <header class=\"top\"><a class=\"brand\" href=\"{home}\">{name}</a>{nav}</header>\
         <main id=\"main\" tabindex=\"-1\">{body}</main></body></html>",
        lang = ctx.lang.as_str(),
        title = esc(title),
        name = esc(&ctx.portal.name),
        css = ctx.path("/style.css"),
        skip = esc(ctx.t("skip")),
        home = ctx.path(""),
    )
}

/// The navigation of a signed-in customer.
pub fn nav(ctx: &Ctx, customer: &Customer, token: &str) -> String {
    format!(
        "<nav aria-label=\"{tickets}\"><ul>\
         <li><a href=\"{list}\">{tickets}</a></li>\
         <li><a href=\"{new}\">{new_label}</a></li>\
         <li><form method=\"post\" action=\"{signout}\">{csrf}\
         <button type=\"submit\" class=\"link\">{signout_label}</button></form></li></ul>\
         <p class=\"who\">{who}</p></nav>",
        tickets = esc(ctx.t("nav_tickets")),
        list = ctx.path("/tickets"),
        new = ctx.path("/tickets/new"),
        new_label = esc(ctx.t("nav_new")),
        signout = ctx.path("/signout"),
        csrf = csrf_field(token),
        signout_label = esc(ctx.t("sign_out")),
        who = esc(&ctx.fill("signed_in_as", &[("email", &customer.email)])),
    )
}

/// The hidden anti-forgery field every form carries.
pub fn csrf_field(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(token)
    )
}

/// A labelled input; `extra` adds attributes (already safe).
pub fn input(id: &str, label: &str, kind: &str, value: &str, extra: &str) -> String {
    format!(
        "<p class=\"field\"><label for=\"{id}\">{label}</label>\
         <input id=\"{id}\" name=\"{id}\" type=\"{kind}\" value=\"{value}\" {extra}></p>",
        label = esc(label),
        value = esc(value),
    )
}

/// A status or error line above a form, announced to screen readers.
pub fn alert(text: &str, kind: &str) -> String {
    format!(
        "<p class=\"alert {kind}\" role=\"{role}\">{}</p>",
        esc(text),
        role = if kind == "error" { "alert" } else { "status" }
    )
}

/// An instant as `YYYY-MM-DD HH:MM UTC` inside a `<time>` element.
pub fn time(at: Timestamp) -> String {
    let iso = at.to_string();
    let shown = iso.get(..16).unwrap_or(&iso).replace('T', " ");
    format!(
        "<time datetime=\"{}\">{} UTC</time>",
        esc(&iso),
        esc(&shown)
    )
}

/// The customer-facing word for a pipeline status.
pub fn status(ctx: &Ctx, status: Status) -> String {
    let key = match status {
        Status::New => "status_new",
        Status::WaitingOnUs => "status_waiting_on_us",
        Status::WaitingOnContact => "status_waiting_on_contact",
        Status::Closed => "status_closed",
    };
    format!(
        "<span class=\"status status-{}\">{}</span>",
        status.as_str(),
        esc(ctx.t(key))
    )
}

/// `GET /portal/{slug}/style.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

/// One small stylesheet: readable on a phone, visible focus, AA contrast.
const STYLESHEET: &str = r#"*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:100%;line-height:1.5;color:#1a1a1a;background:#f6f7f9}
body{margin:0}
a{color:#0b57d0}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:1rem;z-index:10}
.top{background:#1f2937;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
.top a,.top .link{color:#fff}
.brand{font-weight:700;font-size:1.15rem;text-decoration:none}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
nav form{margin:0}
.who{margin:.25rem 0 0;font-size:.85rem;color:#d1d5db;width:100%}
main{max-width:48rem;margin:0 auto;padding:1rem}
main:focus{outline:none}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .75rem}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=email],input[type=password],input[type=text],textarea{width:100%;font:inherit;padding:.6rem .7rem;border:2px solid #6b7280;border-radius:6px;background:#fff;color:#1a1a1a}
textarea{min-height:8rem;resize:vertical}
input[type=file]{font:inherit;max-width:100%}
.hint{font-size:.9rem;color:#4b5563;margin:.25rem 0 0}
.field+.hint{margin:-.75rem 0 1rem}
button{font:inherit;cursor:pointer}
.button,button[type=submit]:not(.link){background:#0b57d0;color:#fff;border:0;border-radius:6px;padding:.65rem 1.2rem;font-weight:600;text-decoration:none;display:inline-block}
.button:hover,button[type=submit]:not(.link):hover{background:#0842a0}
.link{background:none;border:0;padding:0;text-decoration:underline}
.alert{padding:.75rem 1rem;border-radius:6px;border-left:6px solid}
.alert.error{background:#fdecea;border-color:#b3261e;color:#5f1410}
.alert.ok{background:#e6f4ea;border-color:#137333;color:#0d3d1c}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.6rem .5rem;border-bottom:1px solid #d1d5db;vertical-align:top}
th{font-size:.9rem;color:#374151}
.status{display:inline-block;padding:.1rem .5rem;border-radius:999px;font-size:.85rem;font-weight:600;background:#e5e7eb;color:#111827}
.status-waiting_on_contact{background:#fef3c7;color:#78350f}
.status-closed{background:#e5e7eb;color:#374151}
.status-new,.status-waiting_on_us{background:#dbeafe;color:#1e3a8a}
.thread{list-style:none;margin:0;padding:0}
.message{background:#fff;border:1px solid #d1d5db;border-radius:8px;padding:.75rem 1rem;margin:0 0 .75rem}
.message.agent{border-left:6px solid #0b57d0}
.message.customer{border-left:6px solid #6b7280}
.message header{display:flex;flex-wrap:wrap;gap:.25rem 1rem;justify-content:space-between;font-size:.9rem;color:#374151}
.body{white-space:pre-wrap;overflow-wrap:anywhere;margin:.5rem 0 0}
.files{margin:.5rem 0 0;padding-left:1.25rem}
.actions{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
@media (max-width:36rem){
 thead{position:absolute;left:-999px}
 tr{display:block;border-bottom:1px solid #d1d5db;padding:.5rem 0}
 td{display:block;border:0;padding:.15rem .5rem}
 td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#374151}
}
"#;
