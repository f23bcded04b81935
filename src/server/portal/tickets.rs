//! The signed-in pages: the ticket list, a ticket with its thread and reply box, the support
//! form that opens a ticket, and attachment downloads.

use super::context::{Ctx, PageResult, Stop};
use super::html::{self, esc};
use super::uploads::{self, Parsed, UploadError};
use super::{MAX_FILE_BYTES, MAX_TOTAL_BYTES};
use crate::api::portal::Visibility;
use crate::domain::{Conversation, Id, Message, SenderKind, Status};
use crate::server::AppState;
use crate::server::files::Files;
use crate::server::limits::client_key;
use crate::server::store::portal::{Customer, Upload};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use std::collections::HashMap;
use std::net::SocketAddr;

/// Longest subject, in characters.
const MAX_SUBJECT: usize = 200;

/// Longest message, in characters.
const MAX_BODY: usize = 20_000;

fn notice(ctx: &Ctx, query: &HashMap<String, String>) -> String {
    let key = match query.get("notice").map(String::as_str) {
        Some("password_set") => "notice_password_set",
        Some("created") => "notice_ticket_created",
        Some("replied") => "notice_reply_sent",
        _ => return String::new(),
    };
    html::alert(ctx.t(key), "ok")
}

/// `GET /portal/{slug}/tickets`.
pub async fn list(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    let customer = ctx.require_customer()?;
    let tickets = state
        .store
        .customer_tickets(customer.contact_id, ctx.portal.visibility)
        .await
        .map_err(|e| ctx.fail(e))?;
    let company = ctx.portal.visibility == Visibility::Company;
    let mut body = format!(
        "<h1>{}</h1>{}<p><a class=\"button\" href=\"{}\">{}</a></p>",
        esc(ctx.t("tickets_title")),
        notice(&ctx, &query),
        ctx.path("/tickets/new"),
        esc(ctx.t("nav_new")),
    );
    if tickets.is_empty() {
        body.push_str(&format!("<p>{}</p>", esc(ctx.t("tickets_empty"))));
    } else {
        body.push_str(&format!(
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th>{}</tr></thead><tbody>",
            esc(ctx.t("col_subject")),
            esc(ctx.t("col_status")),
            esc(ctx.t("col_updated")),
            if company {
                format!("<th scope=\"col\">{}</th>", esc(ctx.t("col_opened_by")))
            } else {
                String::new()
            }
        ));
        for ticket in &tickets {
            body.push_str(&row(&ctx, &customer, ticket, company));
        }
        body.push_str("</tbody></table>");
    }
    Ok(ctx.page(StatusCode::OK, ctx.t("tickets_title"), &body))
}

fn subject(ticket: &Conversation) -> String {
    if ticket.subject.trim().is_empty() {
        format!("#{}", ticket.id)
    } else {
        ticket.subject.clone()
    }
}

fn row(ctx: &Ctx, customer: &Customer, ticket: &Conversation, company: bool) -> String {
    let opened_by = if !company {
        String::new()
    } else {
        let who = if ticket.contact_id == customer.contact_id {
            ctx.t("you")
        } else {
            &ticket.contact_name
        };
        format!(
            "<td data-label=\"{}\">{}</td>",
            esc(ctx.t("col_opened_by")),
            esc(who)
        )
    };
    format!(
        "<tr><td><a href=\"{href}\">{subject}</a></td>\
         <td data-label=\"{status_label}\">{status}</td>\
         <td data-label=\"{updated_label}\">{updated}</td>{opened_by}</tr>",
        status_label = esc(ctx.t("col_status")),
        updated_label = esc(ctx.t("col_updated")),
        href = ctx.path(&format!("/tickets/{}", ticket.id)),
        subject = esc(&subject(ticket)),
        status = html::status(ctx, ticket.status),
        updated = html::time(ticket.last_message_at),
    )
}

fn attachment_list(ctx: &Ctx, ticket_id: Id, message: &Message) -> String {
    if message.attachments.is_empty() {
        return String::new();
    }
    let items: String = message
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let label = format!("{} ({})", a.name, size(a.size));
            let href = if a.url.starts_with("/api/v1/files/") {
                Some(ctx.path(&format!("/tickets/{ticket_id}/files/{}/{i}", message.id)))
            } else if a.url.starts_with("https://") || a.url.starts_with("http://") {
                Some(a.url.clone())
            } else {
                None
            };
            match href {
                Some(href) => format!(
                    "<li><a href=\"{}\" rel=\"noopener noreferrer\">{}</a></li>",
                    esc(&href),
                    esc(&label)
                ),
                None => format!("<li>{}</li>", esc(&label)),
            }
        })
        .collect();
    format!(
        "<ul class=\"files\" aria-label=\"{}\">{items}</ul>",
        esc(ctx.t("attachments"))
    )
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

fn message_html(ctx: &Ctx, customer: &Customer, ticket_id: Id, m: &Message) -> String {
    let (class, who) = match m.sender.kind {
        SenderKind::Agent => (
            "agent",
            format!("{} · {}", m.sender.name, ctx.t("support_team")),
        ),
        _ if m.sender.id == Some(customer.contact_id) => ("customer", ctx.t("you").to_string()),
        _ => ("customer", m.sender.name.clone()),
    };
    format!(
        "<li><article class=\"message {class}\"><header><strong>{who}</strong>{time}</header>\
         <div class=\"body\">{body}</div>{files}</article></li>",
        who = esc(&who),
        time = html::time(m.created_at),
        body = esc(&m.body),
        files = attachment_list(ctx, ticket_id, m),
    )
}

fn files_field(ctx: &Ctx) -> String {
    let mb = (MAX_FILE_BYTES / (1024 * 1024)).to_string();
    let total = (MAX_TOTAL_BYTES / (1024 * 1024)).to_string();
    format!(
        "<p class=\"field\"><label for=\"files\">{}</label>\
         <input id=\"files\" name=\"files\" type=\"file\" multiple aria-describedby=\"files-hint\">\
         <span class=\"hint\" id=\"files-hint\">{}</span></p>",
        esc(ctx.t("attach_label")),
        esc(&ctx.fill("attach_hint", &[("mb", &mb), ("total", &total)])),
    )
}

fn reply_form(ctx: &mut Ctx, ticket: &Conversation, text: &str, alert: &str) -> String {
    let token = ctx.form_token();
    let closed = if ticket.status == Status::Closed {
        format!("<p class=\"hint\">{}</p>", esc(ctx.t("ticket_closed_note")))
    } else {
        String::new()
    };
    format!(
        "<section aria-labelledby=\"reply-title\"><h2 id=\"reply-title\">{title}</h2>{alert}{closed}\
         <form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">{csrf}\
         <p class=\"field\"><label for=\"body\">{label}</label>\
         <textarea id=\"body\" name=\"body\" rows=\"6\">{text}</textarea></p>{files}\
         <p><button type=\"submit\">{button}</button></p></form></section>",
        title = esc(ctx.t("reply_title")),
        action = ctx.path(&format!("/tickets/{}/reply", ticket.id)),
        csrf = html::csrf_field(&token),
        label = esc(ctx.t("reply_label")),
        text = esc(text),
        files = files_field(ctx),
        button = esc(ctx.t("reply_button")),
    )
}

fn ticket_page(
    ctx: &mut Ctx,
    customer: &Customer,
    ticket: &Conversation,
    messages: &[Message],
    top: &str,
    draft: &str,
    alert: &str,
) -> String {
    let thread: String = messages
        .iter()
        .map(|m| message_html(ctx, customer, ticket.id, m))
        .collect();
    let form = reply_form(ctx, ticket, draft, alert);
    format!(
        "<p><a href=\"{back}\">← {back_label}</a></p><h1>{subject}</h1>{top}\
         <p>{status}</p><section aria-label=\"{conversation}\"><ol class=\"thread\">{thread}</ol></section>{form}",
        back = ctx.path("/tickets"),
        back_label = esc(ctx.t("back_to_tickets")),
        subject = esc(&subject(ticket)),
        status = html::status(ctx, ticket.status),
        conversation = esc(ctx.t("conversation")),
    )
}

/// `GET /portal/{slug}/tickets/{id}`: 404 alike for missing and not-yours.
pub async fn show(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    let customer = ctx.require_customer()?;
    let id: Id = id.parse().map_err(|_| ctx.not_found())?;
    let found = state
        .store
        .customer_ticket(customer.contact_id, ctx.portal.visibility, id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let Some((ticket, messages)) = found else {
        return Err(ctx.not_found().into());
    };
    let top = notice(&ctx, &query);
    let body = ticket_page(&mut ctx, &customer, &ticket, &messages, &top, "", "");
    let title = subject(&ticket);
    Ok(ctx.page(StatusCode::OK, &title, &body))
}

fn new_form(ctx: &mut Ctx, subject: &str, text: &str, alert: &str) -> String {
    let token = ctx.form_token();
    format!(
        "<h1>{title}</h1>{alert}<form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">{csrf}\
         {subject}<p class=\"field\"><label for=\"body\">{label}</label>\
         <textarea id=\"body\" name=\"body\" rows=\"8\" required>{text}</textarea></p>{files}\
         <p><button type=\"submit\">{button}</button></p></form>",
        title = esc(ctx.t("new_title")),
        action = ctx.path("/tickets/new"),
        csrf = html::csrf_field(&token),
        subject = html::input(
            "subject",
            ctx.t("subject_label"),
            "text",
            subject,
            &format!("required maxlength=\"{MAX_SUBJECT}\" autofocus")
        ),
        label = esc(ctx.t("description_label")),
        text = esc(text),
        files = files_field(ctx),
        button = esc(ctx.t("new_button")),
    )
}

/// `GET /portal/{slug}/tickets/new`: the support form.
pub async fn new_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    ctx.require_customer()?;
    let body = new_form(&mut ctx, "", "", "");
    Ok(ctx.page(StatusCode::OK, ctx.t("new_title"), &body))
}

/// Reads a multipart form and checks its anti-forgery token before anything is stored.
async fn read_form(
    ctx: &Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Parsed, Stop> {
    let bad = || ctx.message(StatusCode::BAD_REQUEST, "error_title", ctx.t("bad_form"));
    let multipart = multipart.map_err(|_| bad())?;
    let parsed = uploads::read(multipart).await.map_err(|e| match e {
        UploadError::TooLarge => {
            let mb = (MAX_FILE_BYTES / (1024 * 1024)).to_string();
            let total = (MAX_TOTAL_BYTES / (1024 * 1024)).to_string();
            let text = ctx.fill("too_large", &[("mb", &mb), ("total", &total)]);
            ctx.message(StatusCode::PAYLOAD_TOO_LARGE, "too_large_title", &text)
        }
        UploadError::Bad => bad(),
    })?;
    ctx.check_csrf(parsed.fields.get("csrf").map(String::as_str))?;
    Ok(parsed)
}

/// Puts the files of a checked form in the desk's file store.
async fn store_files(ctx: &Ctx, files: Vec<uploads::File>) -> Result<Vec<Upload>, Stop> {
    let mut stored = Vec::with_capacity(files.len());
    for f in files {
        let size = f.bytes.len() as i64;
        let hash = ctx
            .state
            .files
            .put(f.bytes)
            .await
            .map_err(|e| ctx.fail(e))?;
        stored.push(Upload {
            name: f.name,
            mime_type: f.mime_type,
            size,
            url: Files::url(&hash),
        });
    }
    Ok(stored)
}

fn too_long(ctx: &Ctx, max: usize) -> String {
    html::alert(&ctx.fill("too_long", &[("max", &max.to_string())]), "error")
}

/// `POST /portal/{slug}/tickets/new`: opens a ticket in the portal's default channel.
pub async fn create(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    let customer = ctx.require_customer()?;
    let form = read_form(&ctx, multipart).await?;
    ctx.count_post(client_key(&headers, peer, state.portal.trust_proxy))?;
    let subject = form.fields.get("subject").map(|s| s.trim()).unwrap_or("");
    let text = form.fields.get("body").map(|s| s.trim()).unwrap_or("");
    let alert = if subject.is_empty() {
        Some(html::alert(ctx.t("subject_required"), "error"))
    } else if subject.chars().count() > MAX_SUBJECT {
        Some(too_long(&ctx, MAX_SUBJECT))
    } else if text.is_empty() {
        Some(html::alert(ctx.t("description_required"), "error"))
    } else if text.chars().count() > MAX_BODY {
        Some(too_long(&ctx, MAX_BODY))
    } else {
        None
    };
    if let Some(alert) = alert {
        let body = new_form(&mut ctx, subject, text, &alert);
        return Ok(ctx.page(StatusCode::UNPROCESSABLE_ENTITY, ctx.t("new_title"), &body));
    }
    let (subject, text) = (subject.to_string(), text.to_string());
    let uploads = store_files(&ctx, form.files).await?;
    let thread_id = format!(
        "portal:{}:{}",
        ctx.portal.id,
        super::security::random_token()
    );
    let outcome = state
        .store
        .customer_open_ticket(
            ctx.portal.channel_id,
            customer,
            thread_id,
            subject,
            text,
            uploads,
        )
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to(&ctx.path(&format!(
        "/tickets/{}?notice=created",
        outcome.conversation_id
    )))
    .into_response())
}

/// `POST /portal/{slug}/tickets/{id}/reply`: the customer's answer, through the portal's
/// channel into this ticket; agents get it live as `message.created`.
pub async fn reply(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    let customer = ctx.require_customer()?;
    let id: Id = id.parse().map_err(|_| ctx.not_found())?;
    let form = read_form(&ctx, multipart).await?;
    let visibility = ctx.portal.visibility;
    let found = state
        .store
        .customer_ticket(customer.contact_id, visibility, id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let Some((ticket, messages)) = found else {
        return Err(ctx.not_found().into());
    };
    let text = form.fields.get("body").map(|s| s.trim()).unwrap_or("");
    let alert = if text.is_empty() && form.files.is_empty() {
        Some(html::alert(ctx.t("reply_empty"), "error"))
    } else if text.chars().count() > MAX_BODY {
        Some(too_long(&ctx, MAX_BODY))
    } else {
        None
    };
    if let Some(alert) = alert {
        let body = ticket_page(&mut ctx, &customer, &ticket, &messages, "", text, &alert);
        let title = subject(&ticket);
        return Ok(ctx.page(StatusCode::UNPROCESSABLE_ENTITY, &title, &body));
    }
    let text = text.to_string();
    let uploads = store_files(&ctx, form.files).await?;
    let stored = state
        .store
        .customer_reply(
            ctx.portal.channel_id,
            customer,
            visibility,
            id,
            text,
            uploads,
        )
        .await
        .map_err(|e| ctx.store_error(e))?;
    match stored {
        Some(_) => {
            Ok(Redirect::to(&ctx.path(&format!("/tickets/{id}?notice=replied"))).into_response())
        }
        None => Err(ctx.not_found().into()),
    }
}

/// `GET /portal/{slug}/tickets/{id}/files/{message}/{index}`: an attachment of a ticket the
/// customer may see; never of an internal note.
pub async fn download(
    State(state): State<AppState>,
    Path((slug, id, message, index)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> PageResult {
    let ctx = Ctx::load(&state, &slug, &headers).await?;
    let customer = ctx.require_customer()?;
    let (Ok(id), Ok(message), Ok(index)) = (
        id.parse::<Id>(),
        message.parse::<Id>(),
        index.parse::<usize>(),
    ) else {
        return Err(ctx.not_found().into());
    };
    let found = state
        .store
        .customer_attachment(
            customer.contact_id,
            ctx.portal.visibility,
            id,
            (message, index),
        )
        .await
        .map_err(|e| ctx.fail(e))?;
    let Some((name, url)) = found else {
        return Err(ctx.not_found().into());
    };
    let Some(hash) = url.strip_prefix("/api/v1/files/") else {
        return Err(ctx.not_found().into());
    };
    let bytes = state
        .files
        .get(hash)
        .await
        .map_err(|e| ctx.fail(e))?
        .ok_or_else(|| ctx.not_found())?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_DISPOSITION, disposition(&name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266).
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " ._-()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}
