//! Printing answers: text for people, JSON (the MISSION shapes) for scripts.

use std::io::{self, Write};

use annals_app::answer::{self, section, ACTOR_SECTIONS};
use annals_app::period::Span;
use annals_app::{place_label, shown, Line, Period};
use annals_model::{ActorId, EventKind, PlaceId, SourceId};
use annals_replay::{
    Candidate, Change, DatedEdge, DatedGraph, Holding, Node, RelationKind, Status, Transition,
    World,
};
use chrono::NaiveDate;

fn actor_label(world: &World, id: &ActorId) -> String {
    match world.actor(id.as_str()) {
        Some(a) => format!("{} ({})", shown(&a.name), a.id),
        None => id.to_string(),
    }
}

fn claim_text(world: &World, c: &Candidate) -> String {
    match &c.claimed_by {
        Some(by) => format!("{} by {}", c.claim, actor_label(world, by)),
        None => c.claim.to_string(),
    }
}

fn write_candidate(out: &mut impl Write, world: &World, c: &Candidate) -> io::Result<()> {
    let verb = match (c.change, c.kind) {
        (_, "government") => "governs",
        (_, "coup") => "took power in a coup",
        (Change::Taken, "actor_dissolved") => "took over what the dissolved group held",
        (Change::Lost, "actor_dissolved") => "dissolved",
        (Change::Taken, _) => "took control",
        (Change::Lost, _) => "gave up control",
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
                let mut line = format!("  [{}] {}", s, shown(&info.title));
                if let Some(p) = &info.publisher {
                    line.push_str(&format!(", {}", shown(p)));
                }
                if let Some(d) = info.published {
                    line.push_str(&format!(", {d}"));
                }
                if let Some(u) = &info.url {
                    line.push_str(&format!(" <{}>", shown(u)));
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
    holding_text(out, world, &place_label(world, place), "controlled by", a)?;
    let history = world.history(place);
    for anomaly in world.anomalies() {
        if let annals_replay::Anomaly::AfterDissolution { event, actor, dissolution } = anomaly {
            if history.iter().any(|h| h.event == event) {
                writeln!(
                    out,
                    "set aside: event {event} names {} after its dissolution (event {dissolution})",
                    actor_label(world, actor)
                )?;
            }
        }
    }
    Ok(())
}

/// What links say of a place: the ids they join with it (the answer rests
/// on the events of all), and the places of the same name they do not.
pub fn links_text(
    out: &mut impl Write,
    world: &World,
    place: &PlaceId,
    namesakes: &[PlaceId],
) -> io::Result<()> {
    let linked: Vec<&str> = world
        .linked_places(place)
        .iter()
        .map(PlaceId::as_str)
        .filter(|p| *p != place.as_str())
        .collect();
    if !linked.is_empty() {
        writeln!(
            out,
            "same place as: {} (linked; the answer rests on the events of each)",
            shown(&linked.join(", "))
        )?;
    }
    if !namesakes.is_empty() {
        let ids: Vec<&str> = namesakes.iter().map(PlaceId::as_str).collect();
        writeln!(
            out,
            "note: other places bear this name and are not linked to it: {}; `annals link --suggest` proposes links, `annals link` makes one",
            shown(&ids.join(", "))
        )?;
    }
    Ok(())
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

/// Evidence a year or more older than the day asked, and a day past what
/// the datasets of the evidence cover, said in words: an answer is only as
/// fresh as its evidence, and a dataset says nothing of the days after it.
fn stale_text(out: &mut impl Write, world: &World, a: &Holding) -> io::Result<()> {
    let mut notes = Vec::new();
    if let Some(days) = answer::evidence_age_days(a).filter(|&d| d >= 365) {
        let since = a.since.map(|d| d.to_string()).unwrap_or_default();
        let years = days / 365;
        let unit = if years == 1 { "year" } else { "years" };
        notes.push(format!("the last evidence is from {since}, {years} {unit} before"));
    }
    let coverage = annals_app::coverage::coverage(world, a);
    if let Some(c) = coverage.filter(|c| annals_app::coverage::beyond(Some(c), a)) {
        notes.push(format!(
            "this day is past the data it rests on, which end {} ({})",
            c.until, c.source.title
        ));
    }
    if notes.is_empty() {
        return Ok(());
    }
    writeln!(out, "note: {}", notes.join("; "))
}

fn holding_text(
    out: &mut impl Write,
    world: &World,
    place: &str,
    held_by: &str,
    a: &Holding,
) -> io::Result<()> {
    holding_text_when(out, world, &format!("{place} on {}", a.date), held_by, a)
}

/// An answer for people, introduced by `heading` (the place or state, and
/// when: `Gao (gao) on 2012-06-28`).
fn holding_text_when(
    out: &mut impl Write,
    world: &World,
    heading: &str,
    held_by: &str,
    a: &Holding,
) -> io::Result<()> {
    match a.status {
        Status::Controlled => {
            let who =
                actor_label(world, a.controller.as_ref().expect("controlled has a controller"));
            let since = a.since.map(|d| d.to_string()).unwrap_or_default();
            writeln!(out, "{heading}: {held_by} {who}, since {since}")?;
        }
        Status::Contested => {
            let since = a.since.map(|d| d.to_string()).unwrap_or_default();
            writeln!(out, "{heading}: contested since {since}, rival claims:")?;
        }
        Status::Uncertain => {
            let (from, to) = a.window.expect("uncertain has a window");
            writeln!(
                out,
                "{heading}: uncertain, control may have changed between {from} and {to}"
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
                writeln!(out, "{heading}: no controller known since {since}, when control was given up (event {e})")?;
            }
            None => writeln!(out, "{heading}: unknown, no recorded event is settled by this date")?,
        },
    }
    stale_text(out, world, a)?;
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
        EventKind::Government { actor, .. } => format!("{} governs", actor_label(world, actor)),
        EventKind::Coup { perpetrator, ousted, outcome, .. } => {
            let mut s = format!("{} staged a coup ({outcome})", actor_label(world, perpetrator));
            if let Some(o) = ousted {
                s.push_str(&format!(", ousting {}", actor_label(world, o)));
            }
            s
        }
        EventKind::ActorDissolved { actor, into } => match into {
            Some(i) => {
                format!("{} dissolved into {}", actor_label(world, actor), actor_label(world, i))
            }
            None => format!("{} dissolved", actor_label(world, actor)),
        },
        other => other.type_name().to_string(),
    }
}

/// The control timeline of a place for people.
pub fn history_text(
    out: &mut impl Write,
    world: &World,
    place: &PlaceId,
    lines: &[Line<'_>],
) -> io::Result<()> {
    timeline_text(out, world, &place_label(world, place), lines)
}

/// The government timeline of a state for people: governments and coups, failed ones too.
pub fn government_history_text(
    out: &mut impl Write,
    world: &World,
    state: &ActorId,
    lines: &[Line<'_>],
) -> io::Result<()> {
    timeline_text(out, world, &actor_label(world, state), lines)
}

fn timeline_text(
    out: &mut impl Write,
    world: &World,
    heading: &str,
    lines: &[Line<'_>],
) -> io::Result<()> {
    writeln!(out, "{heading}: {} events", lines.len())?;
    for (record, retracted_by) in lines {
        let e = &record.event;
        let date = e.date.map(|d| d.to_string()).unwrap_or_else(|| "undated".to_string());
        let claim = match &e.claimed_by {
            Some(by) => format!("{} by {}", e.claim, actor_label(world, by)),
            None => e.claim.to_string(),
        };
        writeln!(out, "{date:<12} {}  [{claim}; event {}]", entry_summary(world, &e.kind), e.id)?;
        match retracted_by.map(|r| (r, world.replaced_by(r.as_str()))) {
            Some((r, Some(new))) => {
                writeln!(out, "             REVISED by {r}: new version {new}")?
            }
            Some((r, None)) => writeln!(out, "             RETRACTED by {r}")?,
            None => {}
        }
        if let Some(note) = &e.note {
            writeln!(out, "             note: {}", shown(note))?;
        }
        // A retracted source is cited by no answer.
        let titles: Vec<String> = e
            .sources
            .iter()
            .filter(|s| world.retracted_by(s.as_str()).is_none())
            .map(|s| match world.source(s.as_str()) {
                Some(info) => format!("[{s}] {}", shown(&info.title)),
                None => format!("[{s}]"),
            })
            .collect();
        if !titles.is_empty() {
            writeln!(out, "             sources: {}", titles.join("; "))?;
        }
    }
    Ok(())
}

/// `Name (id)` for any node.
fn node_label(world: &World, node: &Node) -> String {
    match node {
        Node::Place(p) => place_label(world, p),
        _ => format!("{} ({})", shown(world.node_name(node)), node.id()),
    }
}

/// `since 2014-10-28, until 2023-09-24, uncertain; claimed; events a, b; sources s1, s2`.
fn edge_evidence(e: &DatedEdge) -> String {
    let mut parts = Vec::new();
    if let Some(since) = e.since {
        parts.push(format!("since {since}"));
    }
    if let Some(until) = e.until {
        parts.push(format!("until {until}"));
    }
    if e.status != annals_replay::EdgeStatus::Valid {
        parts.push(e.status.as_str().to_string());
    }
    let mut s = parts.join(", ");
    if let Some(claim) = e.claim {
        s.push_str(&format!("; {claim}"));
    }
    let events: Vec<&str> = e.events.iter().map(|id| id.as_str()).collect();
    s.push_str(&format!("; events {}", events.join(", ")));
    if !e.sources.is_empty() {
        let sources: Vec<&str> = e.sources.iter().map(|id| id.as_str()).collect();
        s.push_str(&format!("; sources {}", sources.join(", ")));
    }
    s
}

fn qualifier_text(world: &World, e: &DatedEdge) -> String {
    match (&e.key.qualifier, e.key.kind) {
        (Some(q), RelationKind::AlliedWith) => {
            let name = shown(world.actor(q).map_or(q.as_str(), |a| a.name.as_str()));
            format!(" in {name}")
        }
        (Some(q), _) => format!(" ({q})"),
        (None, _) => String::new(),
    }
}

/// `annals actor` for people.
pub fn actor_text(
    out: &mut impl Write,
    world: &World,
    graph: &DatedGraph,
    actor: &Node,
) -> io::Result<()> {
    let n = graph.edges_of(actor).len();
    writeln!(out, "{} on {}: {n} relations", node_label(world, actor), graph.date)?;
    for &(title, _, kind, end) in ACTOR_SECTIONS {
        let rows = section(graph, actor, kind, end);
        if rows.is_empty() {
            continue;
        }
        writeln!(out, "  {title}:")?;
        for (e, other) in rows {
            writeln!(out, "    {}{}", node_label(world, other), qualifier_text(world, e))?;
            writeln!(out, "      {}", edge_evidence(e))?;
        }
    }
    if n == 0 {
        writeln!(out, "  no relation known on this date")?;
    }
    for d in world.dissolutions(actor.id()).into_iter().filter(|d| d.date.earliest() <= graph.date)
    {
        writeln!(out, "  {}", dissolution_text(world, &d))?;
    }
    Ok(())
}

/// One line on an actor's dissolution, with its evidence, and the events
/// dated after it that still name the actor.
fn dissolution_text(world: &World, d: &annals_replay::Dissolution) -> String {
    let mut s = format!("dissolved {}", d.date);
    if let Some(into) = &d.into {
        s.push_str(&format!(" into {}", actor_label(world, into)));
    }
    let sources: Vec<&str> = d.sources.iter().map(|s| s.as_str()).collect();
    let sources = if sources.is_empty() { "none".to_string() } else { sources.join(", ") };
    s.push_str(&format!("  [{}; event {}; sources {sources}]", d.claim, d.event));
    let later: Vec<&str> = world
        .anomalies()
        .iter()
        .filter_map(|a| match a {
            annals_replay::Anomaly::AfterDissolution { event, actor, dissolution }
                if actor == &d.actor && dissolution == &d.event =>
            {
                Some(event.as_str())
            }
            _ => None,
        })
        .collect();
    if !later.is_empty() {
        s.push_str(&format!(
            "\n  events dated after it that still name it count for nothing: {}",
            later.join(", ")
        ));
    }
    s
}

fn relation_text(world: &World, key: &annals_replay::RelationKey) -> String {
    let link = if key.kind.is_directed() { "→" } else { "—" };
    let q = match (&key.qualifier, key.kind) {
        (Some(q), RelationKind::AlliedWith) => {
            format!(" (in {})", shown(world.actor(q).map_or(q.as_str(), |a| a.name.as_str())))
        }
        (Some(q), _) => format!(" ({q})"),
        (None, _) => String::new(),
    };
    format!(
        "{} {} {link} {}{q}",
        key.kind,
        node_label(world, &key.source),
        node_label(world, &key.target)
    )
}

/// `annals diff` for people.
pub fn diff_text(
    out: &mut impl Write,
    world: &World,
    from: NaiveDate,
    to: NaiveDate,
    changes: &[Transition],
) -> io::Result<()> {
    writeln!(out, "relations that began or ended after {from}, up to {to}: {}", changes.len())?;
    for t in changes {
        let sign = if t.began { "began" } else { "ended" };
        let undone = if t.cancelled { "  (undone within the window)" } else { "" };
        writeln!(
            out,
            "{:<12} {sign} {}{undone}",
            t.date.to_string(),
            relation_text(world, &t.key)
        )?;
        let sources: Vec<&str> = t.sources.iter().map(|s| s.as_str()).collect();
        writeln!(
            out,
            "             [{}; event {}; sources {}]",
            t.claim,
            t.event,
            if sources.is_empty() { "none".to_string() } else { sources.join(", ") }
        )?;
    }
    for d in world.all_dissolutions().filter(|d| from < d.date.latest() && d.date.latest() <= to) {
        writeln!(out, "{} {}", actor_label(world, &d.actor), dissolution_text(world, &d))?;
    }
    Ok(())
}

fn kinds_text(kinds: &[RelationKind]) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}

/// `annals blocs` for people.
pub fn blocs_text(
    out: &mut impl Write,
    world: &World,
    date: NaiveDate,
    kinds: &[RelationKind],
    blocs: &[Vec<&Node>],
) -> io::Result<()> {
    writeln!(out, "blocs on {date} (tied by {}): {}", kinds_text(kinds), blocs.len())?;
    for (i, bloc) in blocs.iter().enumerate() {
        let names: Vec<String> = bloc.iter().map(|n| node_label(world, n)).collect();
        writeln!(out, "{:>3}. {} members: {}", i + 1, bloc.len(), names.join(", "))?;
    }
    Ok(())
}

/// `annals path` for people.
pub fn path_text(
    out: &mut impl Write,
    world: &World,
    date: NaiveDate,
    from: &Node,
    to: &Node,
    path: Option<&[(&DatedEdge, &Node)]>,
) -> io::Result<()> {
    let (a, b) = (node_label(world, from), node_label(world, to));
    let Some(path) = path else {
        return writeln!(out, "no chain of relations links {a} to {b} on {date}");
    };
    writeln!(out, "{a} to {b} on {date}: {} steps", path.len())?;
    writeln!(out, "  {a}")?;
    for (e, node) in path {
        let arrow = if !e.key.kind.is_directed() {
            format!("--{}--", e.key.kind)
        } else if &e.key.target == *node {
            format!("--{}-->", e.key.kind)
        } else {
            format!("<--{}--", e.key.kind)
        };
        writeln!(out, "  {arrow} {}", node_label(world, node))?;
        writeln!(out, "      {}", edge_evidence(e))?;
    }
    Ok(())
}

/// `annals find` for people: places (with what they lie within), then actors.
pub fn found_text(
    out: &mut impl Write,
    world: &World,
    places: &serde_json::Value,
    actors: &serde_json::Value,
) -> io::Result<()> {
    let list = |v: &serde_json::Value, key: &str| v[key].as_array().cloned().unwrap_or_default();
    let (places, actors) = (list(places, "places"), list(actors, "actors"));
    if places.is_empty() && actors.is_empty() {
        return writeln!(out, "no place or actor has an id, name or alias containing that");
    }
    if !places.is_empty() {
        writeln!(out, "places:")?;
        for p in &places {
            let id = p["id"].as_str().unwrap_or_default();
            let kind = p["kind"].as_str().map(|k| format!(", {k}")).unwrap_or_default();
            let within = p["within"]
                .as_str()
                .and_then(|w| world.place(w))
                .map(|w| format!(", in {} ({})", shown(&w.name), w.id))
                .unwrap_or_default();
            let name = shown(p["name"].as_str().unwrap_or_default()).into_owned();
            writeln!(out, "  {id:<28} {name}{kind}{within}")?;
        }
    }
    if !actors.is_empty() {
        writeln!(out, "actors:")?;
        for a in &actors {
            let id = a["id"].as_str().unwrap_or_default();
            let kind = a["kind"].as_str().map(|k| format!(", {k}")).unwrap_or_default();
            let name = shown(a["name"].as_str().unwrap_or_default()).into_owned();
            writeln!(out, "  {id:<28} {name}{kind}")?;
        }
    }
    Ok(())
}

/// Writes the heading of the places within `place` (none when there are
/// none), and gives each one's id, label and answer.
fn within_heading<'w>(
    out: &mut impl Write,
    world: &World,
    place: &PlaceId,
    within: &'w [serde_json::Value],
) -> io::Result<Vec<(&'w str, String, &'w serde_json::Value)>> {
    if within.is_empty() {
        return Ok(Vec::new());
    }
    let name = world.place(place.as_str()).map_or(place.as_str(), |p| p.name.as_str());
    writeln!(out, "places within {} with control events:", shown(name))?;
    Ok(within
        .iter()
        .map(|w| {
            let id = w["place"]["id"].as_str().unwrap_or_default();
            let label =
                format!("{} ({id})", shown(w["place"]["name"].as_str().unwrap_or_default()));
            (id, label, w)
        })
        .collect())
}

/// The places within `place` that answer when it has no control event of
/// its own (`annals_app::answer::within_json`), one line each.
pub fn within_text(
    out: &mut impl Write,
    world: &World,
    place: &PlaceId,
    within: &[serde_json::Value],
) -> io::Result<()> {
    for (id, label, w) in within_heading(out, world, place, within)? {
        let state = within_state(w);
        writeln!(out, "  {label}: {state}; `annals control {id}` for its evidence")?;
    }
    Ok(())
}

/// A place within's answer (`within` in control's JSON) in words: `controlled
/// by Malian Armed Forces (fama) since 2023-10-02 [claimed]`.
fn within_state(w: &serde_json::Value) -> String {
    let status = w["status"].as_str().unwrap_or_default();
    let state = match (&w["controller"], status) {
        (serde_json::Value::Object(c), "controlled") => format!(
            "controlled by {} ({})",
            shown(c["name"].as_str().unwrap_or_default()),
            c["id"].as_str().unwrap_or_default()
        ),
        (_, status) => status.to_string(),
    };
    let since = w["since"].as_str().map(|d| format!(" since {d}")).unwrap_or_default();
    let claim = w["claim"].as_str().map(|c| format!(" [{c}]")).unwrap_or_default();
    format!("{state}{since}{claim}")
}

/// A control answer over a period for people: a summary line, then each
/// stretch of the period with its answer, evidence and sources.
pub fn control_period_text(
    out: &mut impl Write,
    world: &World,
    place: &PlaceId,
    period: &Period,
    spans: &[Span],
) -> io::Result<()> {
    period_text(out, world, &place_label(world, place), "controlled by", period, spans)
}

/// A government answer over a period for people.
pub fn government_period_text(
    out: &mut impl Write,
    world: &World,
    state: &ActorId,
    period: &Period,
    spans: &[Span],
) -> io::Result<()> {
    period_text(out, world, &actor_label(world, state), "governed by", period, spans)
}

fn period_text(
    out: &mut impl Write,
    world: &World,
    name: &str,
    held_by: &str,
    period: &Period,
    spans: &[Span],
) -> io::Result<()> {
    if let [only] = spans {
        let heading = format!("{name} throughout {}", period.label());
        return holding_text_when(out, world, &heading, held_by, &only.answer);
    }
    let days: Vec<String> = spans[1..].iter().map(|s| s.from.to_string()).collect();
    let changes = match days.len() {
        1 => "1 change".to_string(),
        n => format!("{n} changes"),
    };
    writeln!(out, "{name} over {}: {changes}, on {}", period.label(), days.join(", "))?;
    for span in spans {
        writeln!(out)?;
        let heading = if span.from == span.to {
            format!("{name} on {}", span.from)
        } else {
            format!("{name} from {} to {}", span.from, span.to)
        };
        holding_text_when(out, world, &heading, held_by, &span.answer)?;
    }
    Ok(())
}

/// The places within a place over a period (`control`'s `within`).
pub fn within_period_text(
    out: &mut impl Write,
    world: &World,
    place: &PlaceId,
    period: &Period,
    within: &[serde_json::Value],
) -> io::Result<()> {
    for (id, label, w) in within_heading(out, world, place, within)? {
        writeln!(out, "  {label}; `annals control {id} --on {}` for its evidence", period.asked)?;
        for span in w["spans"].as_array().into_iter().flatten() {
            let from = span["from"].as_str().unwrap_or_default();
            let to = span["to"].as_str().unwrap_or_default();
            writeln!(out, "    {from} to {to}: {}", within_state(span))?;
        }
    }
    Ok(())
}

/// What an import stored, and what it could not.
pub fn report_import(out: &mut impl Write, done: &annals_app::Imported) -> std::io::Result<()> {
    let name = &done.file;
    if let (Some(release), Some(newest)) = (&done.release, &done.newer_stored) {
        writeln!(
            out,
            "nothing stored from {name}: it is release {release}, and the log holds the newer release {newest} of its dataset"
        )?;
        return out.flush();
    }
    match done.seqs {
        Some((first, last)) if done.new < done.appended => writeln!(
            out,
            "imported {} new events from {name}, and {} records revising or dropping stored ones (records {first}..{last}); {} were already stored",
            done.new,
            done.appended - done.new,
            done.unchanged
        )?,
        Some((first, last)) => writeln!(
            out,
            "imported {} new events from {name} (records {first}..{last}); {} were already stored",
            done.appended, done.unchanged
        )?,
        None => writeln!(
            out,
            "nothing new in {name}: all {} events were already stored",
            done.unchanged
        )?,
    }
    if let Some(release) = &done.release {
        writeln!(
            out,
            "release {release}, newer than the log's: {} revised (a new version, the old one retracted), {} dropped (retracted)",
            done.revised, done.dropped
        )?;
    }
    if done.detected && done.format != annals_app::Format::Jsonl {
        writeln!(out, "read as {} (told from its first line)", done.format.title())?;
    }
    if !done.skipped.is_empty() {
        let total: usize = done.skipped.iter().map(|(_, n)| n).sum();
        let kinds: Vec<String> = done.skipped.iter().map(|(k, n)| format!("{k} {n}")).collect();
        match done.format {
            annals_app::Format::Acled => writeln!(
                out,
                "not imported: {total} ACLED events of types annals does not model ({})",
                kinds.join("; ")
            )?,
            _ => writeln!(
                out,
                "not imported, counted: {total} records or facts annals does not model ({})",
                kinds.join("; ")
            )?,
        }
    }
    out.flush()
}
