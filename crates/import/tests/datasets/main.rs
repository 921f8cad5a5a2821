//! The dataset importers on the real files of `shared/data`, read in place
//! (never copied into the repository: their terms do not allow it), and on
//! small synthetic files written here. The tests that need the real files
//! skip, saying so, when that folder is absent.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::PathBuf;

use annals_import::{check, read, Catalog, Format, Imported, LineError, SecondPass};
use annals_model::{Event, RefKind};
use annals_replay::World;

mod alliances;
mod coups;
mod props;
mod states;
mod together;
mod ucdp;
mod wars;

/// Where the real data files are: `ANNALS_DATA`, else `shared/data` beside
/// the checkout (or beside the folder of worktrees that holds it).
fn data_dir() -> Option<PathBuf> {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let candidates = std::env::var_os("ANNALS_DATA").map(PathBuf::from).into_iter().chain(
        [format!("{manifest}/../../../shared/data"), format!("{manifest}/../../../../shared/data")]
            .map(PathBuf::from),
    );
    let found = candidates.into_iter().find(|p| p.is_dir());
    if found.is_none() {
        eprintln!(
            "skipped: no shared/data folder (set ANNALS_DATA), so the real files cannot be read"
        );
    }
    found
}

/// The bytes of a real data file, or `None` when the folder is absent.
fn data(name: &str) -> Option<Vec<u8>> {
    let path = data_dir()?.join(name);
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Imports bytes into an empty log; panics with the errors.
fn import(format: Format, name: &str, bytes: &[u8]) -> Imported {
    read(format, name, bytes, &Catalog::empty()).unwrap_or_else(|errors| {
        let shown: Vec<String> = errors.iter().take(5).map(|e| e.to_string()).collect();
        panic!("{name} did not import:\n{}", shown.join("\n"))
    })
}

/// The errors of bytes that must be refused.
fn refused(format: Format, name: &str, bytes: &[u8]) -> Vec<String> {
    match read(format, name, bytes, &Catalog::empty()) {
        Ok(imported) => panic!("{name} was accepted: {} events", imported.events.len()),
        Err(errors) => errors.iter().map(LineError::to_string).collect(),
    }
}

/// Events by type, entities included.
fn by_type(events: &[Event]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for e in events {
        *out.entry(e.kind.type_name()).or_default() += 1;
    }
    out
}

fn skipped(imported: &Imported) -> usize {
    imported.skipped.iter().map(|(_, n)| n).sum()
}

/// What every importer promises of a file it accepts: the second pass
/// gives the same events with the first pass's checksum; reading the file
/// again against a log that holds its events creates no entity and gives
/// the same events, so storing it twice stores it once.
fn reads_again_the_same(format: Format, name: &str, bytes: &[u8], first: &Imported) {
    identified(name, first);
    let checked =
        check(format, name, Cursor::new(bytes), &Catalog::empty(), |_, _| Ok(())).unwrap();
    assert_eq!(checked.events as usize, first.events.len(), "{name}");
    let mut again = checked.events_again(name, Cursor::new(bytes)).unwrap();
    let events: Vec<(usize, Event)> = again.by_ref().map(|r| r.unwrap()).collect();
    assert_eq!(again.checksum(), checked.checksum, "{name}: checksum");
    let lines: Vec<usize> = events.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, first.lines, "{name}: lines");
    let events: Vec<Event> = events.into_iter().map(|(_, e)| e).collect();
    assert_eq!(events, first.events, "{name}: second pass");
    let stored: std::collections::HashMap<&str, RefKind> =
        first.events.iter().map(|e| (e.id.as_str(), kind_of(e))).collect();
    let exists = |kind: RefKind, id: &str| match stored.get(id) {
        Some(k) => kind == RefKind::Event || *k == kind,
        None => false,
    };
    let catalog = Catalog { exists: &exists, is_retraction: &|_| false, place_at: &|_| None };
    let again = read(format, name, bytes, &catalog).unwrap();
    // A state's codes are created, like its actor, only if the log lacks them.
    let created = |e: &Event| e.kind.is_entity() || annals_import::is_state_codes(e);
    assert!(!again.events.iter().any(created), "{name}: entities or state codes created twice");
    let first_events: Vec<&Event> = first.events.iter().filter(|e| !created(e)).collect();
    let again_events: Vec<&Event> = again.events.iter().collect();
    assert_eq!(again_events, first_events, "{name}: read again against a log that holds it");
}

/// The identifiers a file read into an empty log gives: each state of the
/// catalogue it creates bears exactly the codes the catalogue holds, and
/// each UCDP actor its UCDP id (`ucdp-actor`), once, citing the dataset.
fn identified(name: &str, imported: &Imported) {
    use annals_model::{states, Entity, EventKind};
    let mut codes: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    let mut ucdp: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in &imported.events {
        let EventKind::Identifiers { entity: Entity::Actor(actor), ids } = &e.kind else {
            continue;
        };
        if annals_import::is_state_codes(e) {
            codes.entry(actor.as_str()).or_default().extend(ids.iter().cloned());
        } else if let [(scheme, value)] = &ids[..] {
            assert_eq!(scheme, "ucdp-actor", "{name}: {e:?}");
            assert_eq!(actor.as_str(), format!("ucdp-actor-{value}"), "{name}: {e:?}");
            assert!(e.sources[0].as_str().starts_with("ucdp-"), "{name}: {e:?}");
            ucdp.entry(actor.as_str()).or_default().push(value);
        } else {
            panic!("{name}: identifiers no importer of a dataset makes: {e:?}");
        }
    }
    let actors = imported.events.iter().filter(|e| matches!(e.kind, EventKind::Actor { .. }));
    let mut states_seen = 0;
    for actor in actors.map(|e| e.id.as_str()) {
        if let Some(state) = states::by_id(actor) {
            let mut want: Vec<(String, String)> = Vec::new();
            want.extend(state.cow.iter().map(|c| ("cow".to_string(), c.to_string())));
            want.extend(state.gw.iter().map(|c| ("gw".to_string(), c.to_string())));
            want.extend(state.iso3.iter().map(|c| ("iso3".to_string(), c.to_string())));
            let mut got = codes.remove(actor).unwrap_or_default();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{name}: the codes of {actor}");
            states_seen += 1;
        } else if let Some(id) = actor.strip_prefix("ucdp-actor-") {
            let got = ucdp.remove(actor).unwrap_or_default();
            assert_eq!(got, [id], "{name}: the UCDP id of {actor}");
        }
    }
    assert!(codes.is_empty(), "{name}: codes of states it does not name: {codes:?}");
    assert!(ucdp.is_empty(), "{name}: UCDP ids of actors it does not create: {ucdp:?}");
    eprintln!("{name}: codes of {states_seen} states");
}

fn kind_of(e: &Event) -> RefKind {
    match e.kind {
        annals_model::EventKind::Source { .. } => RefKind::Source,
        annals_model::EventKind::Actor { .. } => RefKind::Actor,
        annals_model::EventKind::Place { .. } => RefKind::Place,
        _ => RefKind::Event,
    }
}

/// The world replayed from events, in file order.
fn world(events: &[Event]) -> World {
    World::replay(annals_testkit::recorded(events.to_vec()))
}

/// The event with this id.
fn event<'a>(events: &'a [Event], id: &str) -> &'a Event {
    events.iter().find(|e| e.id.as_str() == id).unwrap_or_else(|| panic!("no event `{id}`"))
}
