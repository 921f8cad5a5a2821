//! The answers as JSON: what `--json` prints and the HTTP API returns, the
//! same value for the same question (docs/API.md describes each shape).

use annals_model::{ActorId, Entity, EventKind, PlaceId, SourceId};
use annals_replay::{
    Anomaly, Candidate, Change, DatedEdge, DatedGraph, Dissolution, Holding, Node, RelationKind,
    Status, Transition, World,
};
use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::vocab::{set_date, EntityRef};
use crate::Line;

/// The sections of `annals actor`: a title, a JSON key, the kind, and which
/// end the actor is (`Some(true)`: the source, `Some(false)`: the target,
/// `None`: either, for symmetric relations).
pub const ACTOR_SECTIONS: &[(&str, &str, RelationKind, Option<bool>)] = &[
    ("member of", "member_of", RelationKind::MemberOf, Some(true)),
    ("members", "members", RelationKind::MemberOf, Some(false)),
    ("allied with", "allied_with", RelationKind::AlliedWith, None),
    ("hostile to", "hostile_to", RelationKind::HostileTo, None),
    ("controls", "controls", RelationKind::Controls, Some(true)),
    ("governs", "governs", RelationKind::Governs, Some(true)),
    ("governed by", "governed_by", RelationKind::Governs, Some(false)),
    ("intervenes in", "intervenes_in", RelationKind::IntervenesIn, Some(true)),
    ("foreign interventions", "interventions", RelationKind::IntervenesIn, Some(false)),
    ("signed", "signed", RelationKind::Signed, Some(true)),
];

/// The actor's edges for one section, each with the node at the other end.
pub fn section<'g>(
    graph: &'g DatedGraph,
    actor: &Node,
    kind: RelationKind,
    end: Option<bool>,
) -> Vec<(&'g DatedEdge, &'g Node)> {
    graph
        .edges_of(actor)
        .into_iter()
        .filter(|e| e.key.kind == kind)
        .filter_map(|e| {
            let is_source = &e.key.source == actor;
            let other = if is_source { &e.key.target } else { &e.key.source };
            (end.is_none() || end == Some(is_source)).then_some((e, other))
        })
        .collect()
}

/// The actor `id` as answers refer to it: `{id, kind, name}` ([`EntityRef`]).
pub(crate) fn actor_json(world: &World, id: &ActorId) -> Value {
    EntityRef::actor(world, id).json()
}

/// The place `id` as answers refer to it: `{id, kind, name}` ([`EntityRef`]).
pub(crate) fn place_json(world: &World, id: &PlaceId) -> Value {
    EntityRef::place(world, id).json()
}

/// An object of `fields`, moved in: `json!` would copy each value (a
/// map's features, a timeline's events) before dropping the original.
pub(crate) fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// The sources `ids` as answers cite them ([`crate::vocab::SourceRef`]): a
/// retracted source is cited by no answer.
pub(crate) fn sources_json(world: &World, ids: &[SourceId]) -> Value {
    let cited = ids.iter().filter(|s| world.retracted_by(s.as_str()).is_none());
    crate::vocab::sources_json(world, cited)
}

pub(crate) fn candidate_json(world: &World, c: &Candidate) -> Value {
    let mut v = json!({
        "actor": actor_json(world, &c.actor),
        "change": match c.change { Change::Taken => "taken", Change::Lost => "lost" },
        "event": c.event.as_str(),
        "claim": c.claim.as_str(),
        "claimed_by": c.claimed_by.as_ref().map(|a| actor_json(world, a)),
        "pending": c.pending,
        "sources": sources_json(world, &c.sources),
    });
    set_date(&mut v, "date", Some(&c.date));
    v
}

/// The `control --json` object of MISSION.md (plus `before` and `window` for uncertain answers).
/// With `same_as`, the ids that links join with the place (itself
/// included) when there are any: the answer rests on the events of all.
pub fn control_json(world: &World, place: &PlaceId, a: &Holding) -> Value {
    let mut v = holding_json(world, a);
    v["place"] = place_json(world, place);
    let linked = world.linked_places(place);
    if !linked.is_empty() {
        v["same_as"] = json!(linked.iter().map(PlaceId::as_str).collect::<Vec<_>>());
    }
    let set_aside = set_aside_json(world, place);
    if !set_aside.is_empty() {
        v["set_aside"] = Value::Array(set_aside);
    }
    v
}

/// Adds `namesakes` to an answer about a place: the ids of the other
/// places of the same name that no link joins with it, when there are any.
pub fn with_namesakes(mut value: Value, namesakes: &[PlaceId]) -> Value {
    if !namesakes.is_empty() {
        value["namesakes"] = json!(namesakes.iter().map(PlaceId::as_str).collect::<Vec<_>>());
    }
    value
}

/// The control events of `place` that count for nothing because they are
/// dated after the dissolution of the actor they name:
/// `[{event, actor, dissolution}]`.
fn set_aside_json(world: &World, place: &PlaceId) -> Vec<Value> {
    let after: Vec<_> = world
        .anomalies()
        .iter()
        .filter_map(|a| match a {
            Anomaly::AfterDissolution { event, actor, dissolution } => {
                Some((event, actor, dissolution))
            }
            _ => None,
        })
        .collect();
    if after.is_empty() {
        // The place's history is not read: a busy place has tens of
        // thousands of events, and most logs dissolve no actor.
        return Vec::new();
    }
    let history = world.history(place);
    let on_timeline: std::collections::HashSet<&str> =
        history.iter().map(|h| h.event.as_str()).collect();
    after
        .into_iter()
        .filter(|(event, _, _)| on_timeline.contains(event.as_str()))
        .map(|(event, actor, dissolution)| {
            json!({
                "event": event.as_str(),
                "actor": actor_json(world, actor),
                "dissolution": dissolution.as_str(),
            })
        })
        .collect()
}

/// The `government --json` object: the `control` shape with `state` for `place`
/// (`controller` is the governing actor).
pub fn government_json(world: &World, state: &ActorId, a: &Holding) -> Value {
    let mut v = holding_json(world, a);
    v["state"] = actor_json(world, state);
    v
}

pub(crate) fn holding_json(world: &World, a: &Holding) -> Value {
    let mut v = json!({
        "date": a.date.to_string(),
        "status": a.status.as_str(),
        "controller": a.controller.as_ref().map(|c| actor_json(world, c)),
        "candidates": a.candidates.iter().map(|c| candidate_json(world, c)).collect::<Vec<_>>(),
        "event": a.event.as_ref().map(|e| e.as_str()),
        "claim": a.claim.map(|c| c.as_str()),
        "sources": sources_json(world, &a.sources),
        "evidence_age_days": evidence_age_days(a),
    });
    set_date(&mut v, "since", a.since.as_ref());
    let coverage = crate::coverage::coverage(world, a);
    v["beyond_coverage"] = Value::Bool(crate::coverage::beyond(coverage.as_ref(), a));
    v["covered_until"] = json!(coverage.map(|c| c.until.to_string()));
    if let Some(b) = &a.before {
        let mut before = json!({
            "status": b.status.as_str(),
            "controller": b.controller.as_ref().map(|c| actor_json(world, c)),
            "event": b.event.as_ref().map(|e| e.as_str()),
        });
        set_date(&mut before, "since", b.since.as_ref());
        v["before"] = before;
    }
    if let Some((from, to)) = a.window {
        v["window"] = json!({ "earliest": from.to_string(), "latest": to.to_string() });
    }
    v
}

/// Days from the deciding event's date (its last possible day) to the day
/// asked; none when no event decides.
pub fn evidence_age_days(a: &Holding) -> Option<i64> {
    a.since.map(|since| (a.date - since.latest()).num_days())
}

/// The control timeline of a place as JSON.
pub fn history_json(world: &World, place: &PlaceId, lines: &[Line<'_>]) -> Value {
    object([
        ("place", place_json(world, place)),
        ("events", Value::Array(timeline_json(world, lines))),
    ])
}

/// The government timeline of a state as JSON.
pub fn government_history_json(world: &World, state: &ActorId, lines: &[Line<'_>]) -> Value {
    object([
        ("state", actor_json(world, state)),
        ("events", Value::Array(timeline_json(world, lines))),
    ])
}

pub(crate) fn timeline_json(world: &World, lines: &[Line<'_>]) -> Vec<Value> {
    lines
        .iter()
        .map(|(record, retracted_by)| {
            let e = &record.event;
            let mut v: Value =
                serde_json::from_str(&annals_model::v1::to_line(e)).expect("our own JSON");
            v["seq"] = json!(record.seq);
            v["recorded_at"] = json!(record.recorded_at.to_rfc3339());
            v["retracted_by"] = json!(retracted_by.map(|r| r.as_str()));
            let by = retracted_by.and_then(|r| world.replaced_by(r.as_str()));
            v["replaced_by"] = json!(by.map(|n| n.as_str()));
            v["sources"] = sources_json(world, &e.sources);
            if let Some(date) = &e.date {
                set_date(&mut v, "date", Some(date));
            }
            if let EventKind::Source { published, covers, .. } = &e.kind {
                for (field, date) in [("published", published), ("covers", covers)] {
                    if let Some(date) = date {
                        set_date(&mut v, field, Some(date));
                    }
                }
            }
            v
        })
        .collect()
}

/// `annals actor --json`: `{actor, date, relations: {member_of: [...], ...}}`,
/// each edge with `with`, the node at the other end.
pub fn actor_relations_json(world: &World, graph: &DatedGraph, actor: &Node) -> Value {
    let mut relations = serde_json::Map::new();
    for &(_, key, kind, end) in ACTOR_SECTIONS {
        let rows: Vec<Value> = section(graph, actor, kind, end)
            .into_iter()
            .map(|(e, other)| {
                let mut v = annals_export::edge_json(world, e);
                v["with"] = annals_export::node_json(world, other);
                v
            })
            .collect();
        relations.insert(key.to_string(), Value::Array(rows));
    }
    json!({
        "actor": annals_export::node_json(world, actor),
        "date": graph.date.to_string(),
        "relations": relations,
        "dissolved": dissolved_json(world, actor.id(), graph.date),
    })
}

/// The dissolutions of actor `id` that have begun by `day`:
/// `[{actor, event, date, settled, into, claim, claimed_by, sources,
/// later_events}]`. `settled` is the day by which the dissolution is
/// settled (its date's last day: before it, the answers that rest on it are
/// uncertain); `later_events` are the events dated after the dissolution that name the
/// actor, which count for nothing.
pub fn dissolved_json(world: &World, id: &str, day: NaiveDate) -> Value {
    world
        .dissolutions(id)
        .into_iter()
        .filter(|d| d.date.earliest() <= day)
        .map(|d| dissolution_json(world, &d))
        .collect()
}

fn dissolution_json(world: &World, d: &Dissolution) -> Value {
    let later: Vec<&str> = world
        .anomalies()
        .iter()
        .filter_map(|a| match a {
            Anomaly::AfterDissolution { event, actor, dissolution }
                if actor == &d.actor && dissolution == &d.event =>
            {
                Some(event.as_str())
            }
            _ => None,
        })
        .collect();
    let mut v = json!({
        "actor": actor_json(world, &d.actor),
        "event": d.event.as_str(),
        "settled": d.date.latest().to_string(),
        "into": d.into.as_ref().map(|a| actor_json(world, a)),
        "claim": d.claim.as_str(),
        "claimed_by": d.claimed_by.as_ref().map(|a| a.as_str()),
        "sources": sources_json(world, &d.sources),
        "later_events": later,
    });
    set_date(&mut v, "date", Some(&d.date));
    v
}

/// `annals diff --json`: `{from, to, changes: [{change, date, settled, kind, source, target, event, claim, sources, cancelled}], dissolved: [...]}`:
/// `cancelled` marks a change undone within the window; `dissolved` lists
/// the actors whose dissolution settled within it.
pub fn diff_json(world: &World, from: NaiveDate, to: NaiveDate, changes: &[Transition]) -> Value {
    let changes: Vec<Value> = changes
        .iter()
        .map(|t| {
            let mut v = json!({
                "change": if t.began { "began" } else { "ended" },
                "settled": t.settled.to_string(),
                "kind": t.key.kind.as_str(),
                "source": annals_export::node_id(&t.key.source),
                "target": annals_export::node_id(&t.key.target),
                "event": t.event.as_str(),
                "claim": t.claim.as_str(),
                "sources": sources_json(world, &t.sources),
                "cancelled": t.cancelled,
            });
            set_date(&mut v, "date", Some(&t.date));
            if let Some(q) = &t.key.qualifier {
                let field =
                    if t.key.kind == RelationKind::AlliedWith { "alliance" } else { "operation" };
                v[field] = json!(q);
            }
            v
        })
        .collect();
    let dissolved: Vec<Value> = world
        .all_dissolutions()
        .filter(|d| from < d.date.latest() && d.date.latest() <= to)
        .map(|d| dissolution_json(world, &d))
        .collect();
    object([
        ("from", json!(from.to_string())),
        ("to", json!(to.to_string())),
        ("changes", Value::Array(changes)),
        ("dissolved", Value::Array(dissolved)),
    ])
}

/// `annals blocs --json`.
pub fn blocs_json(
    world: &World,
    date: NaiveDate,
    kinds: &[RelationKind],
    blocs: &[Vec<&Node>],
) -> Value {
    let blocs: Vec<Value> = blocs
        .iter()
        .map(|b| Value::Array(b.iter().map(|n| annals_export::node_json(world, n)).collect()))
        .collect();
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    json!({ "date": date.to_string(), "kinds": kinds, "blocs": blocs })
}

/// `annals path --json`: `{date, from, to, steps: [edge + reached]}` (`steps` is null when no chain exists).
pub fn path_json(
    world: &World,
    date: NaiveDate,
    from: &Node,
    to: &Node,
    path: Option<&[(&DatedEdge, &Node)]>,
) -> Value {
    let steps = path.map(|p| {
        p.iter()
            .map(|(e, n)| {
                let mut v = annals_export::edge_json(world, e);
                v["reached"] = annals_export::node_json(world, n);
                v
            })
            .collect::<Vec<_>>()
    });
    json!({
        "date": date.to_string(),
        "from": annals_export::node_json(world, from),
        "to": annals_export::node_json(world, to),
        "steps": steps,
    })
}

/// Every place with coordinates and who held it on `day`, as a GeoJSON
/// FeatureCollection (RFC 7946: coordinates are longitude, latitude): the
/// data of a control map. Each feature's properties: `id`, `name`, `kind`,
/// `within`, and the `control` answer's `status`, `controller`, `since`
/// (with `since_earliest` and `since_latest`), `claim` and `event`; with `same_as`, the ids of its set of linked places
/// (itself included), which it alone draws, under the id every answer uses.
/// Places without coordinates are counted in `without_coordinates`, not
/// drawn.
pub fn map_json(world: &World, day: NaiveDate) -> Value {
    serde_json::to_value(crate::map::control_map(world, day)).expect("a map is JSON")
}

/// Whether `id`, `name` or one of `aliases` contains `wanted` (a
/// normalised name: case and accents aside).
fn names_match(wanted: &str, id: &str, name: &str, aliases: &[String]) -> bool {
    let matches = |text: &str| annals_model::normalize_name(text).contains(wanted);
    matches(id) || matches(name) || aliases.iter().any(|a| matches(a))
}

/// The places whose id, name or an alias contains `query` (compared as
/// names are: case and accents aside), at most `limit`, sorted by id:
/// `{query, places: [{id, kind, name, within, lat, lon}], more}`.
pub fn places_json(world: &World, query: &str, limit: usize) -> Value {
    let wanted = annals_model::normalize_name(query);
    let found: Vec<Value> = world
        .places()
        .filter(|p| names_match(&wanted, p.id.as_str(), &p.name, &p.aliases))
        .take(limit + 1)
        .map(|p| {
            let v = json!({
                "id": p.id.as_str(),
                "kind": p.kind.map(|k| k.as_str()),
                "name": p.name,
                "within": p.within.as_ref().map(|w| w.as_str()),
                "lat": p.lat,
                "lon": p.lon,
            });
            let linked = world.linked_places(&p.id).iter().map(PlaceId::as_str);
            with_links(v, linked, world.identifiers(&Entity::Place(p.id.clone())))
        })
        .collect();
    let more = found.len() > limit;
    let places: Vec<Value> = found.into_iter().take(limit).collect();
    json!({ "query": query, "places": places, "more": more })
}

/// What an import stored: `{file, format, detected, appended, new, unchanged,
/// revised, dropped, release, newer_stored, first, last, skipped: [{reason,
/// rows}]}` (`first`, `last`: the sequence numbers of the records appended,
/// null when none were; `release`: the release the file is when it is a
/// newer or older release of a dataset the log holds, else null;
/// `newer_stored`: for an older release, the newer one the log holds).
pub fn imported_json(done: &crate::Imported) -> Value {
    let skipped: Vec<Value> = done
        .skipped
        .iter()
        .map(|(reason, rows)| json!({ "reason": reason, "rows": rows }))
        .collect();
    json!({
        "file": done.file,
        "format": done.format.name(),
        "detected": done.detected,
        "appended": done.appended,
        "unchanged": done.unchanged,
        "new": done.new,
        "revised": done.revised,
        "dropped": done.dropped,
        "release": done.release,
        "newer_stored": done.newer_stored,
        "first": done.seqs.map(|s| s.0),
        "last": done.seqs.map(|s| s.1),
        "skipped": skipped,
    })
}

/// A retraction appended: `{target, retraction, seq, recorded_at}`.
pub fn retracted_json(done: &crate::Retracted) -> Value {
    json!({
        "target": done.target.as_str(),
        "retraction": done.retraction.as_str(),
        "seq": done.seq,
        "recorded_at": done.at.to_rfc3339(),
    })
}

/// What `verify` found: `{ok, records, ids, copies, copies_left, snapshot,
/// problems, problem_kinds}` (`snapshot`: the place snapshot compared with
/// a full replay, in words; `problems`: each in words, empty when `ok`;
/// `problem_kinds`: the kind of each, in the same order).
pub fn verified_json(found: &crate::Verified) -> Value {
    let i = &found.integrity;
    let problems: Vec<String> = found.problems.iter().map(ToString::to_string).collect();
    let kinds: Vec<&str> = found.problems.iter().map(crate::Problem::kind).collect();
    json!({
        "ok": found.problems.is_empty(),
        "records": i.records,
        "ids": i.ids,
        "copies": i.copies,
        "copies_left": i.copies_left,
        "snapshot": found.snapshot.to_string(),
        "problems": problems,
        "problem_kinds": kinds,
    })
}

/// The actors whose id, name or an alias contains `query`, like
/// [`places_json`]: `{query, actors: [{id, kind, name, aliases}], more}`.
pub fn actors_json(world: &World, query: &str, limit: usize) -> Value {
    let wanted = annals_model::normalize_name(query);
    let found: Vec<Value> = world
        .actors()
        .filter(|a| names_match(&wanted, a.id.as_str(), &a.name, &a.aliases))
        .take(limit + 1)
        .map(|a| {
            let v = json!({
                "id": a.id.as_str(),
                "kind": a.kind.map(|k| k.as_str()),
                "name": a.name,
                "aliases": a.aliases,
            });
            let linked = world.linked_actors(&a.id).iter().map(ActorId::as_str);
            with_links(v, linked, world.identifiers(&Entity::Actor(a.id.clone())))
        })
        .collect();
    let more = found.len() > limit;
    let actors: Vec<Value> = found.into_iter().take(limit).collect();
    json!({ "query": query, "actors": actors, "more": more })
}

/// An entity found by name, with `same_as` (the ids of its set of linked
/// entities, itself included) when links join it to others, and
/// `identifiers` (`{scheme: value}`) when it has any.
fn with_links<'a>(
    mut found: Value,
    linked: impl ExactSizeIterator<Item = &'a str>,
    identifiers: &[(String, String)],
) -> Value {
    if linked.len() > 0 {
        found["same_as"] = json!(linked.collect::<Vec<_>>());
    }
    if !identifiers.is_empty() {
        let ids: serde_json::Map<String, Value> =
            identifiers.iter().map(|(scheme, value)| (scheme.clone(), json!(value))).collect();
        found["identifiers"] = Value::Object(ids);
    }
    found
}

/// Whether a control answer rests on events of the place's own (else
/// [`within_json`] says what the places within it answer).
pub fn rests_on_own_events(a: &Holding) -> bool {
    a.status != Status::Unknown || !a.candidates.is_empty() || a.event.is_some()
}

/// When `answer` (for `place`, from a `world` that holds every event)
/// rests on no event of the place's own, the places within it that have
/// control events, with their answers ([`within_json`]); empty otherwise.
pub fn within(world: &World, place: &PlaceId, answer: &Holding) -> Vec<Value> {
    if rests_on_own_events(answer) {
        return Vec::new();
    }
    within_json(world, place, answer.date)
}

/// `control`'s answer with `within`, the places within the place, when
/// there are any.
pub fn control_with_within(
    world: &World,
    place: &PlaceId,
    answer: &Holding,
    within: Vec<Value>,
) -> Value {
    let mut value = control_json(world, place, answer);
    if !within.is_empty() {
        value["within"] = Value::Array(within);
    }
    value
}

/// The places directly within `place` that have control events, each with
/// its answer on `day`: `[{place: {id, kind, name}, status, controller,
/// since (with its days), claim, event}]`, sorted by id. What `control` adds (as `within`) when
/// the place itself has no control event: a town whose army camp changed
/// hands, say.
pub fn within_json(world: &World, place: &PlaceId, day: NaiveDate) -> Vec<Value> {
    world
        .places_within(place)
        .filter_map(|p| {
            let a = world.control_answer(&p.id, day);
            rests_on_own_events(&a).then(|| {
                let mut v = json!({
                    "place": place_json(world, &p.id),
                    "status": a.status.as_str(),
                    "controller": a.controller.as_ref().map(|c| actor_json(world, c)),
                    "claim": a.claim.map(|c| c.as_str()),
                    "event": a.event.as_ref().map(|e| e.as_str()),
                });
                set_date(&mut v, "since", a.since.as_ref());
                v
            })
        })
        .collect()
}
