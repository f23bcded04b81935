//! The task that drains the outbox: sends each entry in order until the server answers.

use super::{Entry, EntryState, Outbox, Result};
use crate::api::NewMessage;
use crate::client::api::{Api, ClientError};
use crate::client::backoff::Backoff;
use crate::domain::{Id, Message};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// First and largest delay between attempts while the server cannot take a message.
const FIRST_RETRY: Duration = Duration::from_millis(500);
const MAX_RETRY: Duration = Duration::from_secs(30);
/// Updates that may wait for the UI before the sender pauses.
const UPDATES_CAPACITY: usize = 256;

/// What happened to an entry, for the UI.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxUpdate {
    pub client_id: String,
    pub conversation_id: Id,
    /// `Sending` with an `error` means "will retry".
    pub state: EntryState,
    /// The stored message, once sent.
    pub message: Option<Message>,
    /// Why the last attempt did not succeed.
    pub error: Option<String>,
}

/// Starts sending the outbox's pending entries, oldest first, including those a previous
/// run left in state `sending`.
///
/// Send `()` on the returned sender after enqueuing, to have new entries sent at once (it
/// also cuts a retry wait short). The task ends when the update receiver is dropped, or
/// when every nudge sender is dropped and nothing is left to send.
pub fn spawn_sender(
    outbox: Outbox,
    api: Api,
) -> (
    mpsc::UnboundedSender<()>,
    mpsc::Receiver<OutboxUpdate>,
    JoinHandle<()>,
) {
    let (nudge, nudges) = mpsc::unbounded_channel();
    let (updates, updates_rx) = mpsc::channel(UPDATES_CAPACITY);
    let sender = Sender {
        outbox,
        api,
        nudges,
        updates,
        backoff: Backoff::new(FIRST_RETRY, MAX_RETRY),
    };
    (nudge, updates_rx, tokio::spawn(sender.run()))
}

/// The sender must stop: nobody listens, or the outbox file failed.
struct Stop;

/// Carry on, or stop.
type Step<T = ()> = std::result::Result<T, Stop>;

struct Sender {
    outbox: Outbox,
    api: Api,
    nudges: mpsc::UnboundedReceiver<()>,
    updates: mpsc::Sender<OutboxUpdate>,
    backoff: Backoff,
}

impl Sender {
    async fn run(mut self) {
        loop {
            if self.drain().await.is_err() {
                return;
            }
            tokio::select! {
                nudge = self.nudges.recv() => if nudge.is_none() { return },
                _ = self.updates.closed() => return,
            }
        }
    }

    /// Sends pending entries until none is left.
    async fn drain(&mut self) -> Step {
        loop {
            let pending = self.db(|o| o.pending()).await?;
            if pending.is_empty() {
                return Ok(());
            }
            for entry in pending {
                self.deliver(entry).await?;
            }
        }
    }

    /// Sends one entry until the server stores it or refuses it.
    async fn deliver(&mut self, entry: Entry) -> Step {
        let new = NewMessage {
            body: entry.body.clone(),
            internal: entry.internal,
            client_id: entry.client_id.clone(),
            channel_id: entry.channel_id,
            mentions: entry.mentions.clone(),
            attachments: entry.attachments.clone(),
            email: entry.email.clone(),
        };
        loop {
            let id = entry.client_id.clone();
            self.db(move |o| o.count_attempt(&id)).await?;
            match self.api.post_message(entry.conversation_id, &new).await {
                Ok((message, _created)) => return self.sent(&entry, message).await,
                Err(error) if error.is_retryable() => self.wait(&entry, error).await?,
                Err(error) => return self.failed(&entry, error).await,
            }
        }
    }

    async fn sent(&mut self, entry: &Entry, message: Message) -> Step {
        self.backoff.reset();
        let (id, message_id) = (entry.client_id.clone(), message.id);
        self.db(move |o| o.mark_sent(&id, message_id)).await?;
        self.report(entry, EntryState::Sent, Some(message), None)
            .await
    }

    async fn failed(&mut self, entry: &Entry, error: ClientError) -> Step {
        let (id, why) = (entry.client_id.clone(), error.to_string());
        let reason = why.clone();
        self.db(move |o| o.mark_failed(&id, &reason)).await?;
        self.report(entry, EntryState::Failed, None, Some(why))
            .await
    }

    /// Reports a retryable failure, then waits out the backoff (or until nudged).
    async fn wait(&mut self, entry: &Entry, error: ClientError) -> Step {
        tracing::debug!(client_id = %entry.client_id, %error, "reply not sent yet");
        self.report(entry, EntryState::Sending, None, Some(error.to_string()))
            .await?;
        let (_, delay) = self.backoff.next_delay();
        tokio::select! {
            _ = tokio::time::sleep(delay) => Ok(()),
            Some(()) = self.nudges.recv() => Ok(()),
            _ = self.updates.closed() => Err(Stop),
        }
    }

    async fn report(
        &self,
        entry: &Entry,
        state: EntryState,
        message: Option<Message>,
        error: Option<String>,
    ) -> Step {
        let update = OutboxUpdate {
            client_id: entry.client_id.clone(),
            conversation_id: entry.conversation_id,
            state,
            message,
            error,
        };
        self.updates.send(update).await.map_err(|_| Stop)
    }

    /// Runs an outbox operation off the async threads (it waits for the disk).
    async fn db<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Outbox) -> Result<T> + Send + 'static,
    ) -> Step<T> {
        let outbox = self.outbox.clone();
        let done = tokio::task::spawn_blocking(move || op(&outbox)).await;
        match done
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()))
        {
            Ok(value) => Ok(value),
            Err(error) => {
                tracing::error!(%error, "outbox sender stopped");
                Err(Stop)
            }
        }
    }
}
