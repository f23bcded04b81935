//! Customer portals: their settings, customer accounts, sign-in sessions, e-mailed links,
//! and the tickets a signed-in customer may see and answer.
//!
//! Every question "may this customer see this ticket?" is answered here, by one SQL
//! predicate ([`VISIBLE`]), so pages and downloads cannot disagree.

use super::inbound::{InboundOutcome, ingest_into};
use super::rows::{self, CONVERSATION_COLUMNS, CONVERSATION_JOINS, MESSAGE_SELECT};
use super::{Store, StoreError, WriteCtx};
use crate::api::portal::{Access, NewPortal, Portal, PortalPatch, Visibility};
use crate::api::{EventKind, InboundAttachment, InboundMessage, InboundSender};
use crate::domain::{Conversation, Id, Message, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row};

/// Most tickets the list page shows.
const TICKET_LIST_LIMIT: i64 = 200;

/// Most messages a ticket page shows (the newest ones).
const THREAD_LIMIT: i64 = 500;

/// `?1` = the customer's contact, `?2` = 1 when the portal also shows company tickets.
/// `c` is the conversation, `ct` its contact.
const VISIBLE: &str = "(c.contact_id = ?1 OR (?2 = 1 AND ct.company_id IS NOT NULL \
     AND ct.company_id = (SELECT company_id FROM contacts WHERE id = ?1)))";

const PORTAL_SELECT: &str = "SELECT id, name, slug, language, channel_id, visibility, access, \
     enabled, created_at, updated_at FROM portals";

fn parse_col<T: std::str::FromStr<Err = String>>(row: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let text: String = row.get(i)?;
    text.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

fn portal_from_row(row: &Row<'_>) -> rusqlite::Result<Portal> {
    Ok(Portal {
        id: row.get(0)?,
        name: row.get(1)?,
        slug: row.get(2)?,
        language: parse_col(row, 3)?,
        channel_id: row.get(4)?,
        visibility: parse_col(row, 5)?,
        access: parse_col(row, 6)?,
        enabled: row.get(7)?,
        created_at: Timestamp(row.get(8)?),
        updated_at: Timestamp(row.get(9)?),
    })
}

fn portal(conn: &Connection, id: Id) -> Result<Portal, StoreError> {
    conn.prepare_cached(&format!("{PORTAL_SELECT} WHERE id = ?1"))?
        .query_row([id], portal_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("portal {id}")))
}

/// Slugs are URL path segments: lowercase letters, digits and inner dashes.
fn check_slug(slug: &str) -> Result<(), StoreError> {
    let ok = (2..=64).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(
            "slug must be 2 to 64 lowercase letters, digits or inner dashes".into(),
        ))
    }
}

fn check_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(StoreError::Invalid(
            "name must be 1 to 120 characters".into(),
        ));
    }
    Ok(name.to_string())
}

fn check_channel(conn: &Connection, id: Id) -> Result<(), StoreError> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM channels WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    exists.map(|_| ()).ok_or_else(|| {
        StoreError::Invalid(format!("channel_id {id} is not a channel of this desk"))
    })
}

fn slug_taken(conn: &Connection, slug: &str, except: Id) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM portals WHERE slug = ?1 AND id != ?2")?
        .query_row((slug, except), |r| r.get::<_, i64>(0))
        .optional()?
        .is_some())
}

/// Creates the `form` channel that receives a new portal's tickets.
fn create_portal_channel(ctx: &mut WriteCtx<'_>, name: &str) -> Result<Id, StoreError> {
    let name = format!("Portal: {name}");
    let now = ctx.now();
    ctx.tx
        .prepare_cached(
            "INSERT INTO channels (kind, name, secret, settings, created_at) \
             VALUES ('form', ?1, ?2, '{}', ?3)",
        )?
        .execute((&name, crate::server::auth::new_secret(), now.millis()))?;
    let id = ctx.tx.last_insert_rowid();
    let channel = super::channels::channel(ctx.tx, id)?.channel.redacted();
    ctx.emit(EventKind::ChannelCreated { channel })?;
    Ok(id)
}

/// What a sign-up request should e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupMail {
    /// No contact has the address (or the portal is invitation only): send nothing.
    Nothing,
    /// A contact has the address: a link to choose a password was stored.
    Verify,
    /// The address already has an account: a password-reset link was stored instead.
    AlreadyRegistered,
}

/// A signed-in customer, as a session cookie names them.
#[derive(Debug, Clone)]
pub struct Customer {
    pub contact_id: Id,
    pub email: String,
    pub name: String,
    /// The session's anti-forgery token every form must echo.
    pub csrf: String,
}

/// A file a customer attached on the portal, already in the desk's file store.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub mime_type: Option<String>,
    pub size: i64,
    pub url: String,
}

fn attachments(uploads: Vec<Upload>) -> Vec<InboundAttachment> {
    uploads
        .into_iter()
        .map(|u| InboundAttachment {
            kind: crate::server::portal::attachment_kind(u.mime_type.as_deref()),
            name: u.name,
            url: u.url,
            size: u.size,
            mime_type: u.mime_type,
        })
        .collect()
}

/// The inbound message a customer writes on the portal, as the portal channel's sender
/// `portal-contact:{id}`, which is bound to the customer's own contact first.
fn customer_message(
    ctx: &mut WriteCtx<'_>,
    channel_id: Id,
    customer: &Customer,
    thread_id: String,
    subject: Option<String>,
    text: String,
    uploads: Vec<Upload>,
) -> Result<InboundMessage, StoreError> {
    let sender_id = format!("portal-contact:{}", customer.contact_id);
    let added = ctx
        .tx
        .prepare_cached(
            "INSERT OR IGNORE INTO contact_identities (channel_id, external_id, contact_id) \
             VALUES (?1, ?2, ?3)",
        )?
        .execute((channel_id, &sender_id, customer.contact_id))?;
    if added > 0 {
        let contact = rows::contact(ctx.tx, customer.contact_id)?;
        ctx.emit(EventKind::ContactUpdated { contact })?;
    }
    Ok(InboundMessage {
        thread_id,
        sender: InboundSender {
            id: sender_id,
            name: Some(customer.name.clone()),
            email: Some(customer.email.clone()),
            phone: None,
        },
        text,
        subject,
        attachments: attachments(uploads),
    })
}

fn visible_ticket(
    conn: &Connection,
    contact_id: Id,
    visibility: Visibility,
    ticket_id: Id,
) -> Result<Option<Conversation>, StoreError> {
    let sql = format!(
        "{CONVERSATION_COLUMNS} FROM conversations c {CONVERSATION_JOINS} \
         WHERE {VISIBLE} AND c.id = ?3"
    );
    // `CONVERSATION_JOINS` reads `?1` as an agent id for unread markers; no agent has the
    // contact's id in read_state for customers to matter, and `unread` is not shown.
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(
            (contact_id, company_flag(visibility), ticket_id),
            rows::conversation_from_row,
        )
        .optional()?)
}

fn company_flag(visibility: Visibility) -> i64 {
    i64::from(visibility == Visibility::Company)
}

impl Store {
    /// Creates a portal; without a `channel_id`, also the `form` channel that receives its
    /// tickets.
    pub async fn create_portal(&self, new: NewPortal) -> Result<Portal, StoreError> {
        let name = check_name(&new.name)?;
        let slug = new.slug.trim().to_ascii_lowercase();
        check_slug(&slug)?;
        self.write(move |ctx| {
            if slug_taken(ctx.tx, &slug, 0)? {
                return Err(StoreError::Conflict(format!(
                    "a portal already has the slug {slug:?}"
                )));
            }
            let channel_id = match new.channel_id {
                Some(id) => {
                    check_channel(ctx.tx, id)?;
                    id
                }
                None => create_portal_channel(ctx, &name)?,
            };
            let now = ctx.now().millis();
            ctx.tx
                .prepare_cached(
                    "INSERT INTO portals (slug, name, language, channel_id, visibility, access, \
                     created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                )?
                .execute((
                    &slug,
                    &name,
                    new.language.as_str(),
                    channel_id,
                    new.visibility.as_str(),
                    new.access.as_str(),
                    now,
                ))?;
            portal(ctx.tx, ctx.tx.last_insert_rowid())
        })
        .await
    }

    /// Changes the given settings of a portal.
    pub async fn patch_portal(&self, id: Id, patch: PortalPatch) -> Result<Portal, StoreError> {
        let name = patch.name.as_deref().map(check_name).transpose()?;
        let slug = patch.slug.as_deref().map(|s| s.trim().to_ascii_lowercase());
        if let Some(slug) = &slug {
            check_slug(slug)?;
        }
        self.write(move |ctx| {
            let mut p = portal(ctx.tx, id)?;
            if let Some(slug) = slug {
                if slug_taken(ctx.tx, &slug, id)? {
                    return Err(StoreError::Conflict(format!(
                        "a portal already has the slug {slug:?}"
                    )));
                }
                p.slug = slug;
            }
            if let Some(channel_id) = patch.channel_id {
                check_channel(ctx.tx, channel_id)?;
                p.channel_id = channel_id;
            }
            p.name = name.unwrap_or(p.name);
            p.language = patch.language.unwrap_or(p.language);
            p.visibility = patch.visibility.unwrap_or(p.visibility);
            p.access = patch.access.unwrap_or(p.access);
            p.enabled = patch.enabled.unwrap_or(p.enabled);
            ctx.tx
                .prepare_cached(
                    "UPDATE portals SET slug = ?1, name = ?2, language = ?3, channel_id = ?4, \
                     visibility = ?5, access = ?6, enabled = ?7, updated_at = ?8 WHERE id = ?9",
                )?
                .execute((
                    &p.slug,
                    &p.name,
                    p.language.as_str(),
                    p.channel_id,
                    p.visibility.as_str(),
                    p.access.as_str(),
                    p.enabled,
                    ctx.now().millis(),
                    id,
                ))?;
            portal(ctx.tx, id)
        })
        .await
    }

    /// One portal by id.
    pub async fn portal(&self, id: Id) -> Result<Portal, StoreError> {
        self.read(move |c| portal(c, id)).await
    }

    /// One portal by its slug or, when `key` is a number, its id.
    pub async fn find_portal(&self, key: &str) -> Result<Option<Portal>, StoreError> {
        let key = key.trim().to_ascii_lowercase();
        self.read(move |c| {
            let sql = format!("{PORTAL_SELECT} WHERE slug = ?1 OR CAST(id AS TEXT) = ?1");
            Ok(c.prepare_cached(&sql)?
                .query_row([key], portal_from_row)
                .optional()?)
        })
        .await
    }

    /// Every portal, oldest first.
    pub async fn portals(&self) -> Result<Vec<Portal>, StoreError> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!("{PORTAL_SELECT} ORDER BY id"))?
                .query_map([], portal_from_row)?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Stores an invitation link for `email` on a portal, creating the contact when no
    /// contact has that address yet. Answers the contact's id.
    pub async fn invite_customer(
        &self,
        portal_id: Id,
        email: String,
        name: Option<String>,
        token_hash: [u8; 32],
        expires_at: Timestamp,
    ) -> Result<Id, StoreError> {
        self.write(move |ctx| {
            portal(ctx.tx, portal_id)?;
            let contact_id = match contact_by_email(ctx.tx, &email)? {
                Some(id) => id,
                None => {
                    let name = super::names::first_contact_name(
                        [name.as_deref(), Some(email.as_str())]
                            .into_iter()
                            .flatten(),
                    );
                    ctx.tx
                        .prepare_cached(
                            "INSERT INTO contacts (name, email, created_at) VALUES (?1, ?2, ?3)",
                        )?
                        .execute((name, &email, ctx.now().millis()))?;
                    let id = ctx.tx.last_insert_rowid();
                    let contact = rows::contact(ctx.tx, id)?;
                    ctx.emit(EventKind::ContactCreated { contact })?;
                    id
                }
            };
            insert_token(
                ctx, token_hash, portal_id, contact_id, &email, "invite", expires_at,
            )?;
            Ok(contact_id)
        })
        .await
    }

    /// Decides what a sign-up for `email` e-mails, storing the link it needs.
    pub async fn signup_link(
        &self,
        portal_id: Id,
        email: String,
        token_hash: [u8; 32],
        expires_at: Timestamp,
    ) -> Result<SignupMail, StoreError> {
        self.write(move |ctx| {
            let p = portal(ctx.tx, portal_id)?;
            if let Some((_, contact_id)) = account_by_email(ctx.tx, portal_id, &email)? {
                insert_token(
                    ctx, token_hash, portal_id, contact_id, &email, "reset", expires_at,
                )?;
                return Ok(SignupMail::AlreadyRegistered);
            }
            if p.access != Access::Open {
                return Ok(SignupMail::Nothing);
            }
            match contact_by_email(ctx.tx, &email)? {
                Some(contact_id) => {
                    insert_token(
                        ctx, token_hash, portal_id, contact_id, &email, "signup", expires_at,
                    )?;
                    Ok(SignupMail::Verify)
                }
                None => Ok(SignupMail::Nothing),
            }
        })
        .await
    }

    /// Stores a password-reset link when `email` has an account; answers whether it has.
    pub async fn reset_link(
        &self,
        portal_id: Id,
        email: String,
        token_hash: [u8; 32],
        expires_at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(
            move |ctx| match account_by_email(ctx.tx, portal_id, &email)? {
                Some((_, contact_id)) => {
                    insert_token(
                        ctx, token_hash, portal_id, contact_id, &email, "reset", expires_at,
                    )?;
                    Ok(true)
                }
                None => Ok(false),
            },
        )
        .await
    }

    /// Whether an unused, unexpired link with this token hash exists on this portal.
    pub async fn link_valid(
        &self,
        portal_id: Id,
        token_hash: [u8; 32],
    ) -> Result<bool, StoreError> {
        let now = Timestamp::now().millis();
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT 1 FROM portal_tokens WHERE hash = ?1 AND portal_id = ?2 \
                 AND used_at IS NULL AND expires_at > ?3",
            )?
            .query_row((&token_hash[..], portal_id, now), |r| r.get::<_, i64>(0))
            .optional()?
            .is_some())
        })
        .await
    }

    /// Uses an e-mailed link once: sets the password (creating the account for a sign-up
    /// or invitation), ends every other session of the account, and opens a new one.
    /// `None` when the link is unknown, used or expired.
    pub async fn use_link(
        &self,
        portal_id: Id,
        token_hash: [u8; 32],
        password_hash: String,
        session: NewSession,
    ) -> Result<Option<Id>, StoreError> {
        self.write(move |ctx| {
            let now = ctx.now().millis();
            let row: Option<(Id, String)> = ctx
                .tx
                .prepare_cached(
                    "SELECT contact_id, email FROM portal_tokens WHERE hash = ?1 \
                     AND portal_id = ?2 AND used_at IS NULL AND expires_at > ?3",
                )?
                .query_row((&token_hash[..], portal_id, now), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let Some((contact_id, email)) = row else {
                return Ok(None);
            };
            ctx.tx
                .prepare_cached("UPDATE portal_tokens SET used_at = ?1 WHERE hash = ?2")?
                .execute((now, &token_hash[..]))?;
            let account_id = match account_by_email(ctx.tx, portal_id, &email)? {
                Some((id, _)) => {
                    ctx.tx
                        .prepare_cached(
                            "UPDATE portal_accounts SET password_hash = ?1, updated_at = ?2 \
                             WHERE id = ?3",
                        )?
                        .execute((&password_hash, now, id))?;
                    ctx.tx
                        .prepare_cached("DELETE FROM portal_sessions WHERE account_id = ?1")?
                        .execute([id])?;
                    id
                }
                None => {
                    ctx.tx
                        .prepare_cached(
                            "INSERT INTO portal_accounts (portal_id, contact_id, email, \
                             password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                        )?
                        .execute((portal_id, contact_id, &email, &password_hash, now))?;
                    ctx.tx.last_insert_rowid()
                }
            };
            // Other links to the same address are spent too: the address is proven now.
            ctx.tx
                .prepare_cached(
                    "UPDATE portal_tokens SET used_at = ?1 WHERE portal_id = ?2 AND email = ?3 \
                     AND used_at IS NULL",
                )?
                .execute((now, portal_id, &email))?;
            insert_session(ctx, account_id, &session)?;
            Ok(Some(account_id))
        })
        .await
    }

    /// The account id and password hash for signing in with `email`.
    pub async fn account_credentials(
        &self,
        portal_id: Id,
        email: String,
    ) -> Result<Option<(Id, String)>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT id, password_hash FROM portal_accounts WHERE portal_id = ?1 AND email = ?2",
            )?
            .query_row((portal_id, email.trim()), |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
        })
        .await
    }

    /// Opens a session for an account.
    pub async fn open_session(
        &self,
        account_id: Id,
        session: NewSession,
    ) -> Result<(), StoreError> {
        self.write(move |ctx| {
            // Expired sessions go whenever a new one comes.
            ctx.tx
                .prepare_cached("DELETE FROM portal_sessions WHERE expires_at <= ?1")?
                .execute([ctx.now().millis()])?;
            insert_session(ctx, account_id, &session)
        })
        .await
    }

    /// Ends the session with this token hash.
    pub async fn close_session(&self, token_hash: [u8; 32]) -> Result<(), StoreError> {
        self.write(move |ctx| {
            ctx.tx
                .prepare_cached("DELETE FROM portal_sessions WHERE hash = ?1")?
                .execute([&token_hash[..]])?;
            Ok(())
        })
        .await
    }

    /// The customer signed in on `portal_id` with the session of this token hash.
    pub async fn customer_session(
        &self,
        portal_id: Id,
        token_hash: [u8; 32],
    ) -> Result<Option<Customer>, StoreError> {
        let now = Timestamp::now().millis();
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT a.contact_id, a.email, ct.name, s.csrf FROM portal_sessions s \
                 JOIN portal_accounts a ON a.id = s.account_id \
                 JOIN contacts ct ON ct.id = a.contact_id \
                 WHERE s.hash = ?1 AND a.portal_id = ?2 AND s.expires_at > ?3",
            )?
            .query_row((&token_hash[..], portal_id, now), |r| {
                Ok(Customer {
                    contact_id: r.get(0)?,
                    email: r.get(1)?,
                    name: r.get(2)?,
                    csrf: r.get(3)?,
                })
            })
            .optional()?)
        })
        .await
    }

    /// The tickets a customer may see, most recently active first.
    pub async fn customer_tickets(
        &self,
        contact_id: Id,
        visibility: Visibility,
    ) -> Result<Vec<Conversation>, StoreError> {
        self.read(move |c| {
            let sql = format!(
                "{CONVERSATION_COLUMNS} FROM conversations c {CONVERSATION_JOINS} \
                 WHERE {VISIBLE} ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?3"
            );
            Ok(c.prepare_cached(&sql)?
                .query_map(
                    (contact_id, company_flag(visibility), TICKET_LIST_LIMIT),
                    rows::conversation_from_row,
                )?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    /// A ticket and its thread without internal notes or logged calls (whose notes are the
    /// agent's), when the customer may see it.
    pub async fn customer_ticket(
        &self,
        contact_id: Id,
        visibility: Visibility,
        ticket_id: Id,
    ) -> Result<Option<(Conversation, Vec<Message>)>, StoreError> {
        self.read(move |c| {
            let Some(ticket) = visible_ticket(c, contact_id, visibility, ticket_id)? else {
                return Ok(None);
            };
            let sql = format!(
                "SELECT * FROM ({MESSAGE_SELECT} WHERE m.conversation_id = ?1 \
                 AND m.kind != 'note' AND m.id NOT IN (SELECT message_id FROM calls \
                 WHERE conversation_id = ?1) ORDER BY m.id DESC LIMIT ?2) ORDER BY id"
            );
            let mut messages: Vec<Message> = c
                .prepare_cached(&sql)?
                .query_map((ticket_id, THREAD_LIMIT), rows::message_from_row)?
                .collect::<Result<_, _>>()?;
            for m in &mut messages {
                rows::attach_files(c, std::slice::from_mut(m))?;
            }
            Ok(Some((ticket, messages)))
        })
        .await
    }

    /// An attachment of a message the customer may see: (name, content URL).
    pub async fn customer_attachment(
        &self,
        contact_id: Id,
        visibility: Visibility,
        ticket_id: Id,
        attachment_index: (Id, usize),
    ) -> Result<Option<(String, String)>, StoreError> {
        let (message_id, index) = attachment_index;
        self.read(move |c| {
            if visible_ticket(c, contact_id, visibility, ticket_id)?.is_none() {
                return Ok(None);
            }
            Ok(c.prepare_cached(
                "SELECT a.name, a.url FROM attachments a JOIN messages m ON m.id = a.message_id \
                 WHERE m.id = ?1 AND m.conversation_id = ?2 AND m.kind != 'note' \
                 ORDER BY a.id LIMIT 1 OFFSET ?3",
            )?
            .query_row((message_id, ticket_id, index as i64), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
        })
        .await
    }

    /// The portal and address to tell about an agent's reply on `channel_id` to a ticket of
    /// `contact_id`: when the channel is an enabled portal's `form` channel (one that cannot
    /// reach the customer itself) and the contact has an account there.
    pub async fn reply_notice_target(
        &self,
        channel_id: Id,
        contact_id: Id,
    ) -> Result<Option<(Portal, String)>, StoreError> {
        self.read(move |c| {
            let found: Option<(Id, String)> = c
                .prepare_cached(
                    "SELECT p.id, a.email FROM portals p \
                     JOIN channels ch ON ch.id = p.channel_id AND ch.kind = 'form' \
                     JOIN portal_accounts a ON a.portal_id = p.id AND a.contact_id = ?2 \
                     WHERE p.channel_id = ?1 AND p.enabled ORDER BY p.id, a.id LIMIT 1",
                )?
                .query_row((channel_id, contact_id), |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match found {
                Some((portal_id, email)) => Ok(Some((portal(c, portal_id)?, email))),
                None => Ok(None),
            }
        })
        .await
    }

    /// Opens a ticket from the portal's support form, in the portal's default channel.
    pub async fn customer_open_ticket(
        &self,
        channel_id: Id,
        customer: Customer,
        thread_id: String,
        subject: String,
        text: String,
        uploads: Vec<Upload>,
    ) -> Result<InboundOutcome, StoreError> {
        self.write(move |ctx| {
            let msg = customer_message(
                ctx,
                channel_id,
                &customer,
                thread_id,
                Some(subject),
                text,
                uploads,
            )?;
            ingest_into(ctx, channel_id, msg, None)
        })
        .await
    }

    /// Adds a customer's answer to a ticket they may see, through the portal's channel.
    /// `None` when they may not see it: nothing is stored.
    pub async fn customer_reply(
        &self,
        channel_id: Id,
        customer: Customer,
        visibility: Visibility,
        ticket_id: Id,
        text: String,
        uploads: Vec<Upload>,
    ) -> Result<Option<InboundOutcome>, StoreError> {
        self.write(move |ctx| {
            if visible_ticket(ctx.tx, customer.contact_id, visibility, ticket_id)?.is_none() {
                return Ok(None);
            }
            let thread_id = format!("portal-ticket:{ticket_id}");
            let msg = customer_message(ctx, channel_id, &customer, thread_id, None, text, uploads)?;
            ingest_into(ctx, channel_id, msg, Some(ticket_id)).map(Some)
        })
        .await
    }
}

/// A session to store: the hash of its cookie token, its CSRF token, and when it ends.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: [u8; 32],
    pub csrf: String,
    pub expires_at: Timestamp,
}

fn insert_session(
    ctx: &mut WriteCtx<'_>,
    account_id: Id,
    session: &NewSession,
) -> Result<(), StoreError> {
    ctx.tx
        .prepare_cached(
            "INSERT INTO portal_sessions (hash, account_id, csrf, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((
            &session.token_hash[..],
            account_id,
            &session.csrf,
            ctx.now().millis(),
            session.expires_at.millis(),
        ))?;
    Ok(())
}

fn contact_by_email(conn: &Connection, email: &str) -> Result<Option<Id>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM contacts WHERE email = ?1 ORDER BY id LIMIT 1")?
        .query_row([email.trim()], |r| r.get(0))
        .optional()?)
}

/// (account id, contact id) of the account with `email` on a portal.
fn account_by_email(
    conn: &Connection,
    portal_id: Id,
    email: &str,
) -> Result<Option<(Id, Id)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, contact_id FROM portal_accounts WHERE portal_id = ?1 AND email = ?2",
        )?
        .query_row((portal_id, email.trim()), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn insert_token(
    ctx: &mut WriteCtx<'_>,
    hash: [u8; 32],
    portal_id: Id,
    contact_id: Id,
    email: &str,
    purpose: &str,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    let now = ctx.now().millis();
    // Spent and expired links are kept a day for the record, then dropped.
    ctx.tx
        .prepare_cached("DELETE FROM portal_tokens WHERE expires_at < ?1")?
        .execute([now - 86_400_000])?;
    ctx.tx
        .prepare_cached(
            "INSERT INTO portal_tokens (hash, portal_id, contact_id, email, purpose, expires_at, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((
            &hash[..],
            portal_id,
            contact_id,
            email.trim(),
            purpose,
            expires_at.millis(),
            now,
        ))?;
    Ok(())
}
