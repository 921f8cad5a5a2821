//! Printing answers: text for people, JSON (the MISSION shapes) for scripts.

use std::io::{self, Write};

use annals_model::{ActorId, EventKind, PlaceId, SourceId};
use annals_replay::{Candidate, Change, Holding, Status, World};
use serde_json::{json, Value};

/// `Bamba (bamba, in Gao Region)`.
pub fn place_label(world: &World, id: &PlaceId) -> String {
    let Some(p) = world.place(id.as_str()) else { return id.to_string() };
    match p.within.as_ref().and_then(|w| world.place(w.as_str())) {
        Some(parent) => format!("{} ({}, in {})", p.name, p.id, parent.name),
        None => format!("{} ({})", p.name, p.id),
    }
}

fn actor_label(world: &World, id: &ActorId) -> String {
    match world.actor(id.as_str()) {
        Some(a) => format!("{} ({})", a.name, a.id),
        None => id.to_string(),
    }
}

fn actor_json(world: &World, id: &ActorId) -> Value {
    json!({ "id": id.as_str(), "name": world.actor(id.as_str()).map_or(id.as_str(), |a| a.name.as_str()) })
}

fn sources_json(world: &World, ids: &[SourceId]) -> Value {
    ids.iter()
        .map(|s| {
            let info = world.source(s.as_str());
            let mut v = json!({ "id": s.as_str(), "title": info.map_or("", |i| i.title.as_str()) });
            if let Some(url) = info.and_then(|i| i.url.as_deref()) {
                v["url"] = json!(url);
            }
            v
        })
        .collect()
}

fn candidate_json(world: &World, c: &Candidate) -> Value {
    json!({
        "actor": actor_json(world, &c.actor),
        "change": match c.change { Change::Taken => "taken", Change::Lost => "lost" },
        "event": c.event.as_str(),
        "date": c.date.to_string(),
        "claim": c.claim.as_str(),
        "claimed_by": c.claimed_by.as_ref().map(|a| actor_json(world, a)),
        "pending": c.pending,
        "sources": sources_json(world, &c.sources),
    })
}

/// The `control --json` object of MISSION.md (plus `before` and `window` for uncertain answers).
pub fn control_json(world: &World, place: &PlaceId, a: &Holding) -> Value {
    let name = world.place(place.as_str()).map_or(place.as_str(), |p| p.name.as_str());
    let mut v = holding_json(world, a);
    v["place"] = json!({ "id": place.as_str(), "name": name });
    v
}

/// The `government --json` object: the `control` shape with `state` for `place`
/// (`controller` is the governing actor).
pub fn government_json(world: &World, state: &ActorId, a: &Holding) -> Value {
    let mut v = holding_json(world, a);
    v["state"] = actor_json(world, state);
    v
}

fn holding_json(world: &World, a: &Holding) -> Value {
    let mut v = json!({
        "date": a.date.to_string(),
        "status": a.status.as_str(),
        "controller": a.controller.as_ref().map(|c| actor_json(world, c)),
        "since": a.since.map(|d| d.to_string()),
        "candidates": a.candidates.iter().map(|c| candidate_json(world, c)).collect::<Vec<_>>(),
        "event": a.event.as_ref().map(|e| e.as_str()),
        "claim": a.claim.map(|c| c.as_str()),
        "sources": sources_json(world, &a.sources),
    });
    if let Some(b) = &a.before {
        v["before"] = json!({
            "status": b.status.as_str(),
            "controller": b.controller.as_ref().map(|c| actor_json(world, c)),
            "since": b.since.map(|d| d.to_string()),
            "event": b.event.as_ref().map(|e| e.as_str()),
        });
    }
    if let Some((from, to)) = a.window {
        v["window"] = json!({ "earliest": from.to_string(), "latest": to.to_string() });
    }
    v
}

fn claim_text(world: &World, c: &Candidate) -> String {
    match &c.claimed_by {
        Some(by) => format!("{} by {}", c.claim, actor_label(world, by)),
        None => c.claim.to_string(),
    }
}

fn write_candidate(out: &mut impl Write, world: &World, c: &Candidate) -> io::Result<()> {
    let verb = match c.change {
        Change::Taken => "took control",
        Change::Lost => "gave up control",
    };
    writeln!(
        out,
        "  {}  {} {}  [{}; event {}]",
        c.date,
        actor_label(world, &c.actor),
        verb,
        claim_text(world, c),
        c.event
    )
}

fn write_sources(out: &mut impl Write, world: &World, ids: &[SourceId]) -> io::Result<()> {
    if ids.is_empty() {
        return writeln!(out, "sources: none cited");
    }
    writeln!(out, "sources:")?;
    for s in ids {
        match world.source(s.as_str()) {
            Some(info) => {
                let mut line = format!("  [{}] {}", s, info.title);
                if let Some(p) = &info.publisher {
                    line.push_str(&format!(", {p}"));
                }
                if let Some(d) = info.published {
                    line.push_str(&format!(", {d}"));
                }
                if let Some(u) = &info.url {
                    line.push_str(&format!(" <{u}>"));
                }
                writeln!(out, "{line}")?;
            }
            None => writeln!(out, "  [{s}] (source missing from the log)")?,
        }
    }
    Ok(())
}

/// A dated, sourced control answer for people.
pub fn control_text(
    out: &mut impl Write,
    world: &World,
    place: &PlaceId,
    a: &Holding,
) -> io::Result<()> {
    holding_text(out, world, &place_label(world, place), "controlled by", a)
}

/// A dated, sourced government answer for people.
pub fn government_text(
    out: &mut impl Write,
    world: &World,
    state: &ActorId,
    a: &Holding,
) -> io::Result<()> {
    holding_text(out, world, &actor_label(world, state), "governed by", a)
}

fn holding_text(
    out: &mut impl Write,
    world: &World,
    place: &str,
    held_by: &str,
    a: &Holding,
) -> io::Result<()> {
    match a.status {
        Status::Controlled => {
            let who =
                actor_label(world, a.controller.as_ref().expect("controlled has a controller"));
            let since = a.since.map(|d| d.to_string()).unwrap_or_default();
            writeln!(out, "{place} on {}: {held_by} {who}, since {since}", a.date)?;
        }
        Status::Contested => {
            let since = a.since.map(|d| d.to_string()).unwrap_or_default();
            writeln!(out, "{place} on {}: contested since {since}, rival claims:", a.date)?;
        }
        Status::Uncertain => {
            let (from, to) = a.window.expect("uncertain has a window");
            writeln!(
                out,
                "{place} on {}: uncertain, control may have changed between {from} and {to}",
                a.date
            )?;
            if let Some(b) = &a.before {
                let state = match (&b.controller, b.status) {
                    (Some(c), _) => format!("{held_by} {}", actor_label(world, c)),
                    (None, Status::Contested) => "contested".to_string(),
                    _ => "no known controller".to_string(),
                };
                let since = b.since.map(|d| format!(" since {d}")).unwrap_or_default();
                writeln!(out, "before: {state}{since}")?;
            }
        }
        Status::Unknown => match &a.event {
            Some(e) => {
                let since = a.since.map(|d| d.to_string()).unwrap_or_default();
                writeln!(out, "{place} on {}: no controller known since {since}, when control was given up (event {e})", a.date)?;
            }
            None => writeln!(
                out,
                "{place} on {}: unknown, no recorded event is settled by this date",
                a.date
            )?,
        },
    }
    if !a.candidates.is_empty() {
        writeln!(out, "evidence:")?;
        for c in a.candidates.iter().filter(|c| !c.pending) {
            write_candidate(out, world, c)?;
        }
        if a.candidates.iter().any(|c| c.pending) {
            writeln!(out, "possible changes in the window:")?;
            for c in a.candidates.iter().filter(|c| c.pending) {
                write_candidate(out, world, c)?;
            }
        }
    }
    write_sources(out, world, &a.sources)
}

fn entry_summary(world: &World, kind: &EventKind) -> String {
    match kind {
        EventKind::ControlTaken { actor, from, .. } => match from {
            Some(f) => {
                format!("{} took control from {}", actor_label(world, actor), actor_label(world, f))
            }
            None => format!("{} took control", actor_label(world, actor)),
        },
        EventKind::ControlLost { actor, .. } => {
            format!("{} gave up control", actor_label(world, actor))
        }
        EventKind::Attack { attacker, target, fatalities, .. } => {
            let mut s = format!("{} attacked", actor_label(world, attacker));
            if let Some(t) = target {
                s.push_str(&format!(" {}", actor_label(world, t)));
            }
            if let Some(n) = fatalities {
                s.push_str(&format!(" ({n} killed)"));
            }
            s
        }
        other => other.type_name().to_string(),
    }
}

/// The control timeline of a place for people.
pub fn history_text(out: &mut impl Write, world: &World, place: &PlaceId) -> io::Result<()> {
    let entries = world.history(place);
    writeln!(out, "{}: {} events", place_label(world, place), entries.len())?;
    for entry in entries {
        let e = &entry.record.event;
        let date = e.date.map(|d| d.to_string()).unwrap_or_else(|| "undated".to_string());
        let claim = match &e.claimed_by {
            Some(by) => format!("{} by {}", e.claim, actor_label(world, by)),
            None => e.claim.to_string(),
        };
        writeln!(out, "{date:<12} {}  [{claim}; event {}]", entry_summary(world, &e.kind), e.id)?;
        if let Some(r) = entry.retracted_by {
            writeln!(out, "             RETRACTED by {r}")?;
        }
        if let Some(note) = &e.note {
            writeln!(out, "             note: {note}")?;
        }
        let titles: Vec<String> = e
            .sources
            .iter()
            .map(|s| match world.source(s.as_str()) {
                Some(info) => format!("[{s}] {}", info.title),
                None => format!("[{s}]"),
            })
            .collect();
        if !titles.is_empty() {
            writeln!(out, "             sources: {}", titles.join("; "))?;
        }
    }
    Ok(())
}

/// The control timeline of a place as JSON.
pub fn history_json(world: &World, place: &PlaceId) -> Value {
    let events: Vec<Value> = world
        .history(place)
        .iter()
        .map(|entry| {
            let e = &entry.record.event;
            let mut v: Value =
                serde_json::from_str(&annals_model::v1::to_line(e)).expect("our own JSON");
            v["seq"] = json!(entry.record.seq);
            v["recorded_at"] = json!(entry.record.recorded_at.to_rfc3339());
            v["retracted_by"] = json!(entry.retracted_by.map(|r| r.as_str()));
            v["sources"] = sources_json(world, &e.sources);
            v
        })
        .collect();
    let p = world.place(place.as_str());
    json!({
        "place": { "id": place.as_str(), "name": p.map_or(place.as_str(), |p| p.name.as_str()) },
        "events": events,
    })
}
