//! Releases of a dataset: which stored releases a file's release follows,
//! which of two is the newer, and which stored events a release speaks for.
//!
//! A dataset importer creates a source for the release it reads
//! (`powell-thyne:v2022-11-29`, with `release` and `covers`). Releases of one
//! dataset about the same ground form a *family*: the release source's id
//! without the release (`powell-thyne:`). ACLED's exports are per country,
//! so its family carries the country (`acled:dataset:mli:`): a Niger export
//! is no release of the Mali data.
//!
//! ```
//! use annals_import::Release;
//! use annals_model::v1;
//! let line = r#"{"type":"source","id":"ucdp-acd:22-1","title":"UCDP/PRIO ACD, release 22.1","release":"22.1","covers":"1946/2021"}"#;
//! let newer = Release::of(&v1::parse_line(line).unwrap().event).unwrap();
//! let line = r#"{"type":"source","id":"ucdp-acd:21-1","title":"UCDP/PRIO ACD, release 21.1","release":"21.1","covers":"1946/2020"}"#;
//! let older = Release::of(&v1::parse_line(line).unwrap().event).unwrap();
//! assert_eq!(newer.family, "ucdp-acd:");
//! assert_eq!(newer.newer_than(&older), Some(true));
//! assert_eq!(newer.revision_id("ucdp-acd:1:1990:a:b:began"), "ucdp-acd:1:1990:a:b:began:rev.22-1");
//! ```

use std::cmp::Ordering;

use annals_model::{Date, Event, EventKind};

use crate::emit::slug;

/// One release of a dataset, read from its source.
#[derive(Clone, Debug, PartialEq)]
pub struct Release {
    /// The id of the release's source (`powell-thyne:v2022-11-29`).
    pub source: String,
    /// The id of the release's source without the release: what every
    /// release of the dataset about the same ground shares (`powell-thyne:`).
    pub family: String,
    /// The release as the dataset names it (`V2022.11.29`, `22.1`).
    pub release: Option<String>,
    /// When the release was published, if the source says.
    pub published: Option<Date>,
    /// The period its records cover.
    pub covers: Option<Date>,
}

impl Release {
    /// The release a `source` event stands for: a source with a `release`
    /// or a `covers` whose id holds a `:` (the dataset's id, `:`, the
    /// release). `None` for any other event.
    pub fn of(event: &Event) -> Option<Release> {
        let EventKind::Source { release, published, covers, .. } = &event.kind else {
            return None;
        };
        Release::of_source(event.id.as_str(), release.as_deref(), *published, *covers)
    }

    /// The release a source with these fields stands for, as [`Release::of`].
    pub fn of_source(
        id: &str,
        release: Option<&str>,
        published: Option<Date>,
        covers: Option<Date>,
    ) -> Option<Release> {
        if release.is_none() && covers.is_none() {
            return None;
        }
        let family = match release.map(slug).filter(|s| !s.is_empty()) {
            Some(s) if id.ends_with(&format!(":{s}")) => &id[..id.len() - s.len()],
            _ => &id[..=id.rfind(':')?],
        };
        Some(Release {
            source: id.to_string(),
            family: family.to_string(),
            release: release.map(str::to_string),
            published,
            covers,
        })
    }

    /// The release as messages name it: its text, else its source's id.
    pub fn name(&self) -> &str {
        self.release.as_deref().unwrap_or(&self.source)
    }

    /// Whether this release is newer than `other` (of the same family):
    /// by the days they were published when both sources say, else by
    /// their release texts in natural order (`21.1` < `22.1`,
    /// `V2015.05.20` < `V2022.11.29`, `9` < `10`). `None` when neither
    /// tells (a release without a text).
    pub fn newer_than(&self, other: &Release) -> Option<bool> {
        if let (Some(a), Some(b)) = (self.published, other.published) {
            if a.earliest() != b.earliest() {
                return Some(a.earliest() > b.earliest());
            }
        }
        let (a, b) = (self.release.as_deref()?, other.release.as_deref()?);
        Some(natural_order(a, b) == Ordering::Greater)
    }

    /// The id of the version of `event` this release gives when it
    /// revises it: the original id, `:rev.`, and the release
    /// (`pt-coup-congo-1968-08-03:rev.v2022-11-29`).
    pub fn revision_id(&self, event: &str) -> String {
        let release = slug(self.name());
        format!("{event}:rev.{release}")
    }

    /// Whether a stored event citing `sources` is of this release's
    /// dataset: it cites a source whose id, with `:`, begins the family.
    pub fn cited_by(&self, sources: &[annals_model::SourceId]) -> bool {
        sources.iter().any(|s| {
            let s = s.as_str();
            self.family.len() > s.len()
                && self.family.starts_with(s)
                && self.family.as_bytes()[s.len()] == b':'
        })
    }

    /// Whether this release speaks for `event`, an event of its dataset:
    /// the event lies wholly within the period the release covers, and,
    /// for a family with a ground between the dataset and the release
    /// (ACLED's country, `acled:dataset:mli:`), its id begins with the
    /// dataset's first word and that ground (`acled:mli`). A release that
    /// covers less says nothing of what lies outside it: it does not drop
    /// such events.
    pub fn speaks_for(&self, event: &Event) -> bool {
        let (Some(covers), Some(date)) = (self.covers, event.date) else { return false };
        if date.earliest() < covers.earliest() || date.latest() > covers.latest() {
            return false;
        }
        self.grounds(event.id.as_str(), &event.sources)
    }

    /// Whether this release is of the dataset and the ground of event `id`,
    /// which cites `sources`, whatever its date: it cites the release's
    /// dataset ([`Release::cited_by`]) and, for a family with a ground
    /// (ACLED's country), its id begins with that ground (`acled:mli…`).
    pub fn concerns(&self, id: &str, sources: &[annals_model::SourceId]) -> bool {
        self.cited_by(sources) && self.grounds(id, sources)
    }

    fn grounds(&self, id: &str, sources: &[annals_model::SourceId]) -> bool {
        match self.ground(sources) {
            None => true,
            Some((word, ground)) => {
                id.len() > word.len()
                    && id.starts_with(word)
                    && id[word.len()..].strip_prefix(':').is_some_and(|r| r.starts_with(ground))
            }
        }
    }

    /// The dataset's first word and the ground the family names beyond
    /// the dataset, if any: (`acled`, `mli`) for `acled:dataset:mli:`.
    fn ground<'a>(&'a self, sources: &'a [annals_model::SourceId]) -> Option<(&'a str, &'a str)> {
        let dataset = sources.iter().map(|s| s.as_str()).find(|s| {
            self.family.len() > s.len() + 1
                && self.family.starts_with(s)
                && self.family.as_bytes()[s.len()] == b':'
        })?;
        let ground = self.family[dataset.len() + 1..].trim_end_matches(':');
        let word = dataset.split(':').next().unwrap_or(dataset);
        (!ground.is_empty()).then_some((word, ground))
    }
}

/// Compares release texts in natural order: runs of digits as numbers,
/// the rest as text without case.
pub fn natural_order(a: &str, b: &str) -> Ordering {
    fn runs(s: &str) -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, run)) if *d == digit => run.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for (x, y) in ra.iter().zip(&rb) {
        let order = match (x.0, y.0) {
            (true, true) => {
                let (p, q) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            _ => x.1.to_lowercase().cmp(&y.1.to_lowercase()),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    ra.len().cmp(&rb.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use annals_model::v1::parse_line;

    fn release(line: &str) -> Release {
        Release::of(&parse_line(line).unwrap().event).unwrap()
    }

    fn event(line: &str) -> Event {
        parse_line(line).unwrap().event
    }

    #[test]
    fn releases_in_natural_order() {
        assert_eq!(natural_order("V2015.05.20", "V2022.11.29"), Ordering::Less);
        assert_eq!(natural_order("21.1", "22.1"), Ordering::Less);
        assert_eq!(natural_order("9.1", "10.1"), Ordering::Less);
        assert_eq!(natural_order("2022-03-04", "2020-08-03"), Ordering::Greater);
        assert_eq!(natural_order("22.1", "22.1"), Ordering::Equal);
    }

    #[test]
    fn published_days_decide_before_the_text() {
        let a = release(
            r#"{"type":"source","id":"d:b","title":"d","release":"b","published":"2020-01-01"}"#,
        );
        let b = release(
            r#"{"type":"source","id":"d:a","title":"d","release":"a","published":"2021-01-01"}"#,
        );
        assert_eq!(b.newer_than(&a), Some(true));
        assert_eq!(a.newer_than(&b), Some(false));
        let c = release(r#"{"type":"source","id":"d:1990-2000","title":"d","covers":"1990/2000"}"#);
        assert_eq!(c.family, "d:");
        assert_eq!(c.newer_than(&a), None);
    }

    #[test]
    fn an_acled_release_speaks_for_its_country_and_days_only() {
        let r = release(
            r#"{"type":"source","id":"acled:dataset:mli:2022-03-04","title":"ACLED","release":"2022-03-04","covers":"2017-01-01/2020-12-31"}"#,
        );
        assert_eq!(r.family, "acled:dataset:mli:");
        let at = |id: &str, date: &str| {
            event(&format!(
                r#"{{"type":"attack","id":"{id}","date":"{date}","attacker":"a","place":"p","sources":["acled:dataset"]}}"#
            ))
        };
        assert!(r.cited_by(&at("acled:mli1", "2018").sources));
        assert!(r.speaks_for(&at("acled:mli1", "2018-05-01")));
        assert!(!r.speaks_for(&at("acled:mli1", "2016-12-31")));
        assert!(!r.speaks_for(&at("acled:mli1", "2016/2018")));
        assert!(!r.speaks_for(&at("acled:ner1", "2018-05-01")));
    }

    #[test]
    fn a_release_without_ground_speaks_for_its_dataset_within_its_years() {
        let r = release(
            r#"{"type":"source","id":"powell-thyne:v2022-11-29","title":"P&T","release":"V2022.11.29","covers":"1950/2022"}"#,
        );
        assert_eq!(r.family, "powell-thyne:");
        let coup = event(
            r#"{"type":"coup","id":"pt-coup-x-1966","date":"1966-02-22","state":"x","perpetrator":"y","outcome":"failed","sources":["powell-thyne"]}"#,
        );
        assert!(r.cited_by(&coup.sources));
        assert!(r.speaks_for(&coup));
        assert!(!r.cited_by(&[annals_model::SourceId::new("powell").unwrap()]));
        assert_eq!(r.revision_id("pt-coup-x-1966"), "pt-coup-x-1966:rev.v2022-11-29");
    }
}
