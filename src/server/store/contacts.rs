//! Contacts with their company and conversations.

use super::conversations::{ListFilter, list};
use super::rows;
use super::{Store, StoreError};
use crate::api::ContactDetail;
use crate::domain::{Company, Id};
use rusqlite::OptionalExtension;

/// How many of a contact's conversations the contact record lists.
const CONTACT_CONVERSATIONS: usize = 100;

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
            })
        })
        .await
    }
}
