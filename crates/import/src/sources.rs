//! The sources a dataset import creates: one for the dataset, the same
//! whatever its release, which every imported event cites (so an event two
//! releases agree on is the same event, byte for byte); and one for the
//! release read, which says which release it is and the years the file
//! covers. A release's id is the dataset's, `:`, and the release
//! (`powell-thyne:v2022.11.29`), so an answer that cites the dataset finds
//! the coverage of every release the log holds.

use annals_model::{Event, EventKind, RefKind, SourceId};

use crate::dates::years;
use crate::emit::{noted_entity, slug};
use crate::table::Out;
use crate::Problem;

/// A dataset as a source.
pub(crate) struct DatasetSource {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) publisher: &'static str,
    pub(crate) url: Option<&'static str>,
    /// The citation the dataset asks for.
    pub(crate) cite: &'static str,
}

impl DatasetSource {
    /// Its id, for the `sources` of events.
    pub(crate) fn source_id(&self) -> SourceId {
        SourceId::new(self.id).expect("dataset ids are slugs")
    }

    /// Creates its source (if the log lacks it) and returns the `sources`
    /// every event of the dataset cites.
    pub(crate) fn cited(&self, out: &mut Out<'_, '_>) -> Result<Vec<SourceId>, Problem> {
        out.entity(RefKind::Source, self.id, || {
            source(self.id, self.title, self.publisher, self.url, None, None, self.cite)
        })?;
        Ok(vec![self.source_id()])
    }
}

/// What a file says about its release: the release, if a column names
/// it, and the years its records fall in.
#[derive(Debug, Default)]
pub(crate) struct Coverage {
    release: Option<String>,
    first: Option<u16>,
    last: Option<u16>,
    /// The first record's line: where the release's source is reported.
    line: usize,
}

impl Coverage {
    /// Takes in a record of `year` at `line`.
    pub(crate) fn year(&mut self, year: u16, line: usize) {
        if self.first.is_none() {
            self.line = line;
        }
        self.first = Some(self.first.map_or(year, |f| f.min(year)));
        self.last = Some(self.last.map_or(year, |l| l.max(year)));
    }

    /// The last year of a record so far.
    pub(crate) fn last(&self) -> Option<u16> {
        self.last
    }

    /// The release a record names (the first one is kept).
    pub(crate) fn release(&mut self, release: &str) {
        if self.release.is_none() && !release.trim().is_empty() {
            self.release = Some(release.trim().to_string());
        }
    }

    /// The release's source, at the end of the file (nothing for a file
    /// without records): `extra` is the citation of this release, if the
    /// dataset asks for one beside its own.
    pub(crate) fn emit(
        &self,
        dataset: &DatasetSource,
        extra: Option<&str>,
        out: &mut Out<'_, '_>,
    ) -> Result<(), (usize, Problem)> {
        let (Some(first), Some(last)) = (self.first, self.last) else { return Ok(()) };
        let fail = |e: Problem| (self.line, e);
        let covers = years(first, last).map_err(fail)?;
        let (id, title) = match self.release.as_deref().filter(|r| !slug(r).is_empty()) {
            Some(r) => {
                (format!("{}:{}", dataset.id, slug(r)), format!("{}, release {r}", dataset.title))
            }
            None => (
                format!("{}:{first}-{last}", dataset.id),
                format!("{}, the release covering {first}–{last}", dataset.title),
            ),
        };
        let cite = match extra {
            Some(extra) => format!("{} {extra}", dataset.cite),
            None => dataset.cite.to_string(),
        };
        let release = self.release.clone();
        out.at(self.line)
            .entity(RefKind::Source, &id, || {
                source(&id, &title, dataset.publisher, dataset.url, release, Some(covers), &cite)
            })
            .map_err(fail)
    }
}

fn source(
    id: &str,
    title: &str,
    publisher: &str,
    url: Option<&str>,
    release: Option<String>,
    covers: Option<annals_model::Date>,
    cite: &str,
) -> Result<Event, Problem> {
    let kind = EventKind::Source {
        title: title.to_string(),
        publisher: Some(publisher.to_string()),
        published: None,
        url: url.map(str::to_string),
        release,
        covers,
    };
    noted_entity(id, kind, Some(format!("Cite: {cite}")))
}
