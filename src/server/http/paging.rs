//! The paging parameters every list takes (`limit`, `cursor`, `before`), checked one way.

use crate::domain::Id;
use crate::server::error::ApiError;
use crate::server::store::conversations::{Cursor, MAX_PAGE};
use axum::http::StatusCode;

/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 50;

/// 400 `invalid_query` naming the parameter, its value and what it takes.
pub fn bad_query(param: &str, value: &str, expected: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        format!("{param}={value:?} is not valid; expected {expected}"),
    )
}

/// A query value with surrounding blanks trimmed; blank counts as absent.
pub fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `limit`: 1 to [`MAX_PAGE`], [`DEFAULT_LIMIT`] when absent.
pub fn limit(raw: &Option<String>) -> Result<usize, ApiError> {
    non_empty(raw)
        .map(|l| {
            l.parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| bad_query("limit", l, &format!("a number from 1 to {MAX_PAGE}")))
        })
        .transpose()
        .map(|l| l.unwrap_or(DEFAULT_LIMIT))
}

/// `cursor`: a `next_cursor` of an earlier page.
pub fn cursor(raw: &Option<String>) -> Result<Option<Cursor>, ApiError> {
    non_empty(raw)
        .map(|c| {
            Cursor::decode(c)
                .ok_or_else(|| bad_query("cursor", c, "a next_cursor from an earlier page"))
        })
        .transpose()
}

/// `before`: a message id (a positive number).
pub fn before(raw: &Option<String>) -> Result<Option<Id>, ApiError> {
    non_empty(raw)
        .map(|b| {
            b.parse::<Id>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| bad_query("before", b, "a message id"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn limit_takes_one_to_max_page_and_defaults() {
        assert_eq!(limit(&None).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit(&some(" ")).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit(&some("1")).unwrap(), 1);
        assert_eq!(limit(&some("500")).unwrap(), MAX_PAGE);
        for bad in ["0", "501", "-1", "ten", "1.5"] {
            let e = limit(&some(bad)).unwrap_err();
            assert_eq!(
                (e.status, e.code),
                (StatusCode::BAD_REQUEST, "invalid_query")
            );
        }
    }

    #[test]
    fn before_takes_a_positive_id() {
        assert_eq!(before(&None).unwrap(), None);
        assert_eq!(before(&some("42")).unwrap(), Some(42));
        for bad in ["0", "-3", "abc"] {
            assert_eq!(before(&some(bad)).unwrap_err().code, "invalid_query");
        }
    }
}
