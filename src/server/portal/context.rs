//! What every portal request starts from: the portal of the slug, its language, the signed-in
//! customer if any, and the anti-forgery token its forms carry; and the answers built from it.

use super::html;
use super::i18n::{fill, t};
use super::security::{self, CSRF_COOKIE, SESSION_COOKIE};
use crate::api::portal::{Language, Portal};
use crate::server::AppState;
use crate::server::auth::hash_token;
use crate::server::limits::retry_after_secs;
use crate::server::store::StoreError;
use crate::server::store::portal::Customer;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::net::IpAddr;
use std::time::Duration;

/// An answer that ends a request early: an error page or a redirect (boxed, as responses
/// are large).
pub struct Stop(Box<Response>);

impl From<Response> for Stop {
    fn from(response: Response) -> Self {
        Stop(Box::new(response))
    }
}

impl IntoResponse for Stop {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// An answer: a page, a redirect or an error page.
pub type PageResult = Result<Response, Stop>;

/// How long an anti-forgery cookie of signed-out forms lives, in seconds.
const CSRF_COOKIE_AGE: u64 = 24 * 3600;

/// One request's view of its portal.
pub struct Ctx {
    pub state: AppState,
    pub portal: Portal,
    pub lang: Language,
    pub customer: Option<Customer>,
    /// The hash of the session cookie's token, when one was sent.
    pub session_hash: Option<[u8; 32]>,
    /// The pre-session cookie the browser sent, which signed-out forms' tokens are bound to.
    presession: Option<String>,
    /// A new pre-session cookie to set with the answer.
    new_presession: Option<String>,
}

impl Ctx {
    /// Loads the portal of `slug` and the session of the request.
    pub async fn load(state: &AppState, slug: &str, headers: &HeaderMap) -> Result<Ctx, Stop> {
        let portal = match state.store.find_portal(slug).await {
            Ok(Some(p)) if p.enabled && p.slug == slug => p,
            Ok(_) => return Err(no_portal().into()),
            Err(e) => return Err(internal(e).into()),
        };
        let session_hash = security::cookie(headers, SESSION_COOKIE).map(|t| hash_token(&t));
        let customer = match session_hash {
            Some(hash) => state
                .store
                .customer_session(portal.id, hash)
                .await
                .map_err(|e| Stop::from(internal(e)))?,
            None => None,
        };
        Ok(Ctx {
            state: state.clone(),
            lang: portal.language,
            portal,
            customer,
            session_hash,
            presession: security::cookie(headers, CSRF_COOKIE),
            new_presession: None,
        })
    }

    /// The text of `key` in the portal's language.
    pub fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }

    /// The text of `key` with placeholders filled.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.lang, key, values)
    }

    /// A path inside this portal.
    pub fn path(&self, rest: &str) -> String {
        format!("/portal/{}{rest}", self.portal.slug)
    }

    /// The full URL of a path inside this portal, for e-mails.
    pub fn url(&self, rest: &str) -> String {
        format!("{}{}", self.state.portal.public_url, self.path(rest))
    }

    /// The token forms must echo: the session's own secret when signed in, else one bound
    /// to the browser's pre-session cookie (set now when the browser has none).
    pub fn form_token(&mut self) -> String {
        if let Some(c) = &self.customer {
            return c.csrf.clone();
        }
        let cookie = match self
            .presession
            .clone()
            .or_else(|| self.new_presession.clone())
        {
            Some(cookie) => cookie,
            None => {
                let cookie = security::random_token();
                self.new_presession = Some(cookie.clone());
                cookie
            }
        };
        security::anonymous_csrf(&self.state.portal.csrf_key, &cookie)
    }

    /// Checks a form's anti-forgery token: signed in, only the session's; signed out, only
    /// the one bound to the pre-session cookie sent. A missing or wrong one answers 403.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), Stop> {
        let sent = sent.unwrap_or("");
        let expected = match &self.customer {
            Some(c) => Some(c.csrf.clone()),
            None => self
                .presession
                .as_deref()
                .map(|cookie| security::anonymous_csrf(&self.state.portal.csrf_key, cookie)),
        };
        if !sent.is_empty() && expected.is_some_and(|e| security::same(&e, sent)) {
            Ok(())
        } else {
            Err(self
                .message(StatusCode::FORBIDDEN, "csrf_title", self.t("csrf"))
                .into())
        }
    }

    /// The signed-in customer, or a redirect to the sign-in page.
    pub fn require_customer(&self) -> Result<Customer, Stop> {
        self.customer
            .clone()
            .ok_or_else(|| Redirect::to(&self.path("/signin")).into_response().into())
    }

    /// A full page: `title` names it in the tab beside the portal's name.
    pub fn page(&mut self, status: StatusCode, title: &str, body: &str) -> Response {
        let nav = self.customer.clone().map(|c| {
            let token = self.form_token();
            html::nav(self, &c, &token)
        });
        let doc = html::layout(self, title, nav.as_deref().unwrap_or(""), body);
        let mut response = (status, Html(doc)).into_response();
        if let Some(token) = &self.new_presession {
            response.headers_mut().append(
                header::SET_COOKIE,
                security::set_cookie(
                    CSRF_COOKIE,
                    Some(token),
                    &self.portal.slug,
                    CSRF_COOKIE_AGE,
                    self.state.portal.secure_cookies,
                ),
            );
        }
        response
    }

    /// A page with one heading and one paragraph.
    pub fn message(&self, status: StatusCode, title_key: &str, text: &str) -> Response {
        let mut ctx = self.shallow();
        let title = ctx.t(title_key);
        let body = format!("<h1>{}</h1><p>{}</p>", html::esc(title), html::esc(text));
        ctx.page(status, title, &body)
    }

    /// 404 in the portal's language: the same for "does not exist" and "not yours".
    pub fn not_found(&self) -> Response {
        self.message(
            StatusCode::NOT_FOUND,
            "not_found_title",
            self.t("not_found"),
        )
    }

    /// 500 in the portal's language; the cause goes to the log.
    pub fn fail(&self, error: impl std::fmt::Display) -> Response {
        tracing::error!(%error, portal = %self.portal.slug, "portal request failed");
        self.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error_title",
            self.t("server_error"),
        )
    }

    /// 429 with `Retry-After`: a page of `key` saying how many minutes to wait.
    pub fn too_many(&self, key: &str, wait: Duration) -> Response {
        let seconds = retry_after_secs(wait);
        let minutes = seconds.div_ceil(60).to_string();
        let text = self.fill(key, &[("minutes", &minutes)]);
        let mut response = self.message(StatusCode::TOO_MANY_REQUESTS, "too_many_title", &text);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    }

    /// 503 with `Retry-After: 1`: every password hashing slot is taken.
    pub fn busy(&self) -> Response {
        let mut response = self.message(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy_title",
            self.t("busy"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        response
    }

    /// Counts one post of a portal form by the client at `address`; past the limit, 429.
    pub fn count_post(&self, address: IpAddr) -> Result<(), Stop> {
        self.state
            .portal
            .limits
            .forms
            .take(&address)
            .map_err(|wait| self.too_many("too_many_posts", wait).into())
    }

    /// A store error: refusals of bad input are 422, the rest 500.
    pub fn store_error(&self, error: StoreError) -> Response {
        match error {
            StoreError::Invalid(_) | StoreError::Conflict(_) => self.message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "error_title",
                self.t("bad_form"),
            ),
            e => self.fail(e),
        }
    }

    /// A 303 to a path of this portal, with a cookie change.
    pub fn redirect_with_cookie(&self, rest: &str, cookie: HeaderValue) -> Response {
        let mut response = Redirect::to(&self.path(rest)).into_response();
        response.headers_mut().append(header::SET_COOKIE, cookie);
        response
    }

    /// The session cookie: set to `token`, or deleted.
    pub fn session_cookie(&self, token: Option<&str>) -> HeaderValue {
        security::set_cookie(
            SESSION_COOKIE,
            token,
            &self.portal.slug,
            super::accounts::SESSION_DAYS * 86_400,
            self.state.portal.secure_cookies,
        )
    }

    fn shallow(&self) -> Ctx {
        Ctx {
            state: self.state.clone(),
            portal: self.portal.clone(),
            lang: self.lang,
            customer: self.customer.clone(),
            session_hash: self.session_hash,
            presession: self.presession.clone(),
            new_presession: self.new_presession.clone(),
        }
    }
}

/// 404 for a slug that names no portal (or a turned-off one): no language is known.
fn no_portal() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Not found</title><h1>Not found</h1><p>There is no portal here.</p></html>",
        ),
    )
        .into_response()
}

fn internal(error: StoreError) -> Response {
    tracing::error!(%error, "portal request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html("<!doctype html><title>Error</title><p>The portal could not answer.</p>"),
    )
        .into_response()
}
