//! The demo's simulated customers. They write in every few seconds by chat, email,
//! Messenger, WhatsApp and the demo's custom channel, and when a reply reaches them their
//! device reports it delivered, then read, and some of them answer. Everything goes through
//! the channel's own path: signed inbound messages and status reports (custom), signed Graph
//! webhooks (Messenger, WhatsApp), signed raw mail uploads (email). Live chat and email have
//! no receipts on the wire, so the visitor's browser and the mailbox mark their replies in
//! the store directly.

use super::{Desk, PAGE_ID, PHONE_NUMBER_ID, Side};
use crate::api::{InboundMessage, InboundSender};
use crate::domain::{DeliveryStatus, Id, Timestamp};
use crate::server::channels::graph::Platform;
use crate::server::channels::graph::webhook::HUB_SIGNATURE_HEADER;
use crate::server::delivery::Outgoing;
use crate::server::signature::{SIGNATURE_HEADER, sign};
use crate::server::store::inbound;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinSet;

/// The simulated customers: name and mail address.
const CUSTOMERS: &[(&str, &str)] = &[
    (
        "Lucía Fernández",
        "lucia.fernandez@customers.demo.localhost",
    ),
    ("João Pereira", "joao.pereira@customers.demo.localhost"),
    ("Giulia Romano", "giulia.romano@customers.demo.localhost"),
    ("Oliver Bennett", "oliver.bennett@customers.demo.localhost"),
    ("Amelia Clarke", "amelia.clarke@customers.demo.localhost"),
    ("Mateo García", "mateo.garcia@customers.demo.localhost"),
    ("Beatriz Santos", "beatriz.santos@customers.demo.localhost"),
    (
        "Lorenzo Bianchi",
        "lorenzo.bianchi@customers.demo.localhost",
    ),
    ("Noah Fischer", "noah.fischer@customers.demo.localhost"),
    ("Chloé Martin", "chloe.martin@customers.demo.localhost"),
];

const OPENERS: &[&str] = &[
    "Hi! My order hasn't arrived yet, the tracking page shows no update since Monday.",
    "Hola, me han cobrado dos veces la suscripción de este mes.",
    "Olá, não consigo entrar na minha conta depois de mudar a senha.",
    "Ciao, la fattura di ottobre ha un importo sbagliato.",
    "The export to CSV fails with an error 500 since this morning.",
    "Can I change the delivery address of an order that already shipped?",
    "Our team needs three more seats: how do we add them?",
];

const FOLLOW_UPS: &[&str] = &[
    "Any news on this?",
    "I just tried again and it still does not work.",
    "Here is more detail: it happens every time I log in.",
    "¿Hay alguna novedad?",
    "Grazie, aspetto notizie.",
];

const ANSWERS: &[&str] = &[
    "Thanks, that fixed it!",
    "Thank you! One more question: can I get the invoice as a PDF?",
    "Great, I'll try that and let you know.",
    "Sorry, that did not help. It still fails.",
    "¡Gracias! Ya funciona.",
    "Obrigado pela ajuda!",
    "Perfetto, grazie mille.",
];

/// Conversations of simulated customers that may still get follow-ups.
const MAX_THREADS: usize = 100;

/// Messenger ids of the simulated customers: this number plus their index.
const PSID_BASE: u64 = 7_100_000_000_000_000;

/// The simulated customer behind a Messenger id, for the User Profile API.
pub fn messenger_customer(psid: &str) -> Option<&'static str> {
    let index = psid.parse::<u64>().ok()?.checked_sub(PSID_BASE)?;
    CUSTOMERS.get(usize::try_from(index).ok()?).map(|c| c.0)
}

/// A wait of a number of tenths of `pace` drawn from `tenths`.
fn wait(rng: &mut ChaCha8Rng, pace: Duration, tenths: std::ops::Range<u32>) -> Duration {
    pace * rng.random_range(tenths) / 10
}

/// What a customer will do with a reply, drawn when it is sent.
struct Plan {
    delivered_after: Duration,
    read_after: Duration,
    answer: Option<(Duration, &'static str)>,
}

/// The id and channel of the reply a `message.updated` frame reports sent.
fn sent_reply(frame: &str) -> Option<(Id, Id)> {
    let event: Value = serde_json::from_str(frame).ok()?;
    let m = &event["message"];
    let sent = event["type"] == "message.updated"
        && m["kind"] == "outbound"
        && m["delivery"]["status"] == "sent";
    sent.then_some((m["id"].as_i64()?, m["channel_id"].as_i64()?))
}

/// Follows every reply the desk sends on a channel the far side serves until stopped.
pub async fn follow_replies(desk: Desk, options: super::DemoOptions) {
    let mut live = desk.store.subscribe();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut reactions = JoinSet::new();
    loop {
        tokio::select! {
            event = live.recv() => match event {
                Ok(event) => {
                    let Some((message, channel)) = sent_reply(event.frame.as_str()) else {
                        continue;
                    };
                    let Some(side) = desk.sides.get(&channel).cloned() else {
                        continue;
                    };
                    let plan = Plan {
                        delivered_after: wait(&mut rng, options.pace, 10..20),
                        read_after: wait(&mut rng, options.pace, 10..30),
                        answer: rng.random_bool(options.answer_chance.clamp(0.0, 1.0)).then(|| {
                            (wait(&mut rng, options.pace, 20..50), ANSWERS[rng.random_range(0..ANSWERS.len())])
                        }),
                    };
                    reactions.spawn(react(desk.clone(), message, side, plan));
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "the demo customers missed events");
                }
                Err(RecvError::Closed) => return,
            },
            Some(_) = reactions.join_next(), if !reactions.is_empty() => {}
        }
    }
}

/// A customer getting reply `message`: delivered, read, perhaps answered.
async fn react(desk: Desk, message: Id, side: Side, plan: Plan) {
    let out = match desk.store.outgoing(message, 1).await {
        Ok(out) => out,
        Err(error) => {
            tracing::warn!(%error, message, "a demo customer cannot read a reply");
            return;
        }
    };
    let recipient = match &side {
        Side::Email { .. } => out.contact.email.clone(),
        Side::Graph { .. } => identity(&out),
        Side::Custom { .. } | Side::Chat => None,
    };
    let ids: Vec<String> = recipient
        .as_deref()
        .and_then(|r| desk.inbox.take(r))
        .into_iter()
        .collect();
    tokio::time::sleep(plan.delivered_after).await;
    for (status, after) in [
        (DeliveryStatus::Delivered, Duration::ZERO),
        (DeliveryStatus::Read, plan.read_after),
    ] {
        tokio::time::sleep(after).await;
        if let Err(error) = report(&desk, &side, &out, &ids, status).await {
            tracing::warn!(%error, message, "a demo customer's receipt was refused");
        }
    }
    if let Some((after, text)) = plan.answer {
        tokio::time::sleep(after).await;
        if let Err(error) = answer(&desk, &side, &out, &ids, text).await {
            tracing::warn!(%error, message, "a demo customer's answer was refused");
        }
    }
}

/// The contact's id on the reply's channel (their PSID, WhatsApp id, bridge sender id).
fn identity(out: &Outgoing) -> Option<String> {
    out.contact
        .identities
        .iter()
        .find(|i| i.channel_id == out.channel.channel.id)
        .map(|i| i.external_id.clone())
}

/// Tells the desk how far the reply `out` got, the way its channel does.
async fn report(
    desk: &Desk,
    side: &Side,
    out: &Outgoing,
    ids: &[String],
    status: DeliveryStatus,
) -> anyhow::Result<()> {
    let (channel, message) = (out.channel.channel.id, out.message.id);
    match side {
        Side::Custom { secret } => {
            let body = json!({"status": status}).to_string().into_bytes();
            let path = format!("/api/v1/channels/{channel}/messages/{message}/status");
            post(desk, &path, "application/json", sign(secret, &body), body).await
        }
        Side::Email { .. } | Side::Chat => {
            desk.store
                .report_delivery(channel, message, status, None)
                .await?;
            Ok(())
        }
        Side::Graph {
            platform,
            app_secret,
        } => {
            let user = identity(out).unwrap_or_default();
            let now = Timestamp::now().millis();
            let body = match platform {
                Platform::Messenger => {
                    let mut event = json!({"sender": {"id": user}, "recipient": {"id": PAGE_ID},
                                           "timestamp": now});
                    if status == DeliveryStatus::Delivered {
                        event["delivery"] = json!({"mids": ids, "watermark": now});
                    } else {
                        event["read"] = json!({"watermark": now});
                    }
                    messenger_body(event)
                }
                Platform::Whatsapp => {
                    let statuses: Vec<Value> = ids
                        .iter()
                        .map(|id| {
                            json!({"id": id, "status": status, "recipient_id": user,
                                   "timestamp": (now / 1000).to_string()})
                        })
                        .collect();
                    whatsapp_body(json!({"statuses": statuses}))
                }
            };
            hook(desk, *platform, channel, app_secret, body).await
        }
    }
}

/// The customer answers the reply `out` on its channel.
async fn answer(
    desk: &Desk,
    side: &Side,
    out: &Outgoing,
    ids: &[String],
    text: &str,
) -> anyhow::Result<()> {
    let (channel, conversation) = (out.channel.channel.id, out.conversation.id);
    let contact = &out.contact;
    match side {
        Side::Custom { secret } => {
            let (thread, sender) = match desk.store.custom_thread(conversation).await? {
                Some(t) => (t.thread_id, t.sender_id),
                None => (
                    format!("demo-{conversation}"),
                    identity(out).unwrap_or_else(|| format!("demo-contact-{}", contact.id)),
                ),
            };
            custom_message(desk, channel, secret, &thread, &sender, &contact.name, text).await
        }
        Side::Email { secret, address } => {
            let from = contact
                .email
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("contact {} has no address", contact.id))?;
            // Without the reply's Message-ID the answer would not thread: it opens nothing.
            let parent = ids
                .last()
                .ok_or_else(|| anyhow::anyhow!("the sink never saw reply {}", out.message.id))?;
            let mail = Mail {
                from_name: &contact.name,
                from,
                to: address,
                subject: &format!("Re: {}", out.conversation.subject),
                id: &format!("demo.{}.answer", out.message.id),
                in_reply_to: Some(parent),
                text,
            };
            mail_message(desk, channel, secret, &mail).await
        }
        Side::Graph {
            platform,
            app_secret,
        } => {
            let user = identity(out)
                .ok_or_else(|| anyhow::anyhow!("contact {} has no id there", contact.id))?;
            let id = format!("demo.{}.answer", out.message.id);
            graph_message(
                desk,
                channel,
                *platform,
                app_secret,
                &user,
                &contact.name,
                &id,
                text,
            )
            .await
        }
        Side::Chat => {
            let visitor = format!("visitor:demo-contact-{}", contact.id);
            chat_message(
                desk,
                channel,
                &visitor,
                &contact.name,
                contact.email.as_deref(),
                Some(conversation),
                text,
            )
            .await
        }
    }
}

/// A conversation a simulated customer started.
struct Thread {
    channel: Id,
    side: Side,
    customer: usize,
    /// The thread id on a custom channel, the visitor key of a chat.
    key: String,
    subject: String,
    /// Mails sent in it so far.
    mails: u32,
}

/// Customers write in every 2–5 units of pace until stopped: new conversations on every
/// channel the far side serves, and follow-ups on the ones they started.
pub async fn write_in(desk: Desk, options: super::DemoOptions) {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed.wrapping_add(1));
    let mut channels: Vec<(Id, Side)> = desk
        .sides
        .iter()
        .filter(|(id, side)| !matches!(side, Side::Custom { .. }) || **id == desk.bridge)
        .map(|(id, side)| (*id, side.clone()))
        .collect();
    channels.sort_by_key(|(id, _)| *id);
    if channels.is_empty() {
        return;
    }
    let mut threads: Vec<Thread> = Vec::new();
    for n in 0u64.. {
        tokio::time::sleep(wait(&mut rng, options.pace, 20..50)).await;
        let (index, text) = if threads.is_empty() || rng.random_bool(0.4) {
            let (channel, side) = channels[rng.random_range(0..channels.len())].clone();
            let opener = OPENERS[rng.random_range(0..OPENERS.len())];
            threads.push(Thread {
                channel,
                side,
                customer: rng.random_range(0..CUSTOMERS.len()),
                key: format!("demo-{n}"),
                subject: opener.chars().take(60).collect(),
                mails: 0,
            });
            if threads.len() > MAX_THREADS {
                threads.remove(0);
            }
            (threads.len() - 1, opener)
        } else {
            let index = rng.random_range(0..threads.len());
            (index, FOLLOW_UPS[rng.random_range(0..FOLLOW_UPS.len())])
        };
        let thread = &mut threads[index];
        if let Err(error) = write(&desk, thread, n, text).await {
            tracing::warn!(%error, "a demo customer could not write in");
        }
    }
}

/// One message of a simulated customer in `thread`.
async fn write(desk: &Desk, thread: &mut Thread, n: u64, text: &str) -> anyhow::Result<()> {
    let (name, email) = CUSTOMERS[thread.customer];
    let channel = thread.channel;
    match &thread.side {
        Side::Custom { secret } => {
            let sender = format!("demo-customer-{}", thread.customer);
            custom_message(desk, channel, secret, &thread.key, &sender, name, text).await
        }
        Side::Email { secret, address } => {
            let previous = (thread.mails > 0).then(|| format!("{}.{}", thread.key, thread.mails));
            thread.mails += 1;
            let subject = match previous {
                Some(_) => format!("Re: {}", thread.subject),
                None => thread.subject.clone(),
            };
            let parent = previous.map(|p| format!("{p}@customers.demo.localhost"));
            let mail = Mail {
                from_name: name,
                from: email,
                to: address,
                subject: &subject,
                id: &format!("{}.{}", thread.key, thread.mails),
                in_reply_to: parent.as_deref(),
                text,
            };
            mail_message(desk, channel, secret, &mail).await
        }
        Side::Graph {
            platform,
            app_secret,
        } => {
            let user = match platform {
                Platform::Messenger => (PSID_BASE + thread.customer as u64).to_string(),
                Platform::Whatsapp => format!("3460000{:04}", thread.customer),
            };
            let id = format!("demo.{n}");
            graph_message(desk, channel, *platform, app_secret, &user, name, &id, text).await
        }
        Side::Chat => {
            let visitor = format!("visitor:{}", thread.key);
            chat_message(desk, channel, &visitor, name, Some(email), None, text).await
        }
    }
}

/// Posts `body` to the desk's `path`, signed; fails unless the desk accepts it.
async fn post(
    desk: &Desk,
    path: &str,
    content_type: &str,
    signature: String,
    body: Vec<u8>,
) -> anyhow::Result<()> {
    let header = if path.starts_with("/hooks/") {
        HUB_SIGNATURE_HEADER
    } else {
        SIGNATURE_HEADER
    };
    let answer = desk
        .http
        .post(format!("{}{path}", desk.url))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .header(header, signature)
        .body(body)
        .send()
        .await?;
    let status = answer.status();
    if !status.is_success() {
        anyhow::bail!("{path} answered {status}: {}", answer.text().await?);
    }
    Ok(())
}

/// A customer message through a custom channel's signed inbound endpoint.
async fn custom_message(
    desk: &Desk,
    channel: Id,
    secret: &str,
    thread: &str,
    sender: &str,
    name: &str,
    text: &str,
) -> anyhow::Result<()> {
    let body = json!({"thread_id": thread, "sender": {"id": sender, "name": name}, "text": text})
        .to_string()
        .into_bytes();
    let path = format!("/api/v1/channels/{channel}/inbound");
    post(desk, &path, "application/json", sign(secret, &body), body).await
}

/// A mail from a customer.
struct Mail<'a> {
    from_name: &'a str,
    from: &'a str,
    to: &'a str,
    subject: &'a str,
    /// The local part of its Message-ID.
    id: &'a str,
    in_reply_to: Option<&'a str>,
    text: &'a str,
}

/// A customer's mail through the email channel's signed raw upload.
async fn mail_message(
    desk: &Desk,
    channel: Id,
    secret: &str,
    mail: &Mail<'_>,
) -> anyhow::Result<()> {
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    let mut raw = format!(
        "From: {} <{}>\r\nTo: <{}>\r\nSubject: {}\r\nDate: {date}\r\n\
         Message-ID: <{}@customers.demo.localhost>\r\n",
        mail.from_name, mail.from, mail.to, mail.subject, mail.id
    );
    if let Some(parent) = mail.in_reply_to {
        raw.push_str(&format!(
            "In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"
        ));
    }
    raw.push_str(&format!(
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        mail.text
    ));
    let body = raw.into_bytes();
    let path = format!("/api/v1/channels/{channel}/email/messages");
    post(desk, &path, "message/rfc822", sign(secret, &body), body).await
}

/// A Messenger webhook body holding one `messaging` event.
fn messenger_body(event: Value) -> Value {
    let now = Timestamp::now().millis();
    json!({"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [event]}]})
}

/// A WhatsApp webhook body holding one change `value` (messages or statuses).
fn whatsapp_body(mut value: Value) -> Value {
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] =
        json!({"display_phone_number": "34611203040", "phone_number_id": PHONE_NUMBER_ID});
    json!({"object": "whatsapp_business_account",
           "entry": [{"id": "demo-business", "changes": [{"field": "messages", "value": value}]}]})
}

/// Posts a webhook body to the channel's Graph webhook, signed with the app secret.
async fn hook(
    desk: &Desk,
    platform: Platform,
    channel: Id,
    app_secret: &str,
    body: Value,
) -> anyhow::Result<()> {
    let raw = body.to_string().into_bytes();
    let path = platform.webhook_path(channel);
    post(desk, &path, "application/json", sign(app_secret, &raw), raw).await
}

/// A customer message from `user` through a Messenger or WhatsApp webhook.
#[allow(clippy::too_many_arguments)]
async fn graph_message(
    desk: &Desk,
    channel: Id,
    platform: Platform,
    app_secret: &str,
    user: &str,
    name: &str,
    id: &str,
    text: &str,
) -> anyhow::Result<()> {
    let now = Timestamp::now().millis();
    let body = match platform {
        Platform::Messenger => messenger_body(json!({
            "sender": {"id": user}, "recipient": {"id": PAGE_ID}, "timestamp": now,
            "message": {"mid": format!("m_{id}"), "text": text}
        })),
        Platform::Whatsapp => whatsapp_body(json!({
            "contacts": [{"profile": {"name": name}, "wa_id": user}],
            "messages": [{"from": user, "id": format!("wamid.{id}"),
                          "timestamp": (now / 1000).to_string(), "type": "text", "text": {"body": text}}]
        })),
    };
    hook(desk, platform, channel, app_secret, body).await
}

/// A visitor's chat message, written the way the chat socket writes it: into `into`, or
/// the visitor's own conversation.
async fn chat_message(
    desk: &Desk,
    channel: Id,
    visitor: &str,
    name: &str,
    email: Option<&str>,
    into: Option<Id>,
    text: &str,
) -> anyhow::Result<()> {
    let msg = InboundMessage {
        thread_id: visitor.to_string(),
        sender: InboundSender {
            id: visitor.to_string(),
            name: Some(name.to_string()),
            email: email.map(str::to_string),
            phone: None,
        },
        text: text.to_string(),
        subject: None,
        attachments: Vec::new(),
    };
    inbound::validate(&msg)?;
    desk.store
        .write(move |ctx| inbound::ingest_into(ctx, channel, msg, into))
        .await?;
    Ok(())
}
