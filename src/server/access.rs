//! Noticing access changes (a revoked token, a deactivated agent) made by this server or by
//! another process on the same desk, so open event streams re-check their token.
//!
//! Requests check their token against the database each time; only long-lived streams need
//! telling. One task polls the desk's access version (one row, one column) every
//! [`POLL`], or at once when this server changed access itself, and publishes it.

use super::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How often changes made by another process (the CLI) are looked for.
pub const POLL: Duration = Duration::from_secs(1);

/// The desk's access version as this server last read it.
#[derive(Clone)]
pub struct AccessWatch {
    version: watch::Receiver<i64>,
    nudge: Arc<Notify>,
}

impl AccessWatch {
    /// Starts polling `store` until `stopping` turns true.
    pub fn start(store: Store, mut stopping: watch::Receiver<bool>) -> AccessWatch {
        let (tx, version) = watch::channel(0);
        let nudge = Arc::new(Notify::new());
        let woken = nudge.clone();
        tokio::spawn(async move {
            loop {
                match store.access_version().await {
                    Ok(v) => {
                        tx.send_if_modified(|old| std::mem::replace(old, v) != v);
                    }
                    Err(error) => tracing::warn!(%error, "cannot read the access version"),
                }
                tokio::select! {
                    _ = stopping.wait_for(|s| *s) => return,
                    _ = woken.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        });
        AccessWatch { version, nudge }
    }

    /// Re-reads the version now: this server just changed someone's access.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// Changes whenever access may have changed from now on.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        let mut version = self.version.clone();
        version.mark_unchanged();
        version
    }
}
