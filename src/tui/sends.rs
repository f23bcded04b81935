//! The send lane: replies reach the outbox, and so the server, in the order the agent sent
//! them. A reply's files are uploaded before it is queued, and the lane takes no other reply
//! meanwhile, so a short reply sent after one with a large file cannot overtake it.

use super::app::{Attached, Msg, Outgoing};
use crate::api::ReplyAttachment;
use crate::client::api::Api;
use crate::client::outbox::{Extras, Outbox};
use tokio::sync::mpsc;

/// One reply as the agent sent it, its files still on the local disk.
pub struct Reply {
    pub outgoing: Outgoing,
    pub extras: Extras,
    pub files: Vec<Attached>,
}

/// Starts the lane; replies pushed to the answer are queued one after another, and what
/// happens to each comes back on `tx`. The lane ends when the sender is dropped.
pub fn spawn(
    api: Api,
    outbox: Outbox,
    nudge: mpsc::UnboundedSender<()>,
    tx: mpsc::UnboundedSender<Msg>,
) -> mpsc::UnboundedSender<Reply> {
    let (lane, mut replies) = mpsc::unbounded_channel::<Reply>();
    tokio::spawn(async move {
        while let Some(Reply {
            outgoing,
            extras,
            files,
        }) = replies.recv().await
        {
            if files.is_empty() {
                queue(&outbox, outgoing, extras, &nudge, &tx);
                continue;
            }
            let _ = tx.send(Msg::Notice(match files.len() {
                1 => format!("uploading {}…", files[0].name),
                n => format!("uploading {n} files…"),
            }));
            match upload(&api, &files).await {
                Ok(attachments) => {
                    let extras = Extras {
                        attachments,
                        ..extras
                    };
                    queue(&outbox, outgoing, extras, &nudge, &tx);
                }
                Err(error) => {
                    let _ = tx.send(Msg::Unsent {
                        conversation_id: outgoing.conversation_id,
                        body: outgoing.body,
                        files,
                        error,
                    });
                }
            }
        }
    });
    lane
}

/// Writes a reply to the outbox and wakes the sender; the thread shows it as sending.
fn queue(
    outbox: &Outbox,
    mut outgoing: Outgoing,
    extras: Extras,
    nudge: &mpsc::UnboundedSender<()>,
    tx: &mpsc::UnboundedSender<Msg>,
) {
    match outbox.enqueue_with(
        outgoing.conversation_id,
        &outgoing.body,
        outgoing.internal,
        extras,
    ) {
        Ok(entry) => {
            outgoing.client_id = entry.client_id;
            let _ = tx.send(Msg::Queued(outgoing));
            let _ = nudge.send(());
        }
        Err(e) => {
            let _ = tx.send(Msg::Failed(format!("could not save the reply: {e}")));
        }
    }
}

/// Uploads the files of a reply, in order; the first that fails says why.
async fn upload(api: &Api, files: &[Attached]) -> Result<Vec<ReplyAttachment>, String> {
    let mut stored = Vec::with_capacity(files.len());
    for file in files {
        let up = api
            .upload_path(&super::paths::expand(&file.path))
            .await
            .map_err(|e| format!("could not upload {}: {e}", file.name))?;
        stored.push(ReplyAttachment {
            url: up.url,
            name: up.name,
            mime_type: Some(up.mime_type),
            kind: Some(up.kind),
            size: Some(up.size),
        });
    }
    Ok(stored)
}
