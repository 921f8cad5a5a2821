//! The one codec module: the only code that turns records into bytes and back.
//!
//! A stored record is `[format: u8][crc32 of payload: u32 LE][payload]`, where the
//! payload is the record of that format encoded by bincode 2 (serde, standard
//! config): `wire::v1::Event` for format 3 (written, in blocks of format 4,
//! whose header holds what the records of one append share: when they were
//! recorded and how they came), `wire::v2::Record` for format 2 (read; its
//! own time and origin), `wire::v1::Record` for format 1 (read, and upcast
//! to format 2). See docs/FORMAT.md.

use std::borrow::Borrow;
use std::sync::Arc;

use annals_model::{
    is_coordinate, ActorId, ActorKind, AgreementId, Claim, CoupOutcome, Date, Entity, Event,
    EventId, EventKind, Fatalities, Interner, Linked, PlaceId, PlaceKind, Point, Qualifier,
    Recorded, SourceId, LATITUDE_LIMIT, LONGITUDE_LIMIT,
};
use chrono::DateTime;
#[cfg(feature = "testing")]
use chrono::Utc;

use crate::wire::{v1 as w, v2};

/// The record format this build writes, in blocks: the event alone.
pub const FORMAT: u8 = 3;
/// The record formats this build reads.
pub const READS: [u8; 3] = [1, 2, 3];
const HEADER: usize = 5;
/// No stored record may claim to be larger than this when decoding.
const LIMIT: usize = 256 * 1024 * 1024;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

/// Encodes an event as a record of a block (format 3): the event alone; the
/// block's header holds its recorded time and origin ([`encode_block`]).
pub fn encode(event: &Event) -> Vec<u8> {
    frame(FORMAT, &to_wire(event))
}

/// Encodes a record as format 2 wrote it: with its own recorded time and
/// origin, one per sled key (logs before format 3) or in blocks of format 3.
/// Only for testing that such logs still read: this build never writes it.
#[cfg(feature = "testing")]
pub fn encode_v2(event: &Event, recorded_at: DateTime<Utc>, origin: Option<&str>) -> Vec<u8> {
    let record = v2::Record {
        recorded_at_micros: recorded_at.timestamp_micros(),
        origin,
        event: to_wire(event),
    };
    frame(2, &record)
}

/// Encodes a record as format 1 wrote it. Only for testing that old logs still
/// read: this build never writes format 1 to a log.
#[cfg(feature = "testing")]
pub fn encode_v1(event: &Event, recorded_at: DateTime<Utc>) -> Vec<u8> {
    let record =
        w::Record { recorded_at_micros: recorded_at.timestamp_micros(), event: to_wire(event) };
    frame(1, &record)
}

fn frame(format: u8, record: &impl serde::Serialize) -> Vec<u8> {
    let payload =
        bincode::serde::encode_to_vec(record, config()).expect("encoding plain data cannot fail");
    framed(format, &payload)
}

/// A record of `format` around any `payload`, under its right checksum: how
/// every record is framed, and what fuzzing needs to reach the payload's
/// decoder (random bytes almost never pass the checksum).
pub fn framed(format: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.push(format);
    out.extend_from_slice(&checksum(format, payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn payload_of<'a, T: serde::Deserialize<'a>>(payload: &'a [u8]) -> Result<T, DecodeError> {
    let (record, used): (T, usize) = bincode::serde::borrow_decode_from_slice(payload, config())
        .map_err(|e| DecodeError::Payload(e.to_string()))?;
    if used != payload.len() {
        return Err(DecodeError::Payload(format!("{} trailing bytes", payload.len() - used)));
    }
    Ok(record)
}

/// Decodes a stored record of any format this build reads; format 1 records
/// are upcast to format 2 (no origin). A record of format 3 takes its
/// recorded time and origin from its block's header: `shared`. Never panics,
/// whatever the bytes.
pub fn decode(seq: u64, bytes: &[u8], shared: Option<Shared<'_>>) -> Result<Recorded, DecodeError> {
    Decoder::default().decode(seq, bytes, shared)
}

/// What the records of a block of format 4 share, read from its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shared<'a> {
    /// Recorded time, microseconds since the Unix epoch, UTC.
    pub recorded_at_micros: i64,
    pub origin: Option<&'a str>,
}

/// Decodes records one after another, sharing what they repeat: the ids of
/// actors, places, sources and agreements (each checked once, see
/// [`Interner`]) and the origin of consecutive records of one import.
#[derive(Debug, Default)]
pub struct Decoder {
    interner: Interner,
    origin: Option<Arc<str>>,
}

impl Decoder {
    /// Like [`decode`]; the record's ids share their text with earlier records'.
    pub fn decode(
        &mut self,
        seq: u64,
        bytes: &[u8],
        shared: Option<Shared<'_>>,
    ) -> Result<Recorded, DecodeError> {
        let payload = check(bytes)?;
        let record: v2::Record = match (bytes[0], shared) {
            (1, _) => payload_of::<w::Record>(payload)?.into(),
            (2, _) => payload_of::<v2::Record>(payload)?,
            (_, Some(shared)) => v2::Record {
                recorded_at_micros: shared.recorded_at_micros,
                origin: shared.origin,
                event: payload_of::<w::Event>(payload)?,
            },
            (format, None) => {
                return Err(DecodeError::Payload(format!(
                    "a record of format {format} is stored only in a block, which says when it was recorded"
                )))
            }
        };
        let recorded_at = DateTime::from_timestamp_micros(record.recorded_at_micros)
            .ok_or(DecodeError::Invalid(InvalidValue::RecordedTime(record.recorded_at_micros)))?;
        let event = from_wire(record.event, &mut self.interner).map_err(DecodeError::Invalid)?;
        let origin = record.origin.map(|text| match &self.origin {
            Some(last) if **last == *text => Arc::clone(last),
            _ => Arc::clone(self.origin.insert(Arc::from(text))),
        });
        Ok(Recorded { seq, recorded_at, origin, event })
    }
}

/// The CRC-32 of a record: of the payload in format 1; of the format byte and
/// the payload from format 2 on, so a damaged format byte cannot pass.
fn checksum(format: u8, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    if format >= 2 {
        h.update(&[format]);
    }
    h.update(payload);
    h.finalize()
}

/// Checks the header and checksum; returns the payload.
pub fn check(bytes: &[u8]) -> Result<&[u8], DecodeError> {
    if bytes.len() < HEADER {
        return Err(DecodeError::Truncated(bytes.len()));
    }
    if !READS.contains(&bytes[0]) {
        return Err(DecodeError::UnknownFormat(bytes[0]));
    }
    let stored = u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
    let payload = &bytes[HEADER..];
    let computed = checksum(bytes[0], payload);
    if stored != computed {
        return Err(DecodeError::Checksum { stored, computed });
    }
    Ok(payload)
}

/// The block format this build writes: records of consecutive sequence
/// numbers of one append stored as one value, with what they share.
pub const BLOCK_FORMAT: u8 = 4;
/// Blocks of the first format-3 logs: records of format 2, nothing shared.
const BLOCK_FORMAT_3: u8 = 3;
/// Format byte and record count.
const BLOCK_HEAD: usize = 5;
/// An origin length that says there is none.
const NO_ORIGIN: u32 = u32::MAX;

/// Stores records of one append (each as [`encode`] framed it, laid end to
/// end in `records`, `lens` giving their lengths in order) as one block:
/// `[4][count: u32 LE][recorded time: i64 LE, µs][origin length: u32 LE,
/// u32::MAX for none][origin][length of each record: u32 LE × count][CRC-32
/// of the bytes before it: u32 LE][the records]`. The header's checksum
/// covers the shared time and origin, and makes a damaged length a damaged
/// block instead of records cut in the wrong places.
pub fn encode_block(shared: Shared<'_>, lens: &[u32], records: &[u8]) -> Vec<u8> {
    debug_assert_eq!(lens.iter().map(|&n| n as usize).sum::<usize>(), records.len());
    let count = u32::try_from(lens.len()).expect("a block holds fewer than 2^32 records");
    let origin = shared.origin.unwrap_or_default();
    let origin_len = match shared.origin {
        Some(text) => u32::try_from(text.len()).expect("an origin is shorter than 4 GiB"),
        None => NO_ORIGIN,
    };
    let mut out =
        Vec::with_capacity(BLOCK_HEAD + 12 + origin.len() + 4 * lens.len() + 4 + records.len());
    out.push(BLOCK_FORMAT);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&shared.recorded_at_micros.to_le_bytes());
    out.extend_from_slice(&origin_len.to_le_bytes());
    out.extend_from_slice(origin.as_bytes());
    finish_block(out, lens, records)
}

/// Ends a block whose header so far is `out`: the lengths, the header's
/// checksum, the records.
fn finish_block(mut out: Vec<u8>, lens: &[u32], records: &[u8]) -> Vec<u8> {
    for len in lens {
        out.extend_from_slice(&len.to_le_bytes());
    }
    out.extend_from_slice(&crc32fast::hash(&out).to_le_bytes());
    out.extend_from_slice(records);
    out
}

/// Stores records of format 2 as a block of format 3, as the first format-3
/// build did. Only for testing that such logs still read.
#[cfg(feature = "testing")]
pub fn encode_block_v3(lens: &[u32], records: &[u8]) -> Vec<u8> {
    let count = u32::try_from(lens.len()).expect("a block holds fewer than 2^32 records");
    let mut out = vec![BLOCK_FORMAT_3];
    out.extend_from_slice(&count.to_le_bytes());
    finish_block(out, lens, records)
}

/// A block split ([`split_block`]): where each record lies, and what they share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub ranges: Vec<std::ops::Range<usize>>,
    /// Block format 4: the records' recorded time, and where their origin lies.
    pub shared: Option<SharedAt>,
}

/// What the records of a block share, as positions in the block: kept with
/// the block's bytes, read with [`SharedAt::read`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedAt {
    pub recorded_at_micros: i64,
    /// Checked UTF-8 by [`split_block`].
    pub origin: Option<std::ops::Range<usize>>,
}

impl SharedAt {
    /// The shared time and origin of `block`, the bytes this was split from.
    pub fn read<'a>(&self, block: &'a [u8]) -> Shared<'a> {
        let origin = self.origin.clone().and_then(|at| std::str::from_utf8(block.get(at)?).ok());
        Shared { recorded_at_micros: self.recorded_at_micros, origin }
    }
}

/// Where each record of a block lies in it, in order, and what they share;
/// or why the block cannot be split (then none of its records can be read).
/// Each record is checked by its own checksum when decoded. Never panics,
/// whatever the bytes.
pub fn split_block(bytes: &[u8]) -> Result<Split, DecodeError> {
    let damaged = |what: String| Err(DecodeError::Block(what));
    if bytes.len() < BLOCK_HEAD {
        return damaged(format!("{} bytes, shorter than a block header", bytes.len()));
    }
    if bytes[0] != BLOCK_FORMAT && bytes[0] != BLOCK_FORMAT_3 {
        return damaged(format!("format {}, not {BLOCK_FORMAT_3} or {BLOCK_FORMAT}", bytes[0]));
    }
    let word =
        |at: usize| bytes.get(at..at + 4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    let count = word(1).expect("5 bytes") as usize;
    // Where the lengths start, and what the records share.
    let (lens_at, shared) = if bytes[0] == BLOCK_FORMAT_3 {
        (BLOCK_HEAD, None)
    } else {
        let Some((micros, origin_len)) = bytes.get(BLOCK_HEAD..BLOCK_HEAD + 12).map(|b| {
            (
                i64::from_le_bytes(b[..8].try_into().expect("8 bytes")),
                u32::from_le_bytes(b[8..].try_into().expect("4 bytes")),
            )
        }) else {
            return damaged(format!("{} bytes, shorter than a block header", bytes.len()));
        };
        let at = BLOCK_HEAD + 12;
        let (origin, lens_at) = if origin_len == NO_ORIGIN {
            (None, at)
        } else {
            let end = at.saturating_add(origin_len as usize);
            if end > bytes.len() {
                return damaged(format!(
                    "the header claims a {origin_len}-byte origin, more than {} bytes hold",
                    bytes.len()
                ));
            }
            (Some(at..end), end)
        };
        (lens_at, Some(SharedAt { recorded_at_micros: micros, origin }))
    };
    let Some(header) = count.checked_mul(4).and_then(|n| n.checked_add(lens_at)) else {
        return damaged(format!("the header claims {count} records"));
    };
    let Some(stored) = word(header) else {
        return damaged(format!(
            "the header claims {count} records, more than {} bytes hold",
            bytes.len()
        ));
    };
    let computed = crc32fast::hash(&bytes[..header]);
    if stored != computed {
        return damaged(format!(
            "header checksum mismatch (stored {stored:08x}, computed {computed:08x})"
        ));
    }
    if let Some(at) = shared.as_ref().and_then(|s| s.origin.clone()) {
        if let Err(e) = std::str::from_utf8(&bytes[at]) {
            return damaged(format!("its origin is not UTF-8: {e}"));
        }
    }
    let mut at = header + 4;
    let mut ranges = Vec::with_capacity(count);
    for i in 0..count {
        let len = word(lens_at + 4 * i).expect("inside the checked header") as usize;
        match at.checked_add(len).filter(|&end| end <= bytes.len()) {
            Some(end) => ranges.push(at..end),
            None => return damaged(format!("the records run past its {} bytes", bytes.len())),
        }
        at += len;
    }
    if at != bytes.len() {
        return damaged(format!("{} bytes follow the last record", bytes.len() - at));
    }
    Ok(Split { ranges, shared })
}

pub use snapshot::{
    decode_snapshot_header, decode_state, encode_snapshot, stored_checksum, SnapshotHeader,
    SNAPSHOT_FORMAT,
};

mod errors;
mod links;
mod snapshot;

pub use errors::{DecodeError, InvalidValue};

fn claim_code(c: Claim) -> u8 {
    match c {
        Claim::Confirmed => 0,
        Claim::Reported => 1,
        Claim::Claimed => 2,
        Claim::Disputed => 3,
    }
}

fn point_to_wire(p: Point) -> w::Point {
    w::Point {
        year: p.year(),
        month: p.month().unwrap_or(0),
        day: p.day().unwrap_or(0),
        qualifier: match p.qualifier() {
            Qualifier::Exact => 0,
            Qualifier::Uncertain => 1,
            Qualifier::Approximate => 2,
        },
    }
}

fn date_to_wire(d: Date) -> w::Date {
    w::Date { start: point_to_wire(d.start()), end: d.end().map(point_to_wire) }
}

fn index_of<T: PartialEq>(all: &[T], x: &T) -> u8 {
    all.iter().position(|k| k == x).expect("keyword in its own list") as u8
}

/// The text of an id (or of a `String`), borrowed.
fn s<T: Borrow<str>>(x: &T) -> &str {
    x.borrow()
}

fn ss<T: Borrow<str>>(xs: &[T]) -> Vec<&str> {
    xs.iter().map(s).collect()
}

fn os<T: Borrow<str>>(x: &Option<T>) -> Option<&str> {
    x.as_ref().map(s)
}

/// An entity's kind, model → wire.
fn entity_to_wire(kind: &EventKind) -> w::Kind<'_> {
    use EventKind as K;
    match kind {
        K::Source { title, publisher, published, url, release: None, covers: None } => {
            w::Kind::Source {
                title,
                publisher: publisher.as_deref(),
                published: published.map(date_to_wire),
                url: url.as_deref(),
            }
        }
        K::Source { title, publisher, published, url, release, covers } => w::Kind::SourceCovered {
            title,
            publisher: publisher.as_deref(),
            published: published.map(date_to_wire),
            url: url.as_deref(),
            release: release.as_deref(),
            covers: covers.map(date_to_wire),
        },
        K::Actor { name, aliases, kind } => w::Kind::Actor {
            name,
            aliases: ss(aliases),
            kind: kind.map(|k| index_of(ActorKind::ALL, &k)),
        },
        K::Place { name, aliases, kind, within, lat, lon } => w::Kind::Place {
            name,
            aliases: ss(aliases),
            kind: kind.map(|k| index_of(PlaceKind::ALL, &k)),
            within: os(within),
            lat: *lat,
            lon: *lon,
        },
        _ => unreachable!("called for entities only"),
    }
}

/// Model → wire. Total.
// long because it has one arm per event kind, mirroring `wire::v1::Kind`.
pub fn to_wire(e: &Event) -> w::Event<'_> {
    use EventKind as K;
    let kind = match &e.kind {
        K::Source { .. } | K::Actor { .. } | K::Place { .. } => entity_to_wire(&e.kind),
        K::MembershipBegan { member, group } => {
            w::Kind::MembershipBegan { member: s(member), group: s(group) }
        }
        K::MembershipEnded { member, group } => {
            w::Kind::MembershipEnded { member: s(member), group: s(group) }
        }
        K::AllianceFormed { actors, alliance } => {
            w::Kind::AllianceFormed { actors: ss(actors), alliance: os(alliance) }
        }
        K::AllianceEnded { actors, alliance } => {
            w::Kind::AllianceEnded { actors: ss(actors), alliance: os(alliance) }
        }
        K::HostilitiesBegan { actors: [a, b], fatalities: None } => {
            w::Kind::HostilitiesBegan { actors: [s(a), s(b)] }
        }
        K::HostilitiesEnded { actors: [a, b], fatalities: None } => {
            w::Kind::HostilitiesEnded { actors: [s(a), s(b)] }
        }
        K::HostilitiesBegan { actors: [a, b], fatalities: Some(f) } => {
            w::Kind::HostilitiesBeganCounted { actors: [s(a), s(b)], fatalities: counted(f) }
        }
        K::HostilitiesEnded { actors: [a, b], fatalities: Some(f) } => {
            w::Kind::HostilitiesEndedCounted { actors: [s(a), s(b)], fatalities: counted(f) }
        }
        K::AgreementSigned { agreement, name, signatories } => w::Kind::AgreementSigned {
            agreement: s(agreement),
            name: name.as_deref(),
            signatories: ss(signatories),
        },
        K::AgreementEnded { agreement, name, signatories } => w::Kind::AgreementEnded {
            agreement: s(agreement),
            name: name.as_deref(),
            signatories: ss(signatories),
        },
        K::Government { state, actor } => w::Kind::Government { state: s(state), actor: s(actor) },
        K::Coup { state, perpetrator, ousted, outcome } => w::Kind::Coup {
            state: s(state),
            perpetrator: s(perpetrator),
            ousted: os(ousted),
            outcome: index_of(CoupOutcome::ALL, outcome),
        },
        K::InterventionBegan { intervener, host, operation, supporting } => {
            w::Kind::InterventionBegan {
                intervener: s(intervener),
                host: s(host),
                operation: operation.as_deref(),
                supporting: os(supporting),
            }
        }
        K::InterventionEnded { intervener, host, operation, supporting } => {
            w::Kind::InterventionEnded {
                intervener: s(intervener),
                host: s(host),
                operation: operation.as_deref(),
                supporting: os(supporting),
            }
        }
        K::ControlTaken { place, actor, from } => {
            w::Kind::ControlTaken { place: s(place), actor: s(actor), from: os(from) }
        }
        K::ControlLost { place, actor } => {
            w::Kind::ControlLost { place: s(place), actor: s(actor) }
        }
        K::Attack { attacker, target, place, fatalities } => w::Kind::Attack {
            attacker: s(attacker),
            target: os(target),
            place: s(place),
            fatalities: *fatalities,
        },
        K::Retraction { retracts, reason, replaced_by: None } => {
            w::Kind::Retraction { retracts: s(retracts), reason }
        }
        K::Retraction { retracts, reason, replaced_by: Some(by) } => {
            w::Kind::Revision { retracts: s(retracts), reason, replaced_by: s(by) }
        }
        K::SameAs { linked: Linked::Actors(actors) } => {
            w::Kind::SameAs { actors: ss(actors), places: Vec::new() }
        }
        K::SameAs { linked: Linked::Places(places) } => {
            w::Kind::SameAs { actors: Vec::new(), places: ss(places) }
        }
        K::Identifiers { entity, ids } => {
            let (actor, place) = match entity {
                Entity::Actor(a) => (Some(s(a)), None),
                Entity::Place(p) => (None, Some(s(p))),
            };
            let ids = ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            w::Kind::Identifiers { actor, place, ids }
        }
        K::ActorDissolved { actor, into } => {
            w::Kind::ActorDissolved { actor: s(actor), into: os(into) }
        }
    };
    w::Event {
        id: s(&e.id),
        date: e.date.map(date_to_wire),
        sources: ss(&e.sources),
        claim: claim_code(e.claim),
        claimed_by: os(&e.claimed_by),
        note: e.note.as_deref(),
        kind,
    }
}

fn counted(f: &Fatalities) -> w::Fatalities {
    w::Fatalities { best: f.best, low: f.low, high: f.high }
}

type R<T> = Result<T, InvalidValue>;

/// Deaths read back.
fn fatalities(f: w::Fatalities) -> R<Option<Fatalities>> {
    Ok(Some(Fatalities { best: f.best, low: f.low, high: f.high }))
}

fn point_from_wire(p: w::Point) -> R<Point> {
    let qualifier = match p.qualifier {
        0 => Qualifier::Exact,
        1 => Qualifier::Uncertain,
        2 => Qualifier::Approximate,
        q => return Err(InvalidValue::DateQualifier(q)),
    };
    let month = (p.month != 0).then_some(p.month);
    let day = (p.day != 0).then_some(p.day);
    Point::new(p.year, month, day, qualifier).map_err(InvalidValue::Date)
}

fn date_from_wire(d: w::Date) -> R<Date> {
    Date::new(point_from_wire(d.start)?, d.end.map(point_from_wire).transpose()?)
        .map_err(InvalidValue::Date)
}

/// Makes an id of `x`, checked only the first time the interner sees it.
type Make<T> = fn(&str, &mut Interner) -> Result<T, annals_model::IdError>;

fn id<T>(new: Make<T>, x: &str, interner: &mut Interner) -> R<T> {
    Ok(new(x, interner)?)
}

fn ids<T>(new: Make<T>, xs: Vec<&str>, interner: &mut Interner) -> R<Vec<T>> {
    xs.into_iter().map(|x| id(new, x, interner)).collect()
}

fn oid<T>(new: Make<T>, x: Option<&str>, interner: &mut Interner) -> R<Option<T>> {
    x.map(|x| id(new, x, interner)).transpose()
}

fn owned(xs: Vec<&str>) -> Vec<String> {
    xs.into_iter().map(str::to_string).collect()
}

/// An event id is not shared: it names one record. An entity's event
/// (`source`, `actor`, `place`) is interned instead, so that the entity's id
/// is the very text every reference to it holds (replay then finds what a
/// reference names by comparing pointers, not texts).
fn event_id(x: &str, _: &mut Interner) -> Result<EventId, annals_model::IdError> {
    EventId::new(x)
}

/// A place's coordinate, refused where import would refuse it.
fn coordinate(x: Option<f64>, limit: f64, what: &'static str) -> R<Option<f64>> {
    match x {
        Some(x) if !is_coordinate(x, limit) => {
            Err(InvalidValue::Coordinate { what, value: x.to_string(), limit: limit.to_string() })
        }
        _ => Ok(x),
    }
}

fn keyword<T: Copy>(all: &[T], code: u8, what: &'static str) -> R<T> {
    all.get(usize::from(code)).copied().ok_or(InvalidValue::Code { what, code })
}

/// An entity's kind, wire → model.
fn entity_from_wire(kind: w::Kind<'_>, i: &mut Interner) -> R<EventKind> {
    use w::Kind as W;
    Ok(match kind {
        W::Source { title, publisher, published, url } => EventKind::Source {
            title: title.to_string(),
            publisher: publisher.map(str::to_string),
            published: published.map(date_from_wire).transpose()?,
            url: url.map(str::to_string),
            release: None,
            covers: None,
        },
        W::SourceCovered { title, publisher, published, url, release, covers } => {
            EventKind::Source {
                title: title.to_string(),
                publisher: publisher.map(str::to_string),
                published: published.map(date_from_wire).transpose()?,
                url: url.map(str::to_string),
                release: release.map(str::to_string),
                covers: covers.map(date_from_wire).transpose()?,
            }
        }
        W::Actor { name, aliases, kind } => EventKind::Actor {
            name: name.to_string(),
            aliases: owned(aliases),
            kind: kind.map(|k| keyword(ActorKind::ALL, k, "actor kind")).transpose()?,
        },
        W::Place { name, aliases, kind, within, lat, lon } => EventKind::Place {
            name: name.to_string(),
            aliases: owned(aliases),
            kind: kind.map(|k| keyword(PlaceKind::ALL, k, "place kind")).transpose()?,
            within: oid(PlaceId::interned, within, i)?,
            lat: coordinate(lat, LATITUDE_LIMIT, "latitude")?,
            lon: coordinate(lon, LONGITUDE_LIMIT, "longitude")?,
        },
        _ => unreachable!("called for entities only"),
    })
}

/// Hostilities, wire → model.
fn hostilities_from_wire(kind: w::Kind<'_>, i: &mut Interner) -> R<EventKind> {
    use w::Kind as W;
    let a = ActorId::interned;
    Ok(match kind {
        W::HostilitiesBegan { actors: [x, y] } => {
            EventKind::HostilitiesBegan { actors: [id(a, x, i)?, id(a, y, i)?], fatalities: None }
        }
        W::HostilitiesEnded { actors: [x, y] } => {
            EventKind::HostilitiesEnded { actors: [id(a, x, i)?, id(a, y, i)?], fatalities: None }
        }
        W::HostilitiesBeganCounted { actors: [x, y], fatalities: f } => {
            EventKind::HostilitiesBegan {
                actors: [id(a, x, i)?, id(a, y, i)?],
                fatalities: fatalities(f)?,
            }
        }
        W::HostilitiesEndedCounted { actors: [x, y], fatalities: f } => {
            EventKind::HostilitiesEnded {
                actors: [id(a, x, i)?, id(a, y, i)?],
                fatalities: fatalities(f)?,
            }
        }
        _ => unreachable!("called for hostilities only"),
    })
}

/// Wire → model, validating every value (ids, dates, codes).
// long because it has one arm per stored variant of `wire::v1::Kind`.
pub fn from_wire(e: w::Event<'_>, interner: &mut Interner) -> R<Event> {
    use w::Kind as W;
    let a = ActorId::interned;
    let i = interner;
    let event: Make<EventId> = match e.kind {
        W::Source { .. } | W::SourceCovered { .. } | W::Actor { .. } | W::Place { .. } => {
            EventId::interned
        }
        _ => event_id,
    };
    let kind = match e.kind {
        W::Source { .. } | W::SourceCovered { .. } | W::Actor { .. } | W::Place { .. } => {
            entity_from_wire(e.kind, i)?
        }
        W::MembershipBegan { member, group } => {
            EventKind::MembershipBegan { member: id(a, member, i)?, group: id(a, group, i)? }
        }
        W::MembershipEnded { member, group } => {
            EventKind::MembershipEnded { member: id(a, member, i)?, group: id(a, group, i)? }
        }
        W::AllianceFormed { actors, alliance } => {
            EventKind::AllianceFormed { actors: ids(a, actors, i)?, alliance: oid(a, alliance, i)? }
        }
        W::AllianceEnded { actors, alliance } => {
            EventKind::AllianceEnded { actors: ids(a, actors, i)?, alliance: oid(a, alliance, i)? }
        }
        W::HostilitiesBegan { .. }
        | W::HostilitiesEnded { .. }
        | W::HostilitiesBeganCounted { .. }
        | W::HostilitiesEndedCounted { .. } => hostilities_from_wire(e.kind, i)?,
        W::AgreementSigned { agreement, name, signatories } => EventKind::AgreementSigned {
            agreement: id(AgreementId::interned, agreement, i)?,
            name: name.map(str::to_string),
            signatories: ids(a, signatories, i)?,
        },
        W::AgreementEnded { agreement, name, signatories } => EventKind::AgreementEnded {
            agreement: id(AgreementId::interned, agreement, i)?,
            name: name.map(str::to_string),
            signatories: ids(a, signatories, i)?,
        },
        W::Government { state, actor } => {
            EventKind::Government { state: id(a, state, i)?, actor: id(a, actor, i)? }
        }
        W::Coup { state, perpetrator, ousted, outcome } => EventKind::Coup {
            state: id(a, state, i)?,
            perpetrator: id(a, perpetrator, i)?,
            ousted: oid(a, ousted, i)?,
            outcome: keyword(CoupOutcome::ALL, outcome, "coup outcome")?,
        },
        W::InterventionBegan { intervener, host, operation, supporting } => {
            EventKind::InterventionBegan {
                intervener: id(a, intervener, i)?,
                host: id(a, host, i)?,
                operation: operation.map(str::to_string),
                supporting: oid(a, supporting, i)?,
            }
        }
        W::InterventionEnded { intervener, host, operation, supporting } => {
            EventKind::InterventionEnded {
                intervener: id(a, intervener, i)?,
                host: id(a, host, i)?,
                operation: operation.map(str::to_string),
                supporting: oid(a, supporting, i)?,
            }
        }
        W::ControlTaken { place, actor, from } => EventKind::ControlTaken {
            place: id(PlaceId::interned, place, i)?,
            actor: id(a, actor, i)?,
            from: oid(a, from, i)?,
        },
        W::ControlLost { place, actor } => EventKind::ControlLost {
            place: id(PlaceId::interned, place, i)?,
            actor: id(a, actor, i)?,
        },
        W::Attack { attacker, target, place, fatalities } => EventKind::Attack {
            attacker: id(a, attacker, i)?,
            target: oid(a, target, i)?,
            place: id(PlaceId::interned, place, i)?,
            fatalities,
        },
        W::Retraction { retracts, reason } => EventKind::Retraction {
            retracts: id(event_id, retracts, i)?,
            reason: reason.to_string(),
            replaced_by: None,
        },
        W::Revision { retracts, reason, replaced_by } => EventKind::Retraction {
            retracts: id(event_id, retracts, i)?,
            reason: reason.to_string(),
            replaced_by: Some(id(event_id, replaced_by, i)?),
        },
        W::SameAs { actors, places } => {
            EventKind::SameAs { linked: links::linked(actors, places, i)? }
        }
        W::Identifiers { actor, place, ids } => links::identifiers(actor, place, ids, i)?,
        W::ActorDissolved { actor, into } => {
            EventKind::ActorDissolved { actor: id(a, actor, i)?, into: oid(a, into, i)? }
        }
    };
    Ok(Event {
        id: id(event, e.id, i)?,
        date: e.date.map(date_from_wire).transpose()?,
        sources: ids(SourceId::interned, e.sources, i)?,
        claim: keyword(&Claim::ALL, e.claim, "claim")?,
        claimed_by: oid(a, e.claimed_by, i)?,
        note: e.note.map(str::to_string),
        kind,
    })
}
