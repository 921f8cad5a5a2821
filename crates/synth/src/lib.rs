//! A deterministic, ACLED-shaped synthetic event log, for benchmarks and scale
//! tests of annals.
//!
//! The generator is pure: it produces [`Event`]s ([`events`]) or writes them as
//! lines of interchange format v1 to any [`Write`] ([`write_jsonl`]). The same
//! count and seed always give the same events and the same bytes, on every
//! platform (the PRNG is SplitMix64 and every weight is integer arithmetic or a
//! correctly rounded float operation).
//!
//! What a log holds, in this order:
//! - `source`s (about count/100), `actor`s (about count/50 non-state actors plus
//!   six per state: the state, its armed force and four governments; some
//!   coalitions, PMCs, missions and international organisations) and `place`s
//!   (one country per state, regions, and about count/200 towns, bases and sites
//!   within them);
//! - one `government` per state on 1997-01-01;
//! - dated events from 1997 to 2025, denser in later years: `control_taken` and
//!   `control_lost` (about 38%), `attack`s (about 47%), memberships of
//!   coalitions, alliances, hostilities, interventions, agreements, a few coups,
//!   and retractions (about 0.5%) of earlier control events, never of
//!   retractions.
//!
//! Places and actors are picked with a Zipf law (weight of rank *k* ∝ 1/*k*):
//! a few places change hands very often, most rarely. Dates mix precisions
//! (day, month, year, `~`, `?`, intervals `A/B`) and claims mix statuses
//! (`confirmed`, `reported`, `claimed` with `claimed_by`, `disputed`). Every
//! reference names an entity or event earlier in the log, so the output imports
//! cleanly with `annals import`.
//!
//! ```
//! let mut out = Vec::new();
//! let summary = annals_synth::write_jsonl(&mut out, 1_000, 7).unwrap();
//! assert_eq!(summary.events, 1_000);
//! assert!(summary.count("control_taken") > 0);
//! let text = String::from_utf8(out).unwrap();
//! assert_eq!(text.lines().count(), 1_000);
//! ```

use std::collections::HashSet;
use std::io::{self, Write};

use annals_model::{
    v1, ActorId, ActorKind, Claim, Date, Event, EventId, EventKind, PlaceId, PlaceKind, Point,
    Qualifier, SourceId,
};
use chrono::{Datelike, NaiveDate};

mod dated;

/// Generates `count` events from `seed` with the default [`Config`].
pub fn events(count: u64, seed: u64) -> impl Iterator<Item = Event> {
    Config::new(count, seed).generate()
}

/// Writes `count` events from `seed` (default [`Config`]) as lines of
/// interchange format v1 and returns what was written. `out` needs no buffering
/// of its own: lines are written in chunks of about 64 KiB.
pub fn write_jsonl(out: &mut impl Write, count: u64, seed: u64) -> io::Result<Summary> {
    Config::new(count, seed).write_jsonl(out)
}

/// The knobs of the generator. [`Config::new`] scales them from the event count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// How many events (lines) in all, entities included. When the count is
    /// smaller than the entities alone, the log is cut after `events` lines.
    pub events: u64,
    /// The seed of the PRNG.
    pub seed: u64,
    /// Number of `source`s.
    pub sources: u32,
    /// Number of states; each brings six actors and one country.
    pub states: u32,
    /// Number of non-state actors (armed groups, coalitions, PMCs, missions,
    /// international organisations).
    pub groups: u32,
    /// Number of regions (places within a country).
    pub regions: u32,
    /// Number of towns, bases and sites: the places that change hands.
    pub places: u32,
    /// Retractions per thousand dated events.
    pub retractions_per_mille: u32,
}

impl Config {
    /// The default shape for `events` events: about events/100 sources,
    /// events/50 non-state actors, events/20 000 states (2 to 50),
    /// events/4 000 regions and events/200 towns, bases and sites (at least 4).
    pub fn new(events: u64, seed: u64) -> Config {
        let scaled = |div: u64, min: u64, max: u64| (events / div).clamp(min, max) as u32;
        Config {
            events,
            seed,
            sources: scaled(100, 2, 50_000),
            states: scaled(20_000, 2, 50),
            groups: scaled(50, 6, 100_000),
            regions: scaled(4_000, 1, 2_000),
            places: scaled(200, 4, 1_000_000),
            retractions_per_mille: 5,
        }
    }

    /// The events of this configuration.
    pub fn generate(&self) -> Synth {
        Synth::new(self.clone())
    }

    /// Writes the events of this configuration as interchange format v1.
    pub fn write_jsonl(&self, out: &mut impl Write) -> io::Result<Summary> {
        let mut summary = Summary::default();
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
        for event in self.generate() {
            let line = v1::to_line(&event);
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
            summary.add(&event, line.len() as u64 + 1);
            if buf.len() >= 1 << 16 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)?;
        out.flush()?;
        Ok(summary)
    }
}

/// What [`write_jsonl`] wrote: events in all, bytes, and a count per `type`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Lines written.
    pub events: u64,
    /// Bytes written, newlines included.
    pub bytes: u64,
    by_type: [u64; 19],
}

impl Summary {
    fn add(&mut self, event: &Event, bytes: u64) {
        self.events += 1;
        self.bytes += bytes;
        let ty = event.kind.type_name();
        let i = v1::TYPES.iter().position(|t| *t == ty).expect("every type is in TYPES");
        self.by_type[i] += 1;
    }

    /// How many events of this interchange `type` (`control_taken`, `attack` …).
    pub fn count(&self, type_name: &str) -> u64 {
        v1::TYPES.iter().position(|t| *t == type_name).map_or(0, |i| self.by_type[i])
    }

    /// Every `type` with its count, in the order of [`v1::TYPES`], zeros included.
    pub fn by_type(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        v1::TYPES.iter().copied().zip(self.by_type.iter().copied())
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} events, {} bytes", self.events, self.bytes)?;
        for (ty, n) in self.by_type().filter(|(_, n)| *n > 0) {
            write!(f, "\n  {ty:<20} {n:>10}")?;
        }
        Ok(())
    }
}

/// SplitMix64: a small, fast, well-mixed PRNG (Steele, Lea and Flood 2014).
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-high (bias below 2^-40 here).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// An index into a non-empty slice.
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }
}

/// A Zipf law over `0..n`: rank `k` has weight 1/(k+1), in integers, mapped to
/// items through a random permutation so that the popular items are scattered.
#[derive(Clone, Debug)]
struct Zipf {
    cumulative: Vec<u64>,
    order: Vec<u32>,
}

impl Zipf {
    fn new(n: usize, rng: &mut SplitMix64) -> Zipf {
        const SCALE: u64 = 1 << 32;
        let mut total = 0u64;
        let cumulative = (0..n as u64)
            .map(|k| {
                total += SCALE / (k + 1);
                total
            })
            .collect();
        let mut order: Vec<u32> = (0..n as u32).collect();
        for i in (1..order.len()).rev() {
            let j = rng.index(i + 1);
            order.swap(i, j);
        }
        Zipf { cumulative, order }
    }

    fn sample(&self, rng: &mut SplitMix64) -> usize {
        let total = *self.cumulative.last().expect("a non-empty law");
        let u = rng.below(total);
        let rank = self.cumulative.partition_point(|&c| c <= u);
        self.order[rank] as usize
    }
}

/// Actors per state: the state, its armed force and four governments.
const PER_STATE: u32 = 6;
const GOVERNMENTS: u32 = 4;

/// Dated event types and their weights per 10 000 dated events. Retractions
/// come from [`Config::retractions_per_mille`]; whatever cannot be generated
/// (an end with nothing to end) becomes an attack.
const MIX: &[(Kind, u64)] = &[
    (Kind::ControlTaken, 3000),
    (Kind::ControlLost, 800),
    (Kind::MembershipBegan, 250),
    (Kind::MembershipEnded, 150),
    (Kind::AllianceFormed, 150),
    (Kind::AllianceEnded, 80),
    (Kind::HostilitiesBegan, 150),
    (Kind::HostilitiesEnded, 80),
    (Kind::InterventionBegan, 60),
    (Kind::InterventionEnded, 30),
    (Kind::AgreementSigned, 40),
    (Kind::AgreementEnded, 20),
    (Kind::Coup, 3),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    ControlTaken,
    ControlLost,
    Attack,
    MembershipBegan,
    MembershipEnded,
    AllianceFormed,
    AllianceEnded,
    HostilitiesBegan,
    HostilitiesEnded,
    InterventionBegan,
    InterventionEnded,
    AgreementSigned,
    AgreementEnded,
    Coup,
    Retraction,
}

const SYLLABLES: [&str; 16] = [
    "ka", "ba", "ri", "to", "mu", "sa", "ne", "lo", "di", "go", "ha", "ze", "pu", "fa", "wi", "yo",
];

/// A pronounceable name, distinct for each `n`: `n + 16` written in base 16 with syllables.
fn word(n: u64) -> String {
    let mut n = n + 16;
    let mut parts = Vec::new();
    while n > 0 {
        parts.push(SYLLABLES[(n % 16) as usize]);
        n /= 16;
    }
    let mut s: String = parts.into_iter().rev().collect();
    s[..1].make_ascii_uppercase();
    s
}

const PUBLISHERS: [&str; 6] = [
    "Agence Synthétique de Presse",
    "The Daily Sample",
    "Radio Échantillon",
    "Field Monitor",
    "Crisis Wire",
    "Local Observer Network",
];

const REASONS: [&str; 4] = [
    "synthetic correction: misattributed actor",
    "synthetic correction: wrong place",
    "synthetic correction: the source withdrew the report",
    "synthetic correction: duplicate of another report",
];

/// The first and last valid days of the generated dates.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1997, 1, 1).expect("a date")
}
fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date")
}

fn slug<T>(s: String, make: impl Fn(String) -> Result<T, annals_model::IdError>) -> T {
    make(s).expect("generated ids are slugs")
}

/// The generator: an iterator over the events of one [`Config`].
#[derive(Debug)]
pub struct Synth {
    cfg: Config,
    rng: SplitMix64,
    /// Ordinal of the next event (0-based line number).
    next: u64,
    /// Where each section of the log begins, in ordinals.
    actors_at: u64,
    places_at: u64,
    governments_at: u64,
    dated_at: u64,
    dated: u64,
    sources: Vec<SourceId>,
    actors: Vec<ActorId>,
    actor_kinds: Vec<ActorKind>,
    /// Countries, then regions, then towns, bases and sites.
    places: Vec<PlaceId>,
    /// Actors that take and lose places and attack.
    combatants: Vec<u32>,
    coalitions: Vec<u32>,
    /// Armed forces, PMCs and missions.
    interveners: Vec<u32>,
    pick_source: Zipf,
    pick_combatant: Zipf,
    pick_place: Zipf,
    /// The holder of each town, base or site (an actor index), as generated.
    holder: Vec<Option<u32>>,
    /// The governing government (0..GOVERNMENTS) of each state.
    governing: Vec<u32>,
    memberships: Vec<(u32, u32)>,
    alliances: Vec<(Vec<u32>, Option<u32>)>,
    hostilities: Vec<[u32; 2]>,
    interventions: Vec<(u32, u32, Option<String>, Option<u32>)>,
    agreements: Vec<u64>,
    next_agreement: u64,
    /// Ordinals of every control event so far, and those already retracted.
    control: Vec<u64>,
    retracted: HashSet<u64>,
}

impl Synth {
    fn new(cfg: Config) -> Synth {
        let mut rng = SplitMix64::new(cfg.seed);
        let states = cfg.states.max(1);
        let sources: Vec<SourceId> =
            (0..cfg.sources.max(1)).map(|i| slug(format!("src-{i}"), SourceId::new)).collect();

        let mut actors = Vec::new();
        let mut actor_kinds = Vec::new();
        let mut combatants = Vec::new();
        let mut coalitions = Vec::new();
        let mut interveners = Vec::new();
        for s in 0..states {
            let base = actors.len() as u32;
            actors.push(slug(format!("st-{s}"), ActorId::new));
            actor_kinds.push(ActorKind::State);
            actors.push(slug(format!("af-{s}"), ActorId::new));
            actor_kinds.push(ActorKind::ArmedForce);
            combatants.push(base + 1);
            interveners.push(base + 1);
            for g in 0..GOVERNMENTS {
                actors.push(slug(format!("gov-{s}-{g}"), ActorId::new));
                actor_kinds.push(ActorKind::Government);
            }
        }
        for n in 0..cfg.groups.max(2) {
            let index = actors.len() as u32;
            let (prefix, kind) = match n % 100 {
                0 | 25 | 50 | 75 => ("coal", ActorKind::Coalition),
                7 | 57 => ("pmc", ActorKind::Pmc),
                13 | 63 => ("mis", ActorKind::Mission),
                29 => ("io", ActorKind::InternationalOrg),
                _ => ("grp", ActorKind::ArmedGroup),
            };
            actors.push(slug(format!("{prefix}-{n}"), ActorId::new));
            actor_kinds.push(kind);
            match kind {
                ActorKind::Coalition => coalitions.push(index),
                ActorKind::Pmc => {
                    combatants.push(index);
                    interveners.push(index);
                }
                ActorKind::Mission => interveners.push(index),
                ActorKind::ArmedGroup => combatants.push(index),
                _ => {}
            }
        }

        let mut places = Vec::new();
        for s in 0..states {
            places.push(slug(format!("cty-{s}"), PlaceId::new));
        }
        for r in 0..cfg.regions.max(1) {
            places.push(slug(format!("reg-{r}"), PlaceId::new));
        }
        for p in 0..cfg.places.max(1) {
            places.push(slug(format!("pl-{p}"), PlaceId::new));
        }
        let locations = cfg.places.max(1) as usize;

        let pick_source = Zipf::new(sources.len(), &mut rng);
        let pick_combatant = Zipf::new(combatants.len(), &mut rng);
        let pick_place = Zipf::new(locations, &mut rng);

        let actors_at = sources.len() as u64;
        let places_at = actors_at + actors.len() as u64;
        let governments_at = places_at + places.len() as u64;
        let dated_at = governments_at + u64::from(states);
        let dated = cfg.events.saturating_sub(dated_at);
        Synth {
            rng,
            next: 0,
            actors_at,
            places_at,
            governments_at,
            dated_at,
            dated,
            sources,
            actors,
            actor_kinds,
            places,
            combatants,
            coalitions,
            interveners,
            pick_source,
            pick_combatant,
            pick_place,
            holder: vec![None; locations],
            governing: vec![0; states as usize],
            memberships: Vec::new(),
            alliances: Vec::new(),
            hostilities: Vec::new(),
            interventions: Vec::new(),
            agreements: Vec::new(),
            next_agreement: 0,
            control: Vec::new(),
            retracted: HashSet::new(),
            cfg,
        }
    }

    fn states(&self) -> u32 {
        self.cfg.states.max(1)
    }

    fn actor(&self, index: u32) -> ActorId {
        self.actors[index as usize].clone()
    }

    fn state_actor(&self, state: u32) -> u32 {
        state * PER_STATE
    }

    fn government_actor(&self, state: u32, government: u32) -> u32 {
        state * PER_STATE + 2 + government
    }

    fn combatant(&mut self) -> u32 {
        self.combatants[self.pick_combatant.sample(&mut self.rng)]
    }

    /// A combatant other than `not`.
    fn combatant_except(&mut self, not: Option<u32>) -> u32 {
        let a = self.combatant();
        if Some(a) != not {
            return a;
        }
        let i = self.combatants.iter().position(|&c| c == a).expect("a combatant");
        self.combatants[(i + 1) % self.combatants.len()]
    }

    /// Up to `n` distinct combatants (fewer only if there are not that many).
    fn distinct_combatants(&mut self, n: usize) -> Vec<u32> {
        let want = n.min(self.combatants.len());
        let mut out: Vec<u32> = Vec::with_capacity(want);
        let mut tries = 0;
        while out.len() < want {
            // The Zipf law makes repeats likely; after a few, take any.
            let a = if tries < 20 {
                self.combatant()
            } else {
                self.combatants[self.rng.index(self.combatants.len())]
            };
            if !out.contains(&a) {
                out.push(a);
            }
            tries += 1;
        }
        out
    }

    fn entity(&self, id: &str, kind: EventKind) -> Event {
        Event {
            id: slug(id.to_string(), EventId::new),
            date: None,
            sources: Vec::new(),
            claim: Claim::Reported,
            claimed_by: None,
            note: None,
            kind,
        }
    }

    fn source(&mut self, i: usize) -> Event {
        let published = Date::day(self.day_between(first_day(), last_day()));
        let publisher = PUBLISHERS[self.rng.index(PUBLISHERS.len())].to_string();
        let url = self.rng.chance(50).then(|| format!("https://example.org/reports/{i}"));
        let kind = EventKind::Source {
            title: format!("Synthetic report {i}"),
            publisher: Some(publisher),
            published: Some(published),
            url,
            release: None,
            covers: None,
        };
        self.entity(self.sources[i].as_str(), kind)
    }

    fn actor_entity(&mut self, i: usize) -> Event {
        let kind = self.actor_kinds[i];
        let id = self.actors[i].as_str().to_string();
        let number = i as u64;
        let name = match kind {
            ActorKind::State => format!("Republic of {}", word(number)),
            ActorKind::ArmedForce => format!("Armed Forces of {}", word(number - 1)),
            ActorKind::Government => format!("Government {}", word(number)),
            ActorKind::Coalition => format!("{} Coalition", word(number)),
            ActorKind::Pmc => format!("{} Security Group", word(number)),
            ActorKind::Mission => format!("{} Stabilisation Mission", word(number)),
            ActorKind::InternationalOrg => format!("{} Union", word(number)),
            _ => format!("{} Liberation Front", word(number)),
        };
        let aliases = if self.rng.chance(10) {
            vec![format!("{} {}", word(number).to_uppercase(), number)]
        } else {
            Vec::new()
        };
        self.entity(&id, EventKind::Actor { name, aliases, kind: Some(kind) })
    }

    fn place_entity(&mut self, i: usize) -> Event {
        let states = self.states() as usize;
        let regions = self.cfg.regions.max(1) as usize;
        let id = self.places[i].as_str().to_string();
        let (name, kind, within) = if i < states {
            (format!("Land of {}", word(i as u64)), PlaceKind::Country, None)
        } else if i < states + regions {
            let country = self.rng.index(states);
            (format!("{} Region", word(i as u64)), PlaceKind::Region, Some(country))
        } else {
            let region = states + self.rng.index(regions);
            let kind = [PlaceKind::Town, PlaceKind::Town, PlaceKind::Base, PlaceKind::Site]
                [self.rng.index(4)];
            let name = match kind {
                PlaceKind::Base => format!("Camp {}", word(i as u64)),
                PlaceKind::Site => format!("{} Crossing", word(i as u64)),
                _ => word(i as u64),
            };
            (name, kind, Some(region))
        };
        // Four decimals, divided last so that the text is exactly four decimals.
        let lat = Some((self.rng.below(200_000) as i64 + 50_000) as f64 / 10_000.0);
        let lon = Some((self.rng.below(550_000) as i64 - 150_000) as f64 / 10_000.0);
        let kind = EventKind::Place {
            name,
            aliases: Vec::new(),
            kind: Some(kind),
            within: within.map(|w| self.places[w].clone()),
            lat,
            lon,
        };
        self.entity(&id, kind)
    }

    fn day_between(&mut self, a: NaiveDate, b: NaiveDate) -> NaiveDate {
        let span = (b - a).num_days().max(0) as u64;
        a + chrono::Days::new(self.rng.below(span + 1))
    }

    /// The day of dated event `j` of `dated`: later years are denser (the
    /// offset grows like (f + √f)/2 of the span), with a month of jitter.
    fn day_of(&mut self, j: u64) -> NaiveDate {
        let span = (last_day() - first_day()).num_days();
        let f = j as f64 / self.dated.max(1) as f64;
        let offset = (span as f64 * (f + f.sqrt()) / 2.0) as i64;
        let jitter = self.rng.below(61) as i64 - 30;
        let days = (offset + jitter).clamp(0, span);
        first_day() + chrono::Days::new(days as u64)
    }

    /// A date around `day`, at a random precision.
    fn date_around(&mut self, day: NaiveDate) -> Date {
        let (y, m, d) = (day.year() as u16, day.month() as u8, day.day() as u8);
        let point = |m: Option<u8>, d: Option<u8>, q| Point::new(y, m, d, q).expect("a real day");
        let r = self.rng.below(100);
        let (start, end) = match r {
            0..=67 => (point(Some(m), Some(d), Qualifier::Exact), None),
            68..=73 => (point(Some(m), Some(d), Qualifier::Approximate), None),
            74..=77 => (point(Some(m), Some(d), Qualifier::Uncertain), None),
            78..=89 => (point(Some(m), None, Qualifier::Exact), None),
            90 => (point(Some(m), None, Qualifier::Approximate), None),
            91 => (point(Some(m), None, Qualifier::Uncertain), None),
            92..=94 => (point(None, None, Qualifier::Exact), None),
            95 => (point(None, None, Qualifier::Uncertain), None),
            _ => {
                let later = day + chrono::Days::new(1 + self.rng.below(60));
                let end = Point::new(
                    later.year() as u16,
                    Some(later.month() as u8),
                    Some(later.day() as u8),
                    Qualifier::Exact,
                )
                .expect("a real day");
                (point(Some(m), Some(d), Qualifier::Exact), Some(end))
            }
        };
        Date::new(start, end).expect("intervals run forwards")
    }

    /// A dated event with sources, a claim and sometimes a note. A `claimed`
    /// event is claimed by `party`.
    fn dated_event(&mut self, ordinal: u64, day: NaiveDate, party: u32, kind: EventKind) -> Event {
        let date = self.date_around(day);
        let n = match self.rng.below(100) {
            0..=4 => 0,
            5..=84 => 1,
            _ => 2,
        };
        let mut sources: Vec<SourceId> = Vec::with_capacity(n);
        for _ in 0..n {
            let s = self.sources[self.pick_source.sample(&mut self.rng)].clone();
            if !sources.contains(&s) {
                sources.push(s);
            }
        }
        let claim = match self.rng.below(100) {
            0..=19 => Claim::Confirmed,
            20..=69 => Claim::Reported,
            70..=87 => Claim::Claimed,
            _ => Claim::Disputed,
        };
        let claimed_by = (claim == Claim::Claimed).then(|| self.actor(party));
        let note = self.rng.chance(3).then(|| "synthetic event".to_string());
        Event {
            id: slug(format!("syn-{ordinal}"), EventId::new),
            date: Some(date),
            sources,
            claim,
            claimed_by,
            note,
            kind,
        }
    }

    fn government_start(&mut self, ordinal: u64, state: u32) -> Event {
        let kind = EventKind::Government {
            state: self.actor(self.state_actor(state)),
            actor: self.actor(self.government_actor(state, 0)),
        };
        let mut e = self.dated_event(ordinal, first_day(), self.state_actor(state), kind);
        e.date = Some(Date::day(first_day()));
        e
    }

    fn pick_kind(&mut self) -> Kind {
        let retractions = u64::from(self.cfg.retractions_per_mille) * 10;
        let r = self.rng.below(10_000);
        if r < retractions {
            return Kind::Retraction;
        }
        let mut acc = retractions;
        for &(kind, weight) in MIX {
            acc += weight;
            if r < acc {
                return kind;
            }
        }
        Kind::Attack
    }

    fn dated_at_ordinal(&mut self, ordinal: u64) -> Event {
        let j = ordinal - self.dated_at;
        let day = self.day_of(j);
        let kind = self.pick_kind();
        if let Some(e) = self.try_kind(kind, ordinal, day) {
            return e;
        }
        self.try_kind(Kind::Attack, ordinal, day).expect("an attack is always possible")
    }
}

impl Iterator for Synth {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        let ordinal = self.next;
        if ordinal >= self.cfg.events {
            return None;
        }
        self.next += 1;
        let event = if ordinal < self.actors_at {
            self.source(ordinal as usize)
        } else if ordinal < self.places_at {
            self.actor_entity((ordinal - self.actors_at) as usize)
        } else if ordinal < self.governments_at {
            self.place_entity((ordinal - self.places_at) as usize)
        } else if ordinal < self.dated_at {
            self.government_start(ordinal, (ordinal - self.governments_at) as u32)
        } else {
            self.dated_at_ordinal(ordinal)
        };
        Some(event)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.cfg.events - self.next) as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Synth {}
