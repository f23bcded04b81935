//! Web forms: each submission becomes a ticket on a channel of kind `form`.
//!
//! Public routes, outside `/api/v1`, need no token:
//! - `GET /forms/{id}`: the form as an accessible HTML page;
//! - `POST /forms/{id}`: a submission, as an HTML form post (answers a page) or as JSON
//!   (answers JSON);
//! - `GET /forms/{id}/thanks`: where a successful HTML post lands (post/redirect/get);
//! - `GET /forms/{id}/definition`: the visible fields as JSON, to build a form elsewhere.
//!
//! Admins define forms under `/api/v1/forms` (see [`admin`]).

pub mod admin;
pub mod definition;
mod html;
pub mod records;
pub mod submit;

use crate::domain::Id;
use crate::server::AppState;
use crate::server::channels::public::{allow_any_origin, invalid_submission, preflight};
use crate::server::error::{ApiError, parse_json};
use crate::server::limits::{Limiter, Quota, client_key, rate_limited, retry_after_secs};
use crate::server::store::StoreError;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Form as FormBody, FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use definition::{FieldType, Form};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Submissions per client address, over every form.
pub const SUBMISSIONS: Quota = Quota {
    max: 20,
    window: Duration::from_secs(10 * 60),
};

/// The submission counter of the public routes.
#[derive(Clone)]
struct Submissions(Arc<Limiter<IpAddr>>);

/// The public, unauthenticated form routes.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/forms/{id}", get(show).post(post).options(preflight))
        .route("/forms/{id}/thanks", get(thanks))
        .route("/forms/{id}/definition", get(public_definition))
        .layer(Extension(Submissions(Arc::new(Limiter::new(SUBMISSIONS)))))
}

/// The admin routes, nested under `/api/v1`.
pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/forms", get(admin::list).post(admin::create))
        .route(
            "/forms/{id}",
            get(admin::get).put(admin::replace).delete(admin::delete),
        )
}

/// The pages run no script and load nothing: a policy that says so stops any markup that
/// escaped escaping from doing harm.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                           base-uri 'none'";

fn html(status: StatusCode, page: String) -> Response {
    let mut response = (status, Html(page)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

fn not_found_page() -> Response {
    html(
        StatusCode::NOT_FOUND,
        html::notice_page(
            "Form not found",
            "There is no form at this address. Check the link you followed.",
        ),
    )
}

fn closed_page(form: &Form) -> Response {
    html(
        StatusCode::CONFLICT,
        html::notice_page(
            &form.definition.name,
            "This form is not taking submissions right now. Please try again later.",
        ),
    )
}

const TOO_MANY: &str = "too many submissions from this network; wait a while and try again";

/// 429 with `Retry-After` for a browser's post.
fn too_many_page(wait: Duration) -> Response {
    let minutes = retry_after_secs(wait).div_ceil(60);
    let mut response = html(
        StatusCode::TOO_MANY_REQUESTS,
        html::notice_page(
            "Too many submissions",
            &format!(
                "Too many forms were sent from your network. Wait {minutes} minutes, then try again."
            ),
        ),
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(retry_after_secs(wait)),
    );
    response
}

fn closed_error(id: Id) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "conflict",
        format!("form {id} is on a channel that is turned off and takes no submissions"),
    )
}

/// The form and whether it takes submissions; `None` for an id that names no form.
async fn load(state: &AppState, raw_id: &str) -> Result<Option<(Form, bool)>, StoreError> {
    let Ok(id) = raw_id.parse::<Id>() else {
        return Ok(None);
    };
    match records::get_with_channel_state(&state.store, id).await {
        Ok(found) => Ok(Some(found)),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn show(State(state): State<AppState>, Path(raw_id): Path<String>) -> Response {
    match load(&state, &raw_id).await {
        Ok(Some((form, true))) => html(
            StatusCode::OK,
            html::form_page(&form, &Default::default(), &Default::default()),
        ),
        Ok(Some((form, false))) => closed_page(&form),
        Ok(None) => not_found_page(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn thanks(State(state): State<AppState>, Path(raw_id): Path<String>) -> Response {
    match load(&state, &raw_id).await {
        Ok(Some((form, _))) => html(StatusCode::OK, html::thanks_page(&form)),
        Ok(None) => not_found_page(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /forms/{id}/definition`: what a visitor sees of the form, never the presets.
async fn public_definition(State(state): State<AppState>, Path(raw_id): Path<String>) -> Response {
    let answer = match load(&state, &raw_id).await {
        Ok(Some((form, enabled))) => {
            let fields: Vec<_> = form
                .definition
                .fields
                .iter()
                .map(|f| {
                    let mut v = json!({
                        "name": f.name,
                        "label": f.label,
                        "type": f.kind,
                        "required": f.required,
                        "placeholder": f.placeholder,
                        "help": f.help,
                    });
                    match f.kind {
                        FieldType::Select => v["options"] = json!(f.options),
                        FieldType::Number => {
                            v["min"] = json!(f.min);
                            v["max"] = json!(f.max);
                        }
                        FieldType::Checkbox => {}
                        _ => v["max_length"] = json!(f.max_chars()),
                    }
                    v
                })
                .collect();
            Json(json!({
                "id": form.id,
                "name": form.definition.name,
                "description": form.definition.description,
                "submit_label": form.definition.submit_label,
                "accepting_submissions": enabled,
                "fields": fields,
            }))
            .into_response()
        }
        Ok(None) => ApiError::not_found(format!("form {raw_id}")).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    };
    allow_any_origin(answer)
}

/// How a submission was sent, from its `Content-Type`.
enum Encoding {
    Html,
    Json,
    Other,
}

fn encoding(req: &Request) -> Encoding {
    let mime = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => Encoding::Html,
        "application/json" => Encoding::Json,
        _ => Encoding::Other,
    }
}

/// Who posts, for the per-address limit.
struct Poster {
    client: IpAddr,
    submissions: Submissions,
}

impl Poster {
    /// Counts a submission; past the limit, how long to wait.
    fn count(&self) -> Result<(), Duration> {
        self.submissions.0.take(&self.client)
    }
}

async fn post(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(submissions): Extension<Submissions>,
    req: Request,
) -> Response {
    let poster = Poster {
        client: client_key(req.headers(), peer, state.config.trust_proxy),
        submissions,
    };
    match encoding(&req) {
        Encoding::Html => post_html(&state, &raw_id, &poster, req).await,
        Encoding::Json => allow_any_origin(match post_json(&state, &raw_id, &poster, req).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        }),
        Encoding::Other => allow_any_origin(
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the answers as application/json or application/x-www-form-urlencoded",
            )
            .into_response(),
        ),
    }
}

/// A browser's post: answers a page, keeping the visitor's values after an error.
async fn post_html(state: &AppState, raw_id: &str, poster: &Poster, req: Request) -> Response {
    let form = match load(state, raw_id).await {
        Ok(Some((form, true))) => form,
        Ok(Some((form, false))) => return closed_page(&form),
        Ok(None) => return not_found_page(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let pairs = match FormBody::<Vec<(String, String)>>::from_request(req, state).await {
        Ok(FormBody(pairs)) => pairs,
        Err(rejection) => {
            let status = rejection.status();
            return html(
                status,
                html::notice_page(
                    "This submission could not be read",
                    &format!(
                        "Your browser sent something this form cannot read ({}). Go back and try again.",
                        rejection.body_text()
                    ),
                ),
            );
        }
    };
    let (answers, trapped) = submit::answers_from_pairs(&form, pairs);
    let thanks = Redirect::to(&format!("/forms/{}/thanks", form.id)).into_response();
    if trapped {
        // A bot filled in the hidden field: it is told nothing and nothing is stored.
        return thanks;
    }
    let ticket = match submit::check(&form, &answers) {
        Ok(ticket) => ticket,
        Err(errors) => {
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                html::form_page(&form, &answers, &errors),
            );
        }
    };
    if let Err(wait) = poster.count() {
        return too_many_page(wait);
    }
    match submit::store(&state.store, &form, ticket).await {
        Ok(_) => thanks,
        Err(StoreError::Conflict(_)) => closed_page(&form),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// An integration's post: answers JSON.
async fn post_json(
    state: &AppState,
    raw_id: &str,
    poster: &Poster,
    req: Request,
) -> Result<Response, ApiError> {
    let bytes = Bytes::from_request(req, state).await?;
    let form = match load(state, raw_id).await? {
        Some((form, true)) => form,
        Some((form, false)) => return Err(closed_error(form.id)),
        None => return Err(ApiError::not_found(format!("form {raw_id}"))),
    };
    let body: serde_json::Value = parse_json(&bytes)?;
    let (answers, mut errors) = submit::answers_from_json(&form, &body).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "the body must be a JSON object of field name to value",
        )
    })?;
    // Every problem at once: the shape errors and the answers' own.
    let ticket = match submit::check(&form, &answers) {
        Ok(t) if errors.is_empty() => t,
        Ok(_) => return Ok(invalid_submission(&errors)),
        Err(more) => {
            for (field, problem) in more {
                errors.entry(field).or_insert(problem);
            }
            return Ok(invalid_submission(&errors));
        }
    };
    if let Err(wait) = poster.count() {
        return Ok(rate_limited(wait, TOO_MANY));
    }
    let outcome = submit::store(&state.store, &form, ticket)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => closed_error(form.id),
            e => e.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "conversation_id": outcome.conversation_id,
            "message_id": outcome.message_id,
        })),
    )
        .into_response())
}
