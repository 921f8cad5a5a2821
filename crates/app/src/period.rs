//! Answers over a month or a year (`--on 2023-10`): what held throughout,
//! and what changed within, each change on the day the answer changed,
//! with its evidence and sources.
//!
//! The period's answer is the one-day answer of each of its days, told as
//! the stretches over which it stays the same: the same semantics as a
//! day's answer, never a second set of rules.

use annals_model::{ActorId, PlaceId};
use annals_replay::{Holding, World};
use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::answer::{actor_json, control_json, government_json, place_json, rests_on_own_events};
use crate::vocab::set_date;
use crate::{Annals, Error, Period};

/// A stretch of a period over which the answer stays the same: its first
/// and last day, and the answer (dated its first day).
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub answer: Holding,
}

/// The answers `answer_on` gives for each day of `period`, as the
/// stretches over which they stay the same, in date order. An answer
/// changes when anything in it changes: status, holder, deciding event,
/// evidence, window.
pub fn spans(period: &Period, answer_on: impl Fn(NaiveDate) -> Holding) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    for day in period.from.iter_days().take_while(|d| *d <= period.to) {
        let answer = answer_on(day);
        match spans.last_mut() {
            Some(last) if same(&last.answer, &answer) => last.to = day,
            _ => spans.push(Span { from: day, to: day, answer }),
        }
    }
    spans
}

/// Whether two answers (of different days) say the same.
fn same(a: &Holding, b: &Holding) -> bool {
    a.status == b.status
        && a.controller == b.controller
        && a.event == b.event
        && a.since == b.since
        && a.claim == b.claim
        && a.sources == b.sources
        && a.candidates == b.candidates
        && a.before == b.before
        && a.window == b.window
}

fn period_json(period: &Period) -> Value {
    json!({ "asked": period.asked, "from": period.from.to_string(), "to": period.to.to_string() })
}

/// Each span as its one-day answer (`date`: its first day) with `from` and `to`.
fn spans_json(spans: &[Span], answer: impl Fn(&Holding) -> Value) -> Vec<Value> {
    spans
        .iter()
        .map(|s| {
            let mut v = answer(&s.answer);
            v["from"] = json!(s.from.to_string());
            v["to"] = json!(s.to.to_string());
            v
        })
        .collect()
}

/// `control --on MONTH|YEAR --json`: `{place, period: {asked, from, to},
/// throughout, spans: [control answer + {from, to}], within?}`;
/// `throughout` is true when one answer held every day.
pub fn control_period_json(
    world: &World,
    place: &PlaceId,
    period: &Period,
    spans: &[Span],
    within: Vec<Value>,
) -> Value {
    let mut v = json!({
        "place": place_json(world, place),
        "period": period_json(period),
        "throughout": spans.len() == 1,
        "spans": spans_json(spans, |a| {
            let mut v = control_json(world, place, a);
            v.as_object_mut().expect("an object").remove("place");
            v
        }),
    });
    if !within.is_empty() {
        v["within"] = Value::Array(within);
    }
    v
}

/// `government --on MONTH|YEAR --json`: as [`control_period_json`], with
/// `state` for `place`.
pub fn government_period_json(
    world: &World,
    state: &ActorId,
    period: &Period,
    spans: &[Span],
) -> Value {
    json!({
        "state": actor_json(world, state),
        "period": period_json(period),
        "throughout": spans.len() == 1,
        "spans": spans_json(spans, |a| {
            let mut v = government_json(world, state, a);
            v.as_object_mut().expect("an object").remove("state");
            v
        }),
    })
}

/// Whether a place's answers over a period rest on no event of its own.
pub fn rests_on_nothing(spans: &[Span]) -> bool {
    spans.iter().all(|s| !rests_on_own_events(&s.answer))
}

/// The places directly within `place` that have control events within
/// `period`, each with its spans: `[{place: {id, kind, name}, throughout,
/// spans: [{from, to, status, controller, since (with its days), claim,
/// event}]}]`, sorted by id.
/// What `control` over a period adds (as `within`) when the place itself
/// has no control event.
pub fn within_period_json(world: &World, place: &PlaceId, period: &Period) -> Vec<Value> {
    world
        .places_within(place)
        .filter_map(|p| {
            let spans = spans(period, |day| world.control(&p.id, day));
            if rests_on_nothing(&spans) {
                return None;
            }
            let rows: Vec<Value> = spans
                .iter()
                .map(|s| {
                    let a = &s.answer;
                    let mut v = json!({
                        "from": s.from.to_string(),
                        "to": s.to.to_string(),
                        "status": a.status.as_str(),
                        "controller": a.controller.as_ref().map(|c| actor_json(world, c)),
                        "claim": a.claim.map(|c| c.as_str()),
                        "event": a.event.as_ref().map(|e| e.as_str()),
                    });
                    set_date(&mut v, "since", a.since.as_ref());
                    v
                })
                .collect();
            Some(json!({
                "place": place_json(world, &p.id),
                "throughout": rows.len() == 1,
                "spans": rows,
            }))
        })
        .collect()
}

impl Annals {
    /// [`within_period_json`] when a place's answers over `period` rest
    /// on no event of its own (replaying the log as known at `known_at`:
    /// the place index gathers one place's records only); empty otherwise.
    pub fn within_period(
        &self,
        place: &PlaceId,
        period: &Period,
        spans: &[Span],
        known_at: Option<&annals_model::KnownAt>,
    ) -> Result<Vec<Value>, Error> {
        if !rests_on_nothing(spans) {
            return Ok(Vec::new());
        }
        Ok(within_period_json(&self.replay(known_at)?, place, period))
    }
}
