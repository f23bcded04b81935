//! What the public, unauthenticated channel endpoints (chat widget, web forms) share: CORS
//! headers for pages on other origins, and the answer naming each invalid field.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// Lets any origin read the answer (no cookies are involved, so `*` is safe).
pub fn allow_any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// The answer to a CORS preflight (`OPTIONS`) for public `GET`/`POST` JSON endpoints.
pub async fn preflight() -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    allow_any_origin((StatusCode::NO_CONTENT, headers).into_response())
}

/// Field name → what is wrong with it, in field order of the caller's choosing.
pub type FieldErrors = BTreeMap<String, String>;

/// 422 `{"error": {"code": "invalid_submission", "message", "fields": {name: problem}}}`.
pub fn invalid_submission(fields: &FieldErrors) -> Response {
    let message = match fields.len() {
        1 => "1 field needs attention".to_string(),
        n => format!("{n} fields need attention"),
    };
    let body = serde_json::json!({
        "error": {"code": "invalid_submission", "message": message, "fields": fields}
    });
    allow_any_origin((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
}

/// Whether `email` looks like a deliverable address: one `@`, a dotted domain, no spaces.
pub fn is_email(email: &str) -> bool {
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::{escape_html, is_email};

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape_html(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn email_check_takes_addresses_and_refuses_lookalikes() {
        assert!(is_email("ana@example.com"));
        assert!(is_email("a.b+c@mail.example.org"));
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "ana @example.com",
            "ana@example..com",
            "ana@.example.com",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
    }
}
