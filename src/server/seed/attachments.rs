//! Files attached to messages, of kinds that fit each channel.

use super::{pick, weighted};
use crate::domain::{AttachmentKind, ChannelKind, MessageKind};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// An attachment as (kind, file name, MIME type, size in bytes).
pub type Attachment = (AttachmentKind, String, &'static str, i64);

/// Files a customer may attach by email or form, as (name, MIME type).
const FILES: &[(&str, &str)] = &[
    ("invoice.pdf", "application/pdf"),
    ("error-log.txt", "text/plain"),
    ("order-confirmation.pdf", "application/pdf"),
    ("export.csv", "text/csv"),
];

/// Whether a message says something is attached.
pub fn promises_attachment(body: &str) -> bool {
    ["attached", "Adjunto", "Envio captura", "Allego"]
        .iter()
        .any(|word| body.contains(word))
}

/// Maybe an attachment, of a kind that fits the channel and the sender; surely one if
/// `promised` by an inbound message.
pub fn attachment_for(
    rng: &mut ChaCha8Rng,
    channel: ChannelKind,
    kind: MessageKind,
    first: bool,
    promised: bool,
) -> Option<Attachment> {
    use AttachmentKind as A;
    use ChannelKind as C;
    let n = rng.random_range(1000..10_000);
    let (kind, name, mime, sizes) = match (channel, kind) {
        (C::Call, MessageKind::Inbound) if first && rng.random_bool(0.4) => (
            A::Audio,
            format!("call-recording-{n}.mp3"),
            "audio/mpeg",
            200_000..8_000_000,
        ),
        (C::Email | C::Form | C::Chat, MessageKind::Inbound)
            if promised || rng.random_bool(0.07) =>
        {
            if promised || channel == C::Chat || rng.random_bool(0.6) {
                (
                    A::Image,
                    format!("screenshot-{n}.png"),
                    "image/png",
                    40_000..3_000_000,
                )
            } else {
                let (name, mime) = pick(rng, FILES);
                (A::File, name.to_string(), *mime, 2_000..5_000_000)
            }
        }
        (C::Email, MessageKind::Outbound) if rng.random_bool(0.03) => (
            A::File,
            "setup-guide.pdf".to_string(),
            "application/pdf",
            300_000..2_000_000,
        ),
        (C::Messenger | C::Whatsapp | C::Custom, MessageKind::Inbound) => {
            let image = if promised { 1000 } else { 6 };
            match weighted(rng, &[10, 4, image, 2, 78]) {
                0 => (
                    A::VoiceNote,
                    format!("voice-note-{n}.ogg"),
                    "audio/ogg",
                    8_000..600_000,
                ),
                1 => (
                    A::Sticker,
                    format!("sticker-{n}.webp"),
                    "image/webp",
                    10_000..60_000,
                ),
                2 => (
                    A::Image,
                    format!("IMG-{n}.jpg"),
                    "image/jpeg",
                    60_000..4_000_000,
                ),
                3 => (
                    A::Video,
                    format!("VID-{n}.mp4"),
                    "video/mp4",
                    1_000_000..25_000_000,
                ),
                _ => return None,
            }
        }
        _ => return None,
    };
    Some((kind, name, mime, rng.random_range(sizes)))
}
