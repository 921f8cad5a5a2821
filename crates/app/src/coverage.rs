//! How far the datasets an answer rests on reach: an answer about a day
//! past the end of every release of the datasets its evidence comes from
//! says so (`beyond_coverage`), since the datasets are silent about what
//! happened after, not witnesses that nothing did.
//!
//! A dataset's events cite the dataset's source (`acled:dataset`,
//! `ucdp-acd`), and each release imported is a source of its own with the
//! period it `covers` (`ucdp-acd:22-1`, `1946/2021`; ACLED's per country,
//! `acled:dataset:mli:2022-03-04`): the releases that concern an event are
//! those of the dataset it cites and of its ground (an ACLED event of Mali,
//! `acled:mli…`, and Mali's releases, not Niger's). A source an event cites
//! that states a period covered counts too. Sources that state none (a news
//! report, a historian's book) bound nothing.

use annals_import::Release;
use annals_replay::{Holding, SourceInfo, World};
use chrono::NaiveDate;

/// The last day the datasets of an answer's evidence cover, and the
/// release that reaches furthest.
#[derive(Clone, Copy, Debug)]
pub struct Coverage<'w> {
    pub until: NaiveDate,
    pub source: &'w SourceInfo,
}

/// The coverage of the events `a` rests on (its deciding event, else the
/// events it weighs): the furthest any of their datasets' releases
/// reaches, or `None` when no source they cite, nor any release of one,
/// states a period.
pub fn coverage<'w>(world: &'w World, a: &Holding) -> Option<Coverage<'w>> {
    let events: Vec<&str> = match &a.event {
        Some(e) => vec![e.as_str()],
        None => a.candidates.iter().map(|c| c.event.as_str()).collect(),
    };
    // Only a source an event cites, or a release of one (its id begins
    // with the cited id and `:`), can concern it; taken in id order, as a
    // scan of every source would meet them.
    let mut sources: Vec<&SourceInfo> = Vec::new();
    for event in &events {
        for cited in world.event_sources(event) {
            sources.extend(world.source(cited.as_str()));
            let family = format!("{}:", cited.as_str());
            sources.extend(world.sources_under(&family).filter(|s| s.covers.is_some()));
        }
    }
    sources.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    sources.dedup_by(|a, b| a.id == b.id);
    let mut best: Option<Coverage<'w>> = None;
    for source in sources {
        let Some(covers) = source.covers else { continue };
        let release = Release::of_source(
            source.id.as_str(),
            source.release.as_deref(),
            source.published,
            source.covers,
        );
        let concerns = events.iter().any(|&event| {
            let cited = world.event_sources(event);
            cited.contains(&source.id) || release.as_ref().is_some_and(|r| r.concerns(event, cited))
        });
        if concerns && best.is_none_or(|b| covers.latest() > b.until) {
            best = Some(Coverage { until: covers.latest(), source });
        }
    }
    best
}

/// Whether `a` is about a day past every period its datasets cover.
pub fn beyond(coverage: Option<&Coverage<'_>>, a: &Holding) -> bool {
    coverage.is_some_and(|c| a.date > c.until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use annals_model::{parse_day, PlaceId};

    fn world(lines: &[&str]) -> World {
        World::replay(annals_testkit::recorded(annals_testkit::parse_lines(&lines.join("\n"))))
    }

    /// A dataset with two releases, another dataset's release that reaches
    /// further, and ACLED's per-country releases.
    const LOG: &[&str] = &[
        r#"{"type":"source","id":"ds","title":"A dataset"}"#,
        r#"{"type":"source","id":"ds:r1","title":"A dataset, release 1","release":"r1","covers":"1990/2010"}"#,
        r#"{"type":"source","id":"ds:r2","title":"A dataset, release 2","release":"r2","covers":"1990/2015"}"#,
        r#"{"type":"source","id":"other","title":"Another dataset"}"#,
        r#"{"type":"source","id":"other:r1","title":"Another dataset, release 1","release":"r1","covers":"1990/2030"}"#,
        r#"{"type":"source","id":"news","title":"A report"}"#,
        r#"{"type":"source","id":"acled:dataset","title":"ACLED"}"#,
        r#"{"type":"source","id":"acled:dataset:mli:2020-08-03","title":"ACLED, Mali","release":"2020-08-03","covers":"1997-01-06/2020-07-31"}"#,
        r#"{"type":"source","id":"acled:dataset:ner:2021-01-01","title":"ACLED, Niger","release":"2021-01-01","covers":"1997-01-01/2020-12-31"}"#,
        r#"{"type":"actor","id":"a","name":"A"}"#,
        r#"{"type":"place","id":"p","name":"P"}"#,
        r#"{"type":"place","id":"q","name":"Q"}"#,
        r#"{"type":"place","id":"r","name":"R"}"#,
        r#"{"type":"control_taken","id":"ds-1","date":"2001","actor":"a","place":"p","sources":["ds"]}"#,
        r#"{"type":"control_taken","id":"news-1","date":"2001","actor":"a","place":"q","sources":["news"]}"#,
        r#"{"type":"control_taken","id":"acled:mli1","date":"2014-12-24","actor":"a","place":"r","sources":["acled:dataset"]}"#,
    ];

    fn until(w: &World, place: &str, day: &str) -> Option<(String, bool)> {
        let a = w.control(&PlaceId::new(place).unwrap(), parse_day(day).unwrap());
        let c = coverage(w, &a);
        c.map(|c| (format!("{} {}", c.until, c.source.id.as_str()), beyond(Some(&c), &a)))
    }

    #[test]
    fn an_answer_is_covered_by_the_furthest_release_of_its_own_dataset() {
        let w = world(LOG);
        assert_eq!(until(&w, "p", "2012-01-01"), Some(("2015-12-31 ds:r2".into(), false)));
        assert_eq!(until(&w, "p", "2016-01-01"), Some(("2015-12-31 ds:r2".into(), true)));
    }

    #[test]
    fn acled_releases_cover_only_their_own_country() {
        let w = world(LOG);
        let mali = "2020-07-31 acled:dataset:mli:2020-08-03";
        assert_eq!(until(&w, "r", "2020-12-01"), Some((mali.into(), true)));
    }

    #[test]
    fn a_source_without_a_period_bounds_nothing() {
        let w = world(LOG);
        assert_eq!(until(&w, "q", "2040-01-01"), None);
    }

    #[test]
    fn a_cited_source_that_states_its_period_bounds_its_events() {
        let mut lines = LOG.to_vec();
        lines.push(r#"{"type":"place","id":"s","name":"S"}"#);
        lines.push(r#"{"type":"control_taken","id":"direct","date":"2001","actor":"a","place":"s","sources":["other:r1"]}"#);
        let w = world(&lines);
        assert_eq!(until(&w, "s", "2031-01-01"), Some(("2030-12-31 other:r1".into(), true)));
    }
}
