//! The delivery worker: takes queued replies when they fall due, hands each to its channel's
//! transport through [`super::dispatch`], and records the outcome.
//!
//! It wakes when a reply is queued or a channel changes (it listens to the desk's live
//! events) and otherwise sleeps until the next reply falls due, so replies left queued by an
//! earlier process go out too; those it left mid-attempt are due at once. At most
//! [`CONCURRENCY`] attempts run at once, for different conversations and recipients: the
//! queue hands out a reply only when no earlier one of its conversation or recipient on its
//! channel is still queued, so replies arrive in the order they were written.

use super::{Delivered, DeliveryError, Outgoing, RetryPolicy, TransportContext, dispatch};
use crate::domain::{Id, Timestamp};
use crate::server::store::queue::{AttemptOutcome, Claimed};
use crate::server::store::{LiveEvent, Store, StoreError};
use futures_util::FutureExt;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Attempts in flight at once.
pub const CONCURRENCY: usize = 4;
/// How long a claimed reply is reserved for its attempt; longer than any transport takes.
const LEASE: Duration = Duration::from_secs(60);
/// The longest sleep: changes made by another process (the CLI) are noticed this late.
const IDLE_RECHECK: Duration = Duration::from_secs(30);
/// How long a stopping worker lets attempts in flight finish before it cuts them off.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The running worker of one server.
pub struct Worker {
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Starts delivering the desk's queued replies until `stopping` turns true.
    /// Webhooks reach private addresses only when `allow_private`.
    pub fn start(
        store: Store,
        files: crate::server::files::Files,
        public_url: String,
        policy: RetryPolicy,
        allow_private: bool,
        stopping: watch::Receiver<bool>,
    ) -> Worker {
        let http = crate::server::targets::client_builder(allow_private)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("frontdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        let ctx = TransportContext {
            store,
            http,
            allow_private,
            files,
            public_url,
        };
        Worker {
            task: tokio::spawn(run(ctx, policy, stopping)),
        }
    }

    /// Waits until the worker has stopped (after `stopping` turned true).
    pub async fn join(self) {
        if let Err(error) = self.task.await {
            tracing::error!(%error, "delivery worker failed");
        }
    }
}

/// Whether a committed event may mean a reply became due: a reply was queued (its frame holds
/// a `"queued"` delivery status, which customer text cannot spell unescaped) or a channel
/// changed (turned back on, a new webhook URL).
fn wakes(event: &LiveEvent) -> bool {
    event.frame.contains("\"queued\"") || event.frame.contains("\"channel.updated\"")
}

async fn run(ctx: TransportContext, policy: RetryPolicy, mut stopping: watch::Receiver<bool>) {
    let mut live = ctx.store.subscribe();
    match ctx.store.reclaim_abandoned_deliveries().await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            n,
            "replies left mid-attempt by an earlier process are due again"
        ),
        Err(error) => tracing::error!(%error, "cannot take back abandoned replies"),
    }
    let mut inflight: JoinSet<()> = JoinSet::new();
    let mut claimed: HashMap<tokio::task::Id, Id> = HashMap::new();
    'work: while !*stopping.borrow() {
        let free = CONCURRENCY - inflight.len();
        if free > 0 {
            match ctx.store.claim_due_deliveries(free, LEASE).await {
                Ok(due) => {
                    for c in due {
                        let task = inflight.spawn(attempt(ctx.clone(), policy, c));
                        claimed.insert(task.id(), c.message_id);
                    }
                }
                Err(StoreError::Closed) => break,
                Err(error) => tracing::error!(%error, "cannot claim due replies"),
            }
        }
        let deadline = Instant::now() + sleep_for(&ctx.store, inflight.len()).await;
        loop {
            tokio::select! {
                changed = stopping.changed() => {
                    if changed.is_err() || *stopping.borrow() {
                        break 'work;
                    }
                }
                Some(done) = inflight.join_next_with_id(), if !inflight.is_empty() => {
                    match done {
                        Ok((id, ())) => claimed.remove(&id),
                        Err(e) => claimed.remove(&e.id()),
                    };
                    break;
                }
                event = live.recv() => match event {
                    Ok(e) if wakes(&e) => break,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => {
                        tokio::time::sleep_until(deadline).await;
                        break;
                    }
                },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
    }
    let _ = tokio::time::timeout(STOP_GRACE, async {
        while let Some(done) = inflight.join_next_with_id().await {
            if let Ok((id, ())) = done {
                claimed.remove(&id);
            }
        }
    })
    .await;
    inflight.shutdown().await;
    let cut_off: Vec<Id> = claimed.into_values().collect();
    if !cut_off.is_empty()
        && let Err(error) = ctx.store.release_deliveries(cut_off).await
    {
        tracing::warn!(%error, "cannot hand back replies cut off by the stop");
    }
    tracing::debug!("delivery worker stopped");
}

/// How long to sleep before looking for due replies again.
async fn sleep_for(store: &Store, inflight: usize) -> Duration {
    if inflight >= CONCURRENCY {
        return IDLE_RECHECK;
    }
    match store.next_delivery_due().await {
        Ok(Some(due)) => {
            let wait = due
                .millis()
                .saturating_sub(Timestamp::now().millis())
                .max(0);
            Duration::from_millis(wait as u64).min(IDLE_RECHECK)
        }
        Ok(None) => IDLE_RECHECK,
        Err(error) => {
            tracing::error!(%error, "cannot read the delivery queue");
            Duration::from_secs(1)
        }
    }
}

/// [`dispatch`], with a panic in the transport (a library refusing a value it was handed)
/// turned into a failed attempt with the reason, rather than an attempt never recorded.
async fn guarded_dispatch(
    ctx: &TransportContext,
    out: &Outgoing,
) -> Result<Delivered, DeliveryError> {
    match AssertUnwindSafe(dispatch(ctx, out)).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no reason given".into());
            tracing::error!(message_id = out.message.id, %what, "delivery transport panicked");
            Err(DeliveryError::Permanent(format!(
                "the {} transport crashed on this reply: {what}",
                out.channel.channel.kind
            )))
        }
    }
}

/// One attempt at one reply, recorded whatever happens.
async fn attempt(ctx: TransportContext, policy: RetryPolicy, claimed: Claimed) {
    let number = claimed.attempts + 1;
    let result = match ctx.store.outgoing(claimed.message_id, number).await {
        Ok(out) => guarded_dispatch(&ctx, &out).await,
        Err(StoreError::NotFound(what)) => {
            Err(DeliveryError::Permanent(format!("{what} not found")))
        }
        Err(e) => Err(DeliveryError::Retry(format!("cannot read the reply: {e}"))),
    };
    let outcome = match result {
        Ok(delivered) => AttemptOutcome::Sent {
            external_id: delivered.external_id,
        },
        Err(DeliveryError::Permanent(error)) => AttemptOutcome::Failed { error },
        Err(DeliveryError::Retry(error)) if policy.retries_after(number) => {
            let wait = policy.backoff(number).as_millis() as i64;
            AttemptOutcome::Retry {
                error,
                at: Timestamp(Timestamp::now().millis() + wait),
            }
        }
        Err(DeliveryError::Retry(error)) => AttemptOutcome::Failed {
            error: format!("gave up after {number} attempts: {error}"),
        },
    };
    tracing::debug!(
        message_id = claimed.message_id,
        attempt = number,
        ?outcome,
        "delivery attempt"
    );
    if let Err(error) = ctx.store.record_attempt(claimed.message_id, outcome).await {
        tracing::error!(%error, message_id = claimed.message_id, "cannot record a delivery attempt");
    }
}
