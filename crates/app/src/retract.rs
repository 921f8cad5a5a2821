//! Retraction: an event withdrawn by appending a `retraction`.

use annals_model::{v1, Claim, Event, EventId, EventKind};
use chrono::{DateTime, Utc};

use crate::{Annals, Error, Unretractable};

/// A retraction appended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retracted {
    /// The id of the event withdrawn.
    pub target: EventId,
    /// The id of the retraction (derived from its content).
    pub retraction: EventId,
    /// The retraction's sequence number.
    pub seq: u64,
    /// When it was recorded: the event no longer counts from then on.
    pub at: DateTime<Utc>,
}

impl Annals {
    /// Appends a retraction of `target`, recorded at `now`, with `reason`.
    /// Refused for an unknown id, a retraction, an event already retracted,
    /// or an empty reason.
    pub fn retract(
        &mut self,
        target: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Retracted, Error> {
        self.writable("retract")?;
        if reason.trim().is_empty() {
            return Err(Error::Usage("--reason must say why the event is retracted".into()));
        }
        let log = self.log();
        let Some(rec) = log
            .lookup(target)?
            .map(|seq| log.get(seq))
            .transpose()
            .map_err(Error::Damaged)?
            .flatten()
        else {
            return Err(Error::Retract(Unretractable::NoSuchEvent(target.to_string())));
        };
        if matches!(rec.event.kind, EventKind::Retraction { .. }) {
            return Err(Error::Retract(Unretractable::IsRetraction(target.to_string())));
        }
        // The target is no retraction, so every retraction naming it
        // counts; as in replay, the smallest id is the one named.
        let index = self.place_index(false)?;
        let mut earlier = Vec::new();
        for seq in index.retractions_of(target) {
            earlier.extend(log.get(seq).map_err(Error::Damaged)?.map(|r| r.event.id));
        }
        if let Some(by) = earlier.iter().min() {
            let (id, by) = (target.to_string(), by.to_string());
            return Err(Error::Retract(Unretractable::AlreadyRetracted { id, by }));
        }
        let mut event = Event {
            id: EventId::new("pending").expect("a slug"),
            date: None,
            sources: vec![],
            claim: Claim::Reported,
            claimed_by: None,
            note: None,
            kind: EventKind::Retraction {
                retracts: rec.event.id.clone(),
                reason: reason.to_string(),
                replaced_by: None,
            },
        };
        event.id = v1::derive_id(&event);
        let outcome =
            self.log_mut().append_from(std::slice::from_ref(&event), now, Some("retract"))?;
        let seq = outcome.seqs.map_or(0, |(first, _)| first);
        Ok(Retracted { target: rec.event.id, retraction: event.id, seq, at: now })
    }
}
