//! Contacts with their company and conversations.

use super::conversations::{ListFilter, list};
use super::rows::{self, MESSAGE_SELECT};
use super::{Store, StoreError};
use crate::api::{ContactDetail, EventKind};
use crate::domain::{Company, Contact, Id, Message};
use rusqlite::{Connection, OptionalExtension};

/// How many of a contact's conversations the contact record lists.
const CONTACT_CONVERSATIONS: usize = 100;

/// How many of a contact's latest messages the contact record carries.
const CONTACT_MESSAGES: i64 = 50;

/// The latest messages of a contact across conversations, newest first.
fn timeline(c: &Connection, contact_id: Id) -> Result<Vec<Message>, StoreError> {
    let sql = format!(
        "{MESSAGE_SELECT} JOIN conversations c ON c.id = m.conversation_id \
         WHERE c.contact_id = ?1 ORDER BY m.created_at DESC, m.id DESC LIMIT ?2"
    );
    let mut messages: Vec<Message> = c
        .prepare_cached(&sql)?
        .query_map((contact_id, CONTACT_MESSAGES), rows::message_from_row)?
        .collect::<Result<_, _>>()?;
    for m in &mut messages {
        rows::attach_files(c, std::slice::from_mut(m))?;
    }
    Ok(messages)
}

impl Store {
    /// A contact with its primary company and conversations, most recent first.
    pub async fn contact_detail(&self, id: Id, agent_id: Id) -> Result<ContactDetail, StoreError> {
        self.read(move |c| {
            let contact = rows::contact(c, id)?;
            let company = match contact.company_id {
                Some(company_id) => c
                    .prepare_cached("SELECT id, name, domain FROM companies WHERE id = ?1")?
                    .query_row([company_id], |r| {
                        Ok(Company {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            domain: r.get(2)?,
                        })
                    })
                    .optional()?,
                None => None,
            };
            let filter = ListFilter {
                contact_id: Some(id),
                limit: CONTACT_CONVERSATIONS,
                ..ListFilter::default()
            };
            let conversations = list(c, agent_id, &filter)?.items;
            Ok(ContactDetail {
                contact,
                company,
                conversations,
                messages: timeline(c, id)?,
            })
        })
        .await
    }
}

impl Store {
    /// Sets or clears a contact's owner; emits `contact.updated` when it changed.
    pub async fn set_contact_owner(
        &self,
        id: Id,
        owner_id: Option<Id>,
    ) -> Result<Contact, StoreError> {
        self.write(move |ctx| {
            let before = rows::contact(ctx.tx, id)?;
            if let Some(owner) = owner_id
                && rows::agent(ctx.tx, owner).is_err()
            {
                return Err(StoreError::Invalid(format!(
                    "owner_id {owner} is not an agent of this desk"
                )));
            }
            if before.owner_id == owner_id {
                return Ok(before);
            }
            ctx.tx
                .prepare_cached("UPDATE contacts SET owner_id = ?1 WHERE id = ?2")?
                .execute((owner_id, id))?;
            let contact = rows::contact(ctx.tx, id)?;
            ctx.emit(EventKind::ContactUpdated {
                contact: contact.clone(),
            })?;
            Ok(contact)
        })
        .await
    }
}
