//! Customer accounts: sign up, sign in, sign out, and the e-mailed links that prove an
//! address (sign-up, invitation, password reset) and lead to choosing a password.
//!
//! Sign-up and reset always answer the same page, whatever the address; what differs is
//! only the e-mail, which goes to the address's owner.

use super::context::{Ctx, PageResult, Stop};
use super::html::{self, esc};
use super::security::{self, MAX_PASSWORD, MIN_PASSWORD};
use crate::api::portal::Access;
use crate::domain::Timestamp;
use crate::server::AppState;
use crate::server::auth::hash_token;
use crate::server::limits::client_key;
use crate::server::passwords::Busy;
use crate::server::store::portal::{NewSession, SignupMail};
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How long a session lasts, in days.
pub const SESSION_DAYS: u64 = 14;

/// How long a sign-up link is valid.
const SIGNUP_LINK: Duration = Duration::from_secs(24 * 3600);

/// How long a password-reset link is valid.
const RESET_LINK: Duration = Duration::from_secs(3600);

/// How long an invitation link is valid.
pub const INVITE_LINK: Duration = Duration::from_secs(7 * 24 * 3600);

type FormFields = Result<Form<HashMap<String, String>>, FormRejection>;

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(|s| s.trim()).unwrap_or("")
}

fn fields(ctx: &Ctx, form: FormFields) -> Result<HashMap<String, String>, Stop> {
    form.map(|Form(f)| f).map_err(|_| {
        ctx.message(StatusCode::BAD_REQUEST, "error_title", ctx.t("bad_form"))
            .into()
    })
}

/// `now + d` as a stored instant.
pub fn later(d: Duration) -> Timestamp {
    Timestamp(Timestamp::now().millis() + d.as_millis() as i64)
}

/// A fresh session for a customer: the cookie's token and what the store keeps.
fn new_session() -> (String, NewSession) {
    let token = security::random_token();
    let session = NewSession {
        token_hash: hash_token(&token),
        csrf: security::random_token(),
        expires_at: later(Duration::from_secs(SESSION_DAYS * 86_400)),
    };
    (token, session)
}

/// `GET /portal/{slug}`: the tickets when signed in, else the sign-in page.
pub async fn home(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let ctx = Ctx::load(&state, &slug, &headers).await?;
    let to = if ctx.customer.is_some() {
        "/tickets"
    } else {
        "/signin"
    };
    Ok(Redirect::to(&ctx.path(to)).into_response())
}

fn signin_form(ctx: &mut Ctx, email: &str, alert: &str) -> String {
    let token = ctx.form_token();
    format!(
        "<h1>{title}</h1>{alert}<form method=\"post\" action=\"{action}\">{csrf}{email}{password}\
         <p class=\"actions\"><button type=\"submit\">{button}</button>\
         <a href=\"{reset}\">{forgot}</a></p></form>{signup}",
        title = esc(ctx.t("signin_title")),
        action = ctx.path("/signin"),
        csrf = html::csrf_field(&token),
        email = html::input(
            "email",
            ctx.t("email"),
            "email",
            email,
            "autocomplete=\"username\" required autofocus"
        ),
        password = html::input(
            "password",
            ctx.t("password"),
            "password",
            "",
            "autocomplete=\"current-password\" required"
        ),
        button = esc(ctx.t("signin_button")),
        reset = ctx.path("/reset"),
        forgot = esc(ctx.t("forgot")),
        signup = if ctx.portal.access == Access::Open {
            format!(
                "<p><a href=\"{}\">{}</a></p>",
                ctx.path("/signup"),
                esc(ctx.t("no_account"))
            )
        } else {
            String::new()
        },
    )
}

/// `GET /portal/{slug}/signin`.
pub async fn signin_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    if ctx.customer.is_some() {
        return Ok(Redirect::to(&ctx.path("/tickets")).into_response());
    }
    let notice = match query.get("notice").map(String::as_str) {
        Some("signed_out") => html::alert(ctx.t("notice_signed_out"), "ok"),
        _ => String::new(),
    };
    let body = signin_form(&mut ctx, "", &notice);
    Ok(ctx.page(StatusCode::OK, ctx.t("signin_title"), &body))
}

/// The client's limit key (its address, or its network for IPv6).
fn client(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    client_key(headers, peer, state.portal.trust_proxy)
}

/// `POST /portal/{slug}/signin`: limited per client address and e-mail, and per client
/// address. The attempt is counted before the password is checked, so parallel guesses
/// cannot pass the limit; a success gives it back.
pub async fn signin(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: FormFields,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    let form = fields(&ctx, form)?;
    ctx.check_csrf(form.get("csrf").map(String::as_str))?;
    let email = field(&form, "email").to_string();
    let password = form.get("password").cloned().unwrap_or_default();
    let limits = &state.portal.limits;
    let ip = client(&state, &headers, peer);
    // The e-mail is kept hashed: whatever its length, a counter takes the same memory.
    let pair = (ctx.portal.id, ip, hash_token(&email.to_lowercase()));
    limits
        .signin
        .take(&pair)
        .map_err(|wait| ctx.too_many("too_many", wait))?;
    if let Err(wait) = limits.signin_per_address.take(&ip) {
        limits.signin.give_back(&pair);
        return Ok(ctx.too_many("too_many", wait));
    }
    let give_back = || {
        limits.signin.give_back(&pair);
        limits.signin_per_address.give_back(&ip);
    };
    let account = if email.is_empty() || password.len() > MAX_PASSWORD {
        None
    } else {
        state
            .store
            .account_credentials(ctx.portal.id, email.clone())
            .await
            .map_err(|e| {
                give_back();
                ctx.fail(e)
            })?
    };
    let (account_id, hash) = match account {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let password = if password.len() > MAX_PASSWORD {
        String::new()
    } else {
        password
    };
    let Ok(ok) = state.portal.hasher.verify(password, hash).await else {
        give_back();
        return Ok(ctx.busy());
    };
    let Some(account_id) = account_id.filter(|_| ok) else {
        let alert = html::alert(ctx.t("signin_failed"), "error");
        let body = signin_form(&mut ctx, &email, &alert);
        return Ok(ctx.page(StatusCode::UNAUTHORIZED, ctx.t("signin_title"), &body));
    };
    limits.signin.clear(&pair);
    limits.signin_per_address.give_back(&ip);
    let (token, session) = new_session();
    state
        .store
        .open_session(account_id, session)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(ctx.redirect_with_cookie("/tickets", ctx.session_cookie(Some(&token))))
}

/// `POST /portal/{slug}/signout`: ends the session on the server, not only the cookie.
pub async fn signout(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    form: FormFields,
) -> PageResult {
    let ctx = Ctx::load(&state, &slug, &headers).await?;
    let form = fields(&ctx, form)?;
    ctx.check_csrf(form.get("csrf").map(String::as_str))?;
    if let Some(hash) = ctx.session_hash {
        state
            .store
            .close_session(hash)
            .await
            .map_err(|e| ctx.fail(e))?;
    }
    Ok(ctx.redirect_with_cookie("/signin?notice=signed_out", ctx.session_cookie(None)))
}

/// A page with a one-field e-mail form (sign-up, reset); texts are given by key.
fn email_form(ctx: &mut Ctx, title: &str, intro: &str, action: &str, button: &str) -> String {
    let token = ctx.form_token();
    let (title, intro, button) = (ctx.t(title), ctx.t(intro), ctx.t(button));
    format!(
        "<h1>{title}</h1><p>{intro}</p><form method=\"post\" action=\"{action}\">{csrf}{email}\
         <p><button type=\"submit\">{button}</button></p></form>\
         <p><a href=\"{signin}\">{have}</a></p>",
        title = esc(title),
        intro = esc(intro),
        action = ctx.path(action),
        csrf = html::csrf_field(&token),
        email = html::input(
            "email",
            ctx.t("email"),
            "email",
            "",
            "autocomplete=\"email\" required autofocus"
        ),
        button = esc(button),
        signin = ctx.path("/signin"),
        have = esc(ctx.t("have_account")),
    )
}

/// `GET /portal/{slug}/signup`.
pub async fn signup_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    if ctx.portal.access != Access::Open {
        return Ok(ctx.message(StatusCode::OK, "signup_title", ctx.t("invitation_only")));
    }
    let body = email_form(
        &mut ctx,
        "signup_title",
        "signup_intro",
        "/signup",
        "signup_button",
    );
    Ok(ctx.page(StatusCode::OK, ctx.t("signup_title"), &body))
}

/// The answer to every sign-up and reset request, whatever the address.
fn check_inbox(ctx: &Ctx, email: &str) -> Response {
    let text = ctx.fill("check_inbox", &[("email", email)]);
    ctx.message(StatusCode::OK, "check_inbox_title", &text)
}

/// Whether another link mail may go to `email` now; counts it when so.
fn may_mail(state: &AppState, ctx: &Ctx, email: &str) -> bool {
    let key = (ctx.portal.id, email.to_lowercase());
    let allowed = state.portal.limits.mails.take(&key).is_ok();
    if !allowed {
        tracing::warn!(portal = %ctx.portal.slug, "portal link mail held back: too many for one address");
    }
    allowed
}

/// Sends a mail in the background, so the answer takes as long whether one is sent or not.
fn send_later(state: &AppState, to: String, subject: String, body: String) {
    let runtime = state.portal.clone();
    tokio::spawn(async move {
        runtime.mailer.send(&to, &subject, body).await;
    });
}

fn plausible_email(email: &str) -> bool {
    email.len() <= 320 && email.contains('@') && !email.chars().any(char::is_whitespace)
}

/// `POST /portal/{slug}/signup`: mails a link to choose a password when a contact has the
/// address (a note that an account exists when it already has one), and nothing otherwise.
pub async fn signup(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: FormFields,
) -> PageResult {
    let ctx = Ctx::load(&state, &slug, &headers).await?;
    let form = fields(&ctx, form)?;
    ctx.check_csrf(form.get("csrf").map(String::as_str))?;
    ctx.count_post(client(&state, &headers, peer))?;
    if ctx.portal.access != Access::Open {
        return Ok(ctx.message(
            StatusCode::FORBIDDEN,
            "signup_title",
            ctx.t("invitation_only"),
        ));
    }
    let email = field(&form, "email").to_string();
    if plausible_email(&email) && may_mail(&state, &ctx, &email) {
        let token = security::random_token();
        let outcome = state
            .store
            .signup_link(
                ctx.portal.id,
                email.clone(),
                hash_token(&token),
                later(SIGNUP_LINK),
            )
            .await
            .map_err(|e| ctx.fail(e))?;
        let link = ctx.url(&format!("/password?token={token}"));
        let portal = ctx.portal.name.clone();
        match outcome {
            SignupMail::Verify => send_later(
                &state,
                email.clone(),
                ctx.fill("mail_verify_subject", &[("portal", &portal)]),
                ctx.fill("mail_verify_body", &[("portal", &portal), ("link", &link)]),
            ),
            SignupMail::AlreadyRegistered => send_later(
                &state,
                email.clone(),
                ctx.fill("mail_exists_subject", &[("portal", &portal)]),
                ctx.fill(
                    "mail_exists_body",
                    &[
                        ("portal", &portal),
                        ("link", &link),
                        ("signin", &ctx.url("/signin")),
                    ],
                ),
            ),
            SignupMail::Nothing => {
                tracing::info!(portal = %ctx.portal.slug, "sign-up for an address no contact has: no mail");
            }
        }
    }
    Ok(check_inbox(&ctx, &email))
}

/// `GET /portal/{slug}/reset`.
pub async fn reset_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    let body = email_form(
        &mut ctx,
        "reset_title",
        "reset_intro",
        "/reset",
        "reset_button",
    );
    Ok(ctx.page(StatusCode::OK, ctx.t("reset_title"), &body))
}

/// `POST /portal/{slug}/reset`: mails a reset link when the address has an account.
pub async fn reset(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: FormFields,
) -> PageResult {
    let ctx = Ctx::load(&state, &slug, &headers).await?;
    let form = fields(&ctx, form)?;
    ctx.check_csrf(form.get("csrf").map(String::as_str))?;
    ctx.count_post(client(&state, &headers, peer))?;
    let email = field(&form, "email").to_string();
    if plausible_email(&email) && may_mail(&state, &ctx, &email) {
        let token = security::random_token();
        let has_account = state
            .store
            .reset_link(
                ctx.portal.id,
                email.clone(),
                hash_token(&token),
                later(RESET_LINK),
            )
            .await
            .map_err(|e| ctx.fail(e))?;
        if has_account {
            let portal = ctx.portal.name.clone();
            let link = ctx.url(&format!("/password?token={token}"));
            send_later(
                &state,
                email.clone(),
                ctx.fill("mail_reset_subject", &[("portal", &portal)]),
                ctx.fill("mail_reset_body", &[("portal", &portal), ("link", &link)]),
            );
        }
    }
    Ok(check_inbox(&ctx, &email))
}

fn password_form(ctx: &mut Ctx, link_token: &str, alert: &str) -> String {
    let token = ctx.form_token();
    let min = MIN_PASSWORD.to_string();
    let attrs = format!(
        "autocomplete=\"new-password\" required minlength=\"{MIN_PASSWORD}\" \
         aria-describedby=\"password-hint\""
    );
    format!(
        "<h1>{title}</h1>{alert}<form method=\"post\" action=\"{action}\">{csrf}\
         <input type=\"hidden\" name=\"token\" value=\"{link}\">{password}\
         <p class=\"hint\" id=\"password-hint\">{hint}</p>{confirm}\
         <p><button type=\"submit\">{button}</button></p></form>",
        title = esc(ctx.t("password_title")),
        action = ctx.path("/password"),
        csrf = html::csrf_field(&token),
        link = esc(link_token),
        password = html::input("password", ctx.t("new_password"), "password", "", &attrs),
        hint = esc(&ctx.fill("password_hint", &[("min", &min)])),
        confirm = html::input(
            "confirm",
            ctx.t("confirm_password"),
            "password",
            "",
            "autocomplete=\"new-password\" required"
        ),
        button = esc(ctx.t("password_button")),
    )
}

fn link_invalid(ctx: &Ctx) -> Response {
    ctx.message(
        StatusCode::GONE,
        "link_invalid_title",
        ctx.t("link_invalid"),
    )
}

/// `GET /portal/{slug}/password?token=`: the page an e-mailed link opens.
pub async fn password_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    let token = query.get("token").cloned().unwrap_or_default();
    let valid = state
        .store
        .link_valid(ctx.portal.id, hash_token(&token))
        .await
        .map_err(|e| ctx.fail(e))?;
    if !valid {
        return Ok(link_invalid(&ctx));
    }
    let body = password_form(&mut ctx, &token, "");
    Ok(ctx.page(StatusCode::OK, ctx.t("password_title"), &body))
}

/// `POST /portal/{slug}/password`: uses the link once, sets the password, signs in. The
/// link is checked before anything else, so a bad one costs no password hash.
pub async fn set_password(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: FormFields,
) -> PageResult {
    let mut ctx = Ctx::load(&state, &slug, &headers).await?;
    let form = fields(&ctx, form)?;
    ctx.check_csrf(form.get("csrf").map(String::as_str))?;
    ctx.count_post(client(&state, &headers, peer))?;
    let token = field(&form, "token").to_string();
    let valid = state
        .store
        .link_valid(ctx.portal.id, hash_token(&token))
        .await
        .map_err(|e| ctx.fail(e))?;
    if !valid {
        return Ok(link_invalid(&ctx));
    }
    let password = form.get("password").cloned().unwrap_or_default();
    let confirm = form.get("confirm").cloned().unwrap_or_default();
    let problem = if password.chars().count() < MIN_PASSWORD || password.len() > MAX_PASSWORD {
        Some(ctx.fill("password_short", &[("min", &MIN_PASSWORD.to_string())]))
    } else if password != confirm {
        Some(ctx.t("password_mismatch").to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        let alert = html::alert(&problem, "error");
        let body = password_form(&mut ctx, &token, &alert);
        return Ok(ctx.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("password_title"),
            &body,
        ));
    }
    let hash = match state.portal.hasher.hash(password).await {
        Ok(hash) => hash,
        Err(e) if e.is::<Busy>() => return Ok(ctx.busy()),
        Err(e) => return Err(ctx.fail(e).into()),
    };
    let (session_token, session) = new_session();
    let used = state
        .store
        .use_link(ctx.portal.id, hash_token(&token), hash, session)
        .await
        .map_err(|e| ctx.fail(e))?;
    match used {
        Some(_) => Ok(ctx.redirect_with_cookie(
            "/tickets?notice=password_set",
            ctx.session_cookie(Some(&session_token)),
        )),
        None => Ok(link_invalid(&ctx)),
    }
}
