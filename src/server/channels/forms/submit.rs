//! A visitor's answers: read from an HTML form post or JSON, checked field by field against
//! the definition, and turned into a ticket with the presets applied in the same write.

use super::definition::{FieldType, Form, FormField, MapsTo};
use crate::api::{ConversationPatch, InboundMessage, InboundSender};
use crate::domain::Priority;
use crate::server::channels::public::{FieldErrors, is_email};
use crate::server::store::{InboundOutcome, Store, StoreError, conversations, inbound};
use rand::Rng;
use serde_json::Value;
use std::collections::HashMap;

/// A hidden input people leave empty and form-filling bots do not.
pub const HONEYPOT: &str = "fd_website";

/// Raw answers by field name, as the visitor sent them.
pub type Answers = HashMap<String, String>;

/// Answers posted as `application/x-www-form-urlencoded`. Keys the form does not have are
/// ignored (browsers and extensions add some); the first value of a repeated key counts.
/// The second value tells whether the honeypot was filled in.
pub fn answers_from_pairs(form: &Form, pairs: Vec<(String, String)>) -> (Answers, bool) {
    let mut answers = Answers::new();
    let mut trapped = false;
    for (key, value) in pairs {
        if key == HONEYPOT {
            trapped |= !value.trim().is_empty();
        } else if field(form, &key).is_some() {
            answers.entry(key).or_insert(value);
        }
    }
    (answers, trapped)
}

/// Answers posted as a JSON object, with the errors of keys the form does not have and of
/// values of the wrong shape: unlike a browser post, an integration is told about those.
/// `None` when the body is not an object at all.
pub fn answers_from_json(form: &Form, body: &Value) -> Option<(Answers, FieldErrors)> {
    let mut errors = FieldErrors::new();
    let object = body.as_object()?;
    let mut answers = Answers::new();
    for (key, value) in object {
        let Some(f) = field(form, key) else {
            errors.insert(key.clone(), "Not a field of this form.".into());
            continue;
        };
        let text = match (value, f.kind) {
            (Value::Null, _) => continue,
            (Value::String(s), _) => s.clone(),
            (Value::Bool(b), FieldType::Checkbox) => if *b { "on" } else { "" }.to_string(),
            (Value::Number(n), FieldType::Number | FieldType::Text | FieldType::Tel) => {
                n.to_string()
            }
            _ => {
                errors.insert(key.clone(), wrong_shape(f.kind).into());
                continue;
            }
        };
        answers.insert(key.clone(), text);
    }
    Some((answers, errors))
}

fn wrong_shape(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Checkbox => "Must be true or false.",
        FieldType::Number => "Must be a number.",
        _ => "Must be text.",
    }
}

fn field<'a>(form: &'a Form, name: &str) -> Option<&'a FormField> {
    form.definition.fields.iter().find(|f| f.name == name)
}

fn checked(value: &str) -> bool {
    matches!(value.trim(), "on" | "true" | "yes" | "1")
}

/// What a valid submission puts on the ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub subject: String,
    pub priority: Option<Priority>,
    pub body: String,
}

/// Checks one answer; `Ok(None)` when an optional field was left empty.
fn check_one(f: &FormField, raw: Option<&str>) -> Result<Option<String>, String> {
    let value = raw.map(str::trim).unwrap_or("");
    if f.kind == FieldType::Checkbox {
        let on = checked(value);
        if f.required && !on {
            return Err("Tick this box to continue.".into());
        }
        return Ok(Some(if on { "yes" } else { "no" }.into()));
    }
    if value.is_empty() {
        return if f.required {
            Err("This field is required.".into())
        } else {
            Ok(None)
        };
    }
    if value.chars().count() > f.max_chars() {
        return Err(format!("Use at most {} characters.", f.max_chars()));
    }
    match f.kind {
        FieldType::Email if !is_email(value) => {
            return Err("Enter an email address like name@example.com.".into());
        }
        FieldType::Tel => {
            let digits = value.chars().filter(char::is_ascii_digit).count();
            let shape = value
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !shape || digits < 5 {
                return Err("Enter a phone number, like +34 600 123 456.".into());
            }
        }
        FieldType::Number => {
            let n: f64 = value
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or("Enter a number.")?;
            if let Some(min) = f.min
                && n < min
            {
                return Err(format!("Enter a number of at least {min}."));
            }
            if let Some(max) = f.max
                && n > max
            {
                return Err(format!("Enter a number of at most {max}."));
            }
        }
        FieldType::Select if !f.options.iter().any(|o| o == value) => {
            return Err("Choose one of the options.".into());
        }
        _ => {}
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("Remove the control characters.".into());
    }
    Ok(Some(value.to_string()))
}

/// Checks every answer against the form; the errors name each field that needs attention.
pub fn check(form: &Form, answers: &Answers) -> Result<Ticket, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut ticket = Ticket {
        email: String::new(),
        name: None,
        phone: None,
        subject: form.definition.name.clone(),
        priority: None,
        body: String::new(),
    };
    let mut paragraphs = Vec::new();
    let mut lines = Vec::new();
    for f in &form.definition.fields {
        let value = match check_one(f, answers.get(&f.name).map(String::as_str)) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(e) => {
                errors.insert(f.name.clone(), e);
                continue;
            }
        };
        match f.maps_to {
            MapsTo::ContactEmail => ticket.email = value,
            MapsTo::ContactName => ticket.name = Some(value),
            MapsTo::ContactPhone => ticket.phone = Some(value),
            MapsTo::Subject => ticket.subject = value,
            MapsTo::Priority => ticket.priority = value.parse().ok(),
            MapsTo::Body => paragraphs.push(value),
            MapsTo::Custom => lines.push(format!("{}: {value}", f.label)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !lines.is_empty() {
        paragraphs.push(lines.join("\n"));
    }
    ticket.body = if paragraphs.is_empty() {
        format!("Submitted the form “{}”.", form.definition.name)
    } else {
        paragraphs.join("\n\n")
    };
    Ok(ticket)
}

/// Opens the ticket: the message through `ingest`, then the hidden presets and the record
/// of which form made it, all in one write.
pub async fn store(
    store: &Store,
    form: &Form,
    ticket: Ticket,
) -> Result<InboundOutcome, StoreError> {
    let mut nonce = [0u8; 16];
    rand::rng().fill_bytes(&mut nonce);
    let msg = InboundMessage {
        // Every submission is its own ticket.
        thread_id: format!("form:{}:{}", form.id, hex::encode(nonce)),
        sender: InboundSender {
            id: format!("email:{}", ticket.email.to_lowercase()),
            name: ticket.name,
            email: Some(ticket.email),
            phone: ticket.phone,
        },
        text: ticket.body,
        subject: Some(ticket.subject),
        attachments: Vec::new(),
    };
    inbound::validate(&msg)?;
    let presets = form.definition.presets.clone();
    let patch = ConversationPatch {
        status: presets.status,
        priority: ticket.priority.or(presets.priority),
        labels: (!presets.labels.is_empty()).then_some(presets.labels),
        ..ConversationPatch::default()
    };
    let (form_id, channel_id) = (form.id, form.definition.channel_id);
    store
        .write(move |ctx| {
            let outcome = inbound::ingest(ctx, channel_id, msg)?;
            if patch != ConversationPatch::default() {
                conversations::patch(ctx, outcome.conversation_id, 0, &patch)?;
            }
            ctx.tx
                .prepare_cached(
                    "INSERT INTO form_submissions (form_id, conversation_id, message_id, created_at) \
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute((
                    form_id,
                    outcome.conversation_id,
                    outcome.message_id,
                    ctx.now().millis(),
                ))?;
            Ok(outcome)
        })
        .await
}
