//! The call channel: `POST /api/v1/calls` logs a phone call into the contact's conversation,
//! beside their chat and email.
//!
//! This module checks a call's shape and words it for the thread; `store::calls` finds the
//! contact and conversation and stores it.

use crate::api::{CallLogged, NewCall};
use crate::domain::{Call, CallDirection, Timestamp};
use crate::server::AppState;
use crate::server::auth::Authed;
use crate::server::error::{ApiError, ApiJson};
use crate::server::store::StoreError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Longest number (or caller id) accepted in `from`, `to` and `contact.phone`.
const MAX_NUMBER_CHARS: usize = 100;
/// Longest call notes.
const MAX_NOTES_CHARS: usize = 20_000;
/// Longest recording URL.
const MAX_URL_BYTES: usize = 2048;
/// Longest call: a week.
const MAX_DURATION_SECONDS: i64 = 7 * 24 * 3600;
/// How far in the future `started_at` may be (clock skew between systems).
const FUTURE_SKEW_MS: i64 = 5 * 60 * 1000;
/// Longest `client_id`.
const MAX_CLIENT_ID: usize = 128;
/// Longest contact name and email.
const MAX_NAME_CHARS: usize = 200;
const MAX_EMAIL_BYTES: usize = 320;

/// The digits a phone number is matched by (`+1 (555) 010-0199` → `15550100199`); `None`
/// when the text is not a phone number (a SIP address, `anonymous`).
pub fn phone_digits(number: &str) -> Option<String> {
    let n = number.trim();
    if n.is_empty()
        || !n
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+'))
    {
        return None;
    }
    let digits: String = n.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 3).then_some(digits)
}

fn invalid(message: String) -> StoreError {
    StoreError::Invalid(message)
}

fn check_text(field: &str, value: &str, max_chars: usize) -> Result<(), StoreError> {
    if value.trim().is_empty() || value.chars().count() > max_chars {
        return Err(invalid(format!(
            "{field} must be 1 to {max_chars} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{field} must not contain control characters"
        )));
    }
    Ok(())
}

/// Trims and checks a call before anything is written.
pub fn validate(new: &mut NewCall, now: Timestamp) -> Result<(), StoreError> {
    new.from = new.from.trim().to_string();
    new.to = new.to.trim().to_string();
    check_text("from", &new.from, MAX_NUMBER_CHARS)?;
    check_text("to", &new.to, MAX_NUMBER_CHARS)?;
    if !(0..=MAX_DURATION_SECONDS).contains(&new.duration_seconds) {
        return Err(invalid(format!(
            "duration_seconds must be 0 to {MAX_DURATION_SECONDS}"
        )));
    }
    if let Some(url) = &mut new.recording_url {
        *url = url.trim().to_string();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host_ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
        if !host_ok
            || url.len() > MAX_URL_BYTES
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid(format!(
                "recording_url must be an http:// or https:// URL of at most {MAX_URL_BYTES} bytes"
            )));
        }
    }
    if let Some(notes) = &new.notes {
        if notes.chars().count() > MAX_NOTES_CHARS {
            return Err(invalid(format!(
                "notes must be at most {MAX_NOTES_CHARS} characters"
            )));
        }
        if notes
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        {
            return Err(invalid(
                "notes must not contain control characters other than line breaks and tabs".into(),
            ));
        }
    }
    new.notes = new
        .notes
        .take()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if let Some(at) = new.started_at
        && at.millis() > now.millis() + FUTURE_SKEW_MS
    {
        return Err(invalid("started_at must not be in the future".into()));
    }
    if let Some(id) = &new.client_id
        && (id.trim().is_empty() || id.len() > MAX_CLIENT_ID)
    {
        return Err(invalid(format!(
            "client_id must be 1 to {MAX_CLIENT_ID} bytes"
        )));
    }
    if let Some(c) = &mut new.contact {
        if let Some(phone) = &mut c.phone {
            *phone = phone.trim().to_string();
            check_text("contact.phone", phone, MAX_NUMBER_CHARS)?;
            if phone_digits(phone).is_none() {
                return Err(invalid(format!(
                    "contact.phone {phone:?} is not a phone number"
                )));
            }
        }
        if let Some(email) = &mut c.email {
            *email = email.trim().to_string();
            if !email.contains('@')
                || email.len() > MAX_EMAIL_BYTES
                || email.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(invalid(format!(
                    "contact.email {email:?} is not an email address"
                )));
            }
        }
        if let Some(name) = &mut c.name {
            *name = name.trim().to_string();
            check_text("contact.name", name, MAX_NAME_CHARS)?;
        }
    }
    Ok(())
}

/// The customer's end of a call: who called in, or who was called.
pub fn customer_number(call: &NewCall) -> &str {
    match call.direction {
        CallDirection::Inbound => &call.from,
        CallDirection::Outbound => &call.to,
    }
}

/// `4 min 12 s`, `1 h 0 min 5 s`, `not answered`.
fn duration_text(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m) {
        _ if seconds == 0 => "not answered".into(),
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min {s} s"),
    }
}

/// The subject of a conversation a call opens.
pub fn subject(call: &Call) -> String {
    match call.direction {
        CallDirection::Inbound => format!("Inbound call from {}", call.from),
        CallDirection::Outbound => format!("Outbound call to {}", call.to),
    }
}

/// The call as the thread shows it: a summary line, the recording, the notes.
pub fn body(call: &Call) -> String {
    let direction = match call.direction {
        CallDirection::Inbound => "Inbound",
        CallDirection::Outbound => "Outbound",
    };
    let mut text = format!(
        "{direction} call from {} to {}, {}",
        call.from,
        call.to,
        duration_text(call.duration_seconds)
    );
    if let Some(url) = &call.recording_url {
        text.push_str(&format!("\nRecording: {url}"));
    }
    if let Some(notes) = &call.notes {
        text.push_str(&format!("\n\n{notes}"));
    }
    text
}

/// `POST /api/v1/calls`: `201` with the logged call; `200` with the first one when the same
/// `client_id` comes again.
pub async fn log(
    State(state): State<AppState>,
    Authed(agent): Authed,
    ApiJson(mut new): ApiJson<NewCall>,
) -> Result<(StatusCode, Json<CallLogged>), ApiError> {
    validate(&mut new, Timestamp::now())?;
    let (logged, created) = state.store.log_call(agent.id, new).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(logged)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_match_by_their_digits_only() {
        assert_eq!(
            phone_digits("+1 (555) 010-0199").as_deref(),
            Some("15550100199")
        );
        assert_eq!(
            phone_digits("1.555.010.0199").as_deref(),
            Some("15550100199")
        );
        assert_eq!(phone_digits("anonymous"), None);
        assert_eq!(phone_digits("sip:bo@pbx.example"), None);
        assert_eq!(phone_digits("+1"), None);
    }

    #[test]
    fn body_words_the_call_for_the_thread() {
        let call = Call {
            direction: CallDirection::Inbound,
            from: "+1 555 0100".into(),
            to: "+1 555 0199".into(),
            duration_seconds: 252,
            recording_url: Some("https://rec.example/1.mp3".into()),
            notes: Some("Wants a refund.".into()),
            started_at: Timestamp(0),
        };
        assert_eq!(
            body(&call),
            "Inbound call from +1 555 0100 to +1 555 0199, 4 min 12 s\n\
             Recording: https://rec.example/1.mp3\n\nWants a refund."
        );
        assert_eq!(duration_text(0), "not answered");
        assert_eq!(duration_text(3605), "1 h 0 min 5 s");
        assert_eq!(duration_text(9), "9 s");
    }
}
