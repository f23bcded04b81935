//! Reading the event log back for clients that resume.

use super::{LiveEvent, Store, StoreError};

impl Store {
    /// Up to `limit` committed events with `seq > since`, in order, whoever they are for.
    pub async fn events_after(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<LiveEvent>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT seq, frame, audience FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?
            .query_map((since, limit as i64), |r| {
                Ok(LiveEvent {
                    seq: r.get(0)?,
                    frame: r.get::<_, String>(1)?.into(),
                    committed: None,
                    audience: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?)
        })
        .await
    }

    /// The newest committed sequence number.
    pub async fn last_seq(&self) -> Result<i64, StoreError> {
        self.read(
            |c| Ok(c.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))?),
        )
        .await
    }
}
