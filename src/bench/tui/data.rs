//! Agents, conversations, a thread and a live message, generated in memory with the kind of
//! strings a desk holds (accented names, four languages, ticket numbers).

use crate::api::{ConversationDetail, Event, EventKind};
use crate::domain::{
    Agent, ChannelKind, Contact, Conversation, Id, Message, MessageKind, Priority, Role, Sender,
    SenderKind, Status, Timestamp,
};

const FIRST: &[&str] = &[
    "Lucía",
    "João",
    "Giulia",
    "Oliver",
    "Amelia",
    "Mateo",
    "Beatriz",
    "Lorenzo",
    "Noah",
    "Chloé",
    "Sofía",
    "Henrique",
    "Francesca",
    "Harry",
    "Isla",
    "Diego",
    "Marta",
    "Tommaso",
    "Emily",
    "Nuria",
    "Gonçalo",
    "Chiara",
    "Jack",
    "Inés",
];

const LAST: &[&str] = &[
    "Fernández",
    "Pereira",
    "Romano",
    "Bennett",
    "Clarke",
    "García",
    "Santos",
    "Bianchi",
    "Fischer",
    "Martin",
    "López",
    "Oliveira",
    "Ricci",
    "Walker",
    "Hughes",
    "Gómez",
    "Costa",
    "Marino",
    "Wright",
    "Ruiz",
    "Magalhães",
    "Esposito",
    "O'Connor",
];

const SUBJECTS: &[&str] = &[
    "Charged twice for invoice INV-",
    "Cobro duplicado en la factura F-",
    "Password reset link expired, ticket ",
    "Não consigo acessar minha conta desde o pedido ",
    "Order has not arrived, tracking number ",
    "La fattura di ottobre ha un importo sbagliato, rif. ",
    "Export to CSV fails with error 500 on report ",
    "Can we add three more seats to workspace ",
    "¿Puedo cambiar la dirección de envío del pedido ",
    "Webhook retries flood our endpoint, integration ",
];

const PREVIEWS: &[&str] = &[
    "Hi! The tracking page shows no update since Monday, could you check with the carrier?",
    "Hola, me han cobrado dos veces la suscripción de este mes. ¿Podéis devolver el duplicado?",
    "Olá, depois de mudar a senha não consigo entrar. O link de recuperação expira na hora.",
    "Ciao, la fattura di ottobre riporta 149,00 € invece di 99,00 €. Potete correggerla?",
    "Thanks, that fixed it! One more question about the export: can it include archived rows?",
];

/// Picks from `items` by a scrambled `i`, so neighbouring rows differ.
fn pick<T: Copy>(items: &[T], i: u64, salt: u64) -> T {
    let h = (i ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 17;
    items[(h % items.len() as u64) as usize]
}

/// The desk's agents; the first is the one using the client.
pub fn agents() -> Vec<Agent> {
    [
        "Ana Souza",
        "Ben Carter",
        "Carla Rossi",
        "Dario Vidal",
        "Emma Laurent",
        "Femi Okafor",
    ]
    .iter()
    .zip(1..)
    .map(|(name, id)| Agent {
        id,
        name: (*name).into(),
        email: format!("agent{id}@frontdesk.example"),
        role: Role::Agent,
        has_seat: true,
        available: id % 3 != 0,
        active: true,
    })
    .collect()
}

fn contact_name(i: u64) -> String {
    format!("{} {}", pick(FIRST, i, 1), pick(LAST, i, 2))
}

/// Conversation `i` of the list, newest first: one every 37 seconds before `now`.
pub fn conversation(i: u64, now: Timestamp) -> Conversation {
    let at = Timestamp(now.0 - i as i64 * 37_000);
    let id = 10_000_000 - i as Id;
    Conversation {
        id,
        subject: format!("{}{}", pick(SUBJECTS, i, 3), 40_000 + i % 59_999),
        status: pick(&Status::ALL[..3], i, 4),
        priority: pick(Priority::ALL, i, 5),
        owner_id: pick(&[None, Some(1), Some(2), Some(3), Some(4), Some(5)], i, 6),
        team_id: None,
        channel_id: 1,
        channel_kind: pick(ChannelKind::ALL, i, 7),
        contact_id: 1 + (i as Id) % 40_000,
        contact_name: contact_name(i),
        labels: vec!["billing".into()],
        snoozed_until: None,
        created_at: Timestamp(at.0 - 86_400_000),
        updated_at: at,
        last_message_at: at,
        preview: pick(PREVIEWS, i, 8).into(),
        message_count: 1 + (i % 9) as i64,
        unread: i.is_multiple_of(7),
    }
}

fn message(id: Id, c: &Conversation, inbound: bool, body: &str, at: Timestamp) -> Message {
    let (kind, sender, name) = if inbound {
        (
            MessageKind::Inbound,
            SenderKind::Contact,
            c.contact_name.clone(),
        )
    } else {
        (
            MessageKind::Outbound,
            SenderKind::Agent,
            "Ana Souza".to_string(),
        )
    };
    Message {
        id,
        conversation_id: c.id,
        kind,
        internal: false,
        sender: Sender {
            kind: sender,
            id: Some(1),
            name,
        },
        channel_id: c.channel_id,
        body: body.into(),
        client_id: None,
        attachments: vec![],
        delivery: None,
        created_at: at,
        call: None,
        email: None,
    }
}

/// The open thread of `c`: `n` messages, customer and agent in turn.
pub fn detail(c: &Conversation, n: usize) -> ConversationDetail {
    let messages = (0..n)
        .map(|k| {
            let at = Timestamp(c.last_message_at.0 - (n - k) as i64 * 600_000);
            let body = if k.is_multiple_of(2) {
                pick(PREVIEWS, k as u64, 9)
            } else {
                "Thanks for writing in! I've checked your account and passed this on to billing;\nyou'll hear from us within the day."
            };
            message(1_000 + k as Id, c, k.is_multiple_of(2), body, at)
        })
        .collect();
    ConversationDetail {
        conversation: c.clone(),
        contact: Contact {
            id: c.contact_id,
            name: c.contact_name.clone(),
            email: Some("customer@example.com".into()),
            phone: None,
            owner_id: None,
            company_id: None,
            identities: vec![],
            created_at: c.created_at,
        },
        messages,
        has_older: false,
    }
}

/// The `message.created` event of a customer writing in to `c` now.
pub fn customer_writes(c: &Conversation, message_id: Id, seq: i64) -> Event {
    let now = Timestamp::now();
    let text = "Any news on this? I just tried again and it still does not work.";
    let conversation = Conversation {
        last_message_at: now,
        updated_at: now,
        preview: text.into(),
        message_count: c.message_count + 1,
        ..c.clone()
    };
    Event {
        seq,
        at: now,
        kind: EventKind::MessageCreated {
            conversation_id: c.id,
            message: message(message_id, c, true, text, now),
            conversation,
        },
    }
}

/// A reply draft of `chars` characters: paragraphs of prose in four languages, accents and
/// a few wide characters included, a blank line between paragraphs.
pub fn draft(chars: usize) -> String {
    const SENTENCES: &[&str] = &[
        "Thanks for the details and the screenshots, they help a lot. ",
        "Hemos revisado la factura y el cargo duplicado ya está anulado. ",
        "O reembolso aparece no extrato em três a cinco dias úteis. ",
        "Abbiamo inviato un nuovo collegamento per reimpostare la password. ",
        "注文番号を確認しました。 ",
    ];
    let mut text = String::with_capacity(chars * 2);
    let mut count = 0;
    for (i, sentence) in SENTENCES.iter().cycle().enumerate() {
        if count >= chars {
            break;
        }
        if i > 0 && i % 6 == 0 {
            text.push_str("\n\n");
            count += 2;
        }
        text.push_str(sentence);
        count += sentence.chars().count();
    }
    text.chars().take(chars).collect()
}
