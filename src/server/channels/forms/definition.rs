//! What a form is: its fields, where each field's answer goes on the ticket, and the hidden
//! presets the visitor never sees. Every rule a definition must meet is checked here.

use crate::domain::{Id, Priority, Status, Timestamp, limits};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Most fields one form may have.
pub const MAX_FIELDS: usize = 30;
/// Most options of a select field.
const MAX_OPTIONS: usize = 100;
/// Upper bound of any field's `max_length`.
pub const MAX_FIELD_CHARS: usize = 10_000;
/// Longest name, label, option, placeholder or submit label.
const MAX_SHORT: usize = 200;
/// Longest description, help text or thank-you message.
const MAX_LONG: usize = 2000;

/// The kind of input a field shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Email,
    Tel,
    Textarea,
    Number,
    Select,
    Checkbox,
}

impl FieldType {
    /// The `max_length` a field gets when its definition names none.
    fn default_max(self) -> usize {
        match self {
            FieldType::Textarea => 5000,
            FieldType::Email => 254,
            FieldType::Tel => 32,
            _ => MAX_SHORT,
        }
    }
}

/// Where a field's answer lands on the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapsTo {
    ContactName,
    ContactEmail,
    ContactPhone,
    /// The ticket's subject.
    Subject,
    /// A paragraph of the ticket's first message.
    Body,
    /// The ticket's priority; the field must be a select of priority values.
    Priority,
    /// A `Label: value` line in the ticket's first message.
    #[default]
    Custom,
}

/// One input of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// The key of the answer: lowercase letters, digits and `_`.
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub maps_to: MapsTo,
    /// The choices of a select.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// A hint shown under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Longest answer in characters; a default by type when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// Bounds of a number field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl FormField {
    /// The longest answer this field takes, in characters.
    pub fn max_chars(&self) -> usize {
        self.max_length.unwrap_or_else(|| self.kind.default_max())
    }
}

/// Ticket properties every submission gets, hidden from the visitor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Presets {
    /// Where the ticket starts in the pipeline; `new` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The priority unless a priority field was answered; `medium` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// A form as an admin writes it (`POST`/`PUT /api/v1/forms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// A channel of kind `form`.
    pub channel_id: Id,
    /// The page title, and the subject of tickets without a subject field.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub fields: Vec<FormField>,
    #[serde(default)]
    pub presets: Presets,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submit_label: Option<String>,
    /// Shown after a successful submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thank_you: Option<String>,
}

/// A stored form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub id: Id,
    #[serde(flatten)]
    pub definition: FormDefinition,
    /// Where visitors fill it in, relative to the server's address.
    pub public_path: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn check_text(what: &str, text: &str, max: usize, required: bool) -> Result<(), String> {
    if required && text.trim().is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    if chars(text) > max {
        return Err(format!("{what} must be at most {max} characters"));
    }
    Ok(())
}

fn check_optional(what: &str, text: &Option<String>, max: usize) -> Result<(), String> {
    text.as_deref()
        .map_or(Ok(()), |t| check_text(what, t, max, false))
}

impl FormDefinition {
    /// Checks every rule; the error names the offending field (`fields[2].options`, ...).
    pub fn validate(&self) -> Result<(), String> {
        check_text("name", &self.name, MAX_SHORT, true)?;
        check_optional("description", &self.description, MAX_LONG)?;
        check_optional("submit_label", &self.submit_label, MAX_SHORT)?;
        check_optional("thank_you", &self.thank_you, MAX_LONG)?;
        if self.fields.is_empty() || self.fields.len() > MAX_FIELDS {
            return Err(format!("fields must hold 1 to {MAX_FIELDS} fields"));
        }
        let mut names = HashSet::new();
        for (i, field) in self.fields.iter().enumerate() {
            field
                .validate()
                .map_err(|e| format!("fields[{i}] ({}): {e}", field.name))?;
            if !names.insert(field.name.as_str()) {
                return Err(format!(
                    "fields[{i}]: the name {:?} is used twice",
                    field.name
                ));
            }
        }
        let mapped = |m: MapsTo| self.fields.iter().filter(move |f| f.maps_to == m);
        let emails: Vec<_> = mapped(MapsTo::ContactEmail).collect();
        match emails.as_slice() {
            [f] if f.required => {}
            [_] => return Err("the contact_email field must be required".into()),
            _ => {
                return Err(
                    "exactly one field must map to contact_email, so the desk can answer".into(),
                );
            }
        }
        for single in [
            MapsTo::ContactName,
            MapsTo::ContactPhone,
            MapsTo::Subject,
            MapsTo::Priority,
        ] {
            if mapped(single).count() > 1 {
                return Err(format!(
                    "only one field may map to {}",
                    serde_json::to_value(single)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ));
            }
        }
        limits::labels("presets.labels", &self.presets.labels)?;
        Ok(())
    }
}

impl FormField {
    fn validate(&self) -> Result<(), String> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err("name must be 1 to 64 lowercase letters, digits or _".into());
        }
        check_text("label", &self.label, MAX_SHORT, true)?;
        check_optional("placeholder", &self.placeholder, MAX_SHORT)?;
        check_optional("help", &self.help, MAX_LONG)?;
        if let Some(max) = self.max_length
            && !(1..=MAX_FIELD_CHARS).contains(&max)
        {
            return Err(format!("max_length must be 1 to {MAX_FIELD_CHARS}"));
        }
        match self.kind {
            FieldType::Select => {
                if self.options.is_empty() || self.options.len() > MAX_OPTIONS {
                    return Err(format!("a select needs 1 to {MAX_OPTIONS} options"));
                }
                let mut seen = HashSet::new();
                for option in &self.options {
                    check_text("options[]", option, MAX_SHORT, true)?;
                    if !seen.insert(option) {
                        return Err(format!("options: {option:?} is listed twice"));
                    }
                }
            }
            _ if !self.options.is_empty() => {
                return Err("options only apply to a select".into());
            }
            _ => {}
        }
        if self.kind != FieldType::Number && (self.min.is_some() || self.max.is_some()) {
            return Err("min and max only apply to a number".into());
        }
        if let (Some(min), Some(max)) = (self.min, self.max)
            && min > max
        {
            return Err("min must not be above max".into());
        }
        if [self.min, self.max]
            .iter()
            .flatten()
            .any(|v| !v.is_finite())
        {
            return Err("min and max must be finite numbers".into());
        }
        let fits = match self.maps_to {
            MapsTo::ContactEmail => self.kind == FieldType::Email,
            MapsTo::ContactPhone => matches!(self.kind, FieldType::Tel | FieldType::Text),
            MapsTo::ContactName | MapsTo::Subject => self.kind == FieldType::Text,
            MapsTo::Body => matches!(self.kind, FieldType::Textarea | FieldType::Text),
            MapsTo::Priority => {
                self.kind == FieldType::Select
                    && self.options.iter().all(|o| o.parse::<Priority>().is_ok())
            }
            MapsTo::Custom => true,
        };
        if !fits {
            return Err(match self.maps_to {
                MapsTo::ContactEmail => "contact_email needs a field of type email".into(),
                MapsTo::ContactPhone => "contact_phone needs a field of type tel or text".into(),
                MapsTo::ContactName | MapsTo::Subject => {
                    "contact_name and subject need a field of type text".into()
                }
                MapsTo::Body => "body needs a field of type textarea or text".into(),
                _ => "priority needs a select whose options are low, medium, high or urgent".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, kind: FieldType, maps_to: MapsTo, required: bool) -> FormField {
        FormField {
            name: name.into(),
            label: name.to_uppercase(),
            kind,
            required,
            maps_to,
            options: Vec::new(),
            placeholder: None,
            help: None,
            max_length: None,
            min: None,
            max: None,
        }
    }

    fn form(fields: Vec<FormField>) -> FormDefinition {
        FormDefinition {
            channel_id: 1,
            name: "Contact us".into(),
            description: None,
            fields,
            presets: Presets::default(),
            submit_label: None,
            thank_you: None,
        }
    }

    fn email() -> FormField {
        field("email", FieldType::Email, MapsTo::ContactEmail, true)
    }

    #[test]
    fn a_form_needs_exactly_one_required_contact_email() {
        assert_eq!(form(vec![email()]).validate(), Ok(()));
        let none = form(vec![field("q", FieldType::Text, MapsTo::Custom, true)]);
        assert!(none.validate().unwrap_err().contains("contact_email"));
        let optional = form(vec![field(
            "email",
            FieldType::Email,
            MapsTo::ContactEmail,
            false,
        )]);
        assert!(optional.validate().unwrap_err().contains("required"));
        let text = form(vec![field(
            "email",
            FieldType::Text,
            MapsTo::ContactEmail,
            true,
        )]);
        assert!(text.validate().unwrap_err().contains("type email"));
    }

    #[test]
    fn field_rules_name_the_field() {
        let mut dup = form(vec![email(), email()]);
        assert!(dup.validate().unwrap_err().contains("used twice"));
        dup.fields[1].name = "Bad Name".into();
        assert!(
            dup.validate()
                .unwrap_err()
                .starts_with("fields[1] (Bad Name): name")
        );

        let mut select = field("topic", FieldType::Select, MapsTo::Custom, false);
        assert!(
            form(vec![email(), select.clone()])
                .validate()
                .unwrap_err()
                .contains("options")
        );
        select.options = vec!["a".into(), "a".into()];
        assert!(
            form(vec![email(), select.clone()])
                .validate()
                .unwrap_err()
                .contains("twice")
        );

        let mut priority = field("urgency", FieldType::Select, MapsTo::Priority, false);
        priority.options = vec!["low".into(), "asap".into()];
        assert!(
            form(vec![email(), priority.clone()])
                .validate()
                .unwrap_err()
                .contains("priority")
        );
        priority.options = vec!["low".into(), "urgent".into()];
        assert_eq!(form(vec![email(), priority]).validate(), Ok(()));

        let mut number = field("qty", FieldType::Number, MapsTo::Custom, false);
        number.min = Some(5.0);
        number.max = Some(1.0);
        assert!(
            form(vec![email(), number])
                .validate()
                .unwrap_err()
                .contains("min")
        );
        let two_subjects = form(vec![
            email(),
            field("s1", FieldType::Text, MapsTo::Subject, false),
            field("s2", FieldType::Text, MapsTo::Subject, false),
        ]);
        assert!(
            two_subjects
                .validate()
                .unwrap_err()
                .contains("only one field may map to subject")
        );
        assert!(form(vec![]).validate().unwrap_err().starts_with("fields"));
    }
}
