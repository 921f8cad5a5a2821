//! `control` and `government`: who held a place or a state on a day, or
//! over a month or a year (what held throughout, what changed within).

use std::io::Write;
use std::mem::ManuallyDrop;

use annals_app::{answer, parse_on, period, Annals, On};
use anyhow::Result;

use crate::args::KnownAt;
use crate::{output, print_json};

/// `annals control PLACE --on DATE`.
pub fn control(
    annals: &Annals,
    place: &str,
    on: &str,
    known: &KnownAt,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let on = parse_on("--on", on)?;
    let known_at = known.parse()?;
    let (place, world, namesakes) = annals.control_world(place, known_at.as_ref())?;
    let world = ManuallyDrop::new(world);
    match on {
        On::Day(day) => {
            let answer = world.control(&place, day);
            let within = annals.within(&place, &answer, known_at.as_ref())?;
            let namesakes =
                annals.place_namesakes(&namesakes, &world, &place, known_at.as_ref())?;
            if json {
                let value = answer::control_with_within(&world, &place, &answer, within);
                print_json(out, &answer::with_namesakes(value, &namesakes))
            } else {
                output::control_text(out, &world, &place, &answer)?;
                output::within_text(out, &world, &place, &within)?;
                Ok(output::links_text(out, &world, &place, &namesakes)?)
            }
        }
        On::Period(p) => {
            let spans = period::spans(&p, |day| world.control(&place, day));
            let within = annals.within_period(&place, &p, &spans, known_at.as_ref())?;
            if json {
                print_json(out, &period::control_period_json(&world, &place, &p, &spans, within))
            } else {
                output::control_period_text(out, &world, &place, &p, &spans)?;
                Ok(output::within_period_text(out, &world, &place, &p, &within)?)
            }
        }
    }
}

/// `annals government STATE --on DATE`.
pub fn government(
    annals: &Annals,
    state: &str,
    on: &str,
    known: &KnownAt,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let on = parse_on("--on", on)?;
    let (state, world) = annals.government_world(state, known.parse()?.as_ref())?;
    let world = ManuallyDrop::new(world);
    match on {
        On::Day(day) => {
            let answer = world.government(&state, day);
            if json {
                print_json(out, &answer::government_json(&world, &state, &answer))
            } else {
                Ok(output::government_text(out, &world, &state, &answer)?)
            }
        }
        On::Period(p) => {
            let spans = period::spans(&p, |day| world.government(&state, day));
            if json {
                print_json(out, &period::government_period_json(&world, &state, &p, &spans))
            } else {
                Ok(output::government_period_text(out, &world, &state, &p, &spans)?)
            }
        }
    }
}
