//! The shared words of every JSON answer (docs/API.md, "Vocabulary"): how
//! an actor or a place is referred to, how a source is cited, and how a
//! date is given both as EDTF text and as days. Every answer and the graph
//! JSON build these pieces here, so each rule is written once.
//!
//! Fields are declared in the order of their names, which is the order a
//! `serde_json::Value` object prints in: a typed value and its tree print
//! the same bytes.

use std::borrow::Cow;

use annals_model::{ActorId, Date, PlaceId, SourceId};
use annals_replay::World;
use serde::Serialize;
use serde_json::{Map, Value};

/// An actor or a place as answers refer to it: `{id, kind, name}`. `kind`
/// is the kind the log declares (`state`, `armed_group`, `town`, …), null
/// when it declares none; `name` is the id when the log does not describe
/// the entity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntityRef<'w> {
    pub id: Cow<'w, str>,
    pub kind: Option<&'static str>,
    pub name: Cow<'w, str>,
}

impl<'w> EntityRef<'w> {
    /// The actor `id` of `world`.
    pub fn actor(world: &'w World, id: &ActorId) -> EntityRef<'w> {
        let info = world.actor(id.as_str());
        EntityRef::named(
            id.as_str(),
            info.map(|a| (a.id.as_str(), a.name.as_str(), a.kind.map(|k| k.as_str()))),
        )
    }

    /// The place `id` of `world`.
    pub fn place(world: &'w World, id: &PlaceId) -> EntityRef<'w> {
        let info = world.place(id.as_str());
        EntityRef::named(
            id.as_str(),
            info.map(|p| (p.id.as_str(), p.name.as_str(), p.kind.map(|k| k.as_str()))),
        )
    }

    /// `id`, described by `(id, name, kind)` when the log describes it.
    fn named(id: &str, info: Option<(&'w str, &'w str, Option<&'static str>)>) -> EntityRef<'w> {
        match info {
            Some((own, name, kind)) => EntityRef {
                id: if own == id { Cow::Borrowed(own) } else { Cow::Owned(id.to_string()) },
                kind,
                name: Cow::Borrowed(name),
            },
            None => EntityRef {
                id: Cow::Owned(id.to_string()),
                kind: None,
                name: Cow::Owned(id.to_string()),
            },
        }
    }

    /// As a JSON value.
    pub fn json(&self) -> Value {
        serde_json::to_value(self).expect("an entity is JSON")
    }
}

/// A source as answers cite it: `{id, title, url, publisher, published}`,
/// each present, null when the log does not say (`title` is the empty
/// text for a source the log does not describe), with `published`'s days
/// ([`date_fields`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceRef<'w> {
    pub id: &'w str,
    pub published: Option<String>,
    pub published_earliest: Option<String>,
    pub published_latest: Option<String>,
    pub publisher: Option<&'w str>,
    pub title: &'w str,
    pub url: Option<&'w str>,
}

impl<'w> SourceRef<'w> {
    /// The source `id` of `world`.
    pub fn of(world: &'w World, id: &'w SourceId) -> SourceRef<'w> {
        let info = world.source(id.as_str());
        let published = info.and_then(|i| i.published);
        let [published_earliest, published_latest] = days(published.as_ref());
        SourceRef {
            id: id.as_str(),
            published: published.map(|d| d.to_string()),
            published_earliest,
            published_latest,
            publisher: info.and_then(|i| i.publisher.as_deref()),
            title: info.map_or("", |i| i.title.as_str()),
            url: info.and_then(|i| i.url.as_deref()),
        }
    }

    /// As a JSON value.
    pub fn json(&self) -> Value {
        serde_json::to_value(self).expect("a source is JSON")
    }
}

/// The sources `ids` as a JSON array of [`SourceRef`]s, in order.
pub fn sources_json<'w>(world: &'w World, ids: impl IntoIterator<Item = &'w SourceId>) -> Value {
    Value::Array(ids.into_iter().map(|s| SourceRef::of(world, s).json()).collect())
}

/// The first and last day an EDTF date can mean (ISO days), or nulls
/// without a date. A `?` or `~` date means the days its text names, as
/// every answer reads it; an interval `A/B` runs from `A`'s first day to
/// `B`'s last.
pub fn days(date: Option<&Date>) -> [Option<String>; 2] {
    [date.map(|d| d.earliest().to_string()), date.map(|d| d.latest().to_string())]
}

/// The names of the days of the EDTF field `field`: `earliest` and
/// `latest` for an object's own `date`, `X_earliest` and `X_latest` for
/// any other field `X`.
pub fn day_names(field: &str) -> [String; 2] {
    if field == "date" {
        ["earliest".to_string(), "latest".to_string()]
    } else {
        [format!("{field}_earliest"), format!("{field}_latest")]
    }
}

/// Sets the EDTF field `field` of `object` to `date`'s text (null without
/// one) and its days beside it ([`day_names`]).
pub fn date_fields(object: &mut Map<String, Value>, field: &str, date: Option<&Date>) {
    let [earliest, latest] = days(date);
    let [earliest_name, latest_name] = day_names(field);
    object.insert(field.to_string(), date.map(|d| d.to_string()).into());
    object.insert(earliest_name, earliest.into());
    object.insert(latest_name, latest.into());
}

/// [`date_fields`] on a JSON value that is an object.
pub fn set_date(value: &mut Value, field: &str, date: Option<&Date>) {
    let object = value.as_object_mut().expect("dates are set on objects");
    date_fields(object, field, date);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(lines: &str) -> World {
        World::replay(annals_testkit::recorded(annals_testkit::parse_lines(lines)))
    }

    #[test]
    fn a_month_means_its_first_and_last_day() {
        let d: Date = "2017-06".parse().unwrap();
        let mut v = serde_json::json!({});
        set_date(&mut v, "date", Some(&d));
        assert_eq!(
            v,
            serde_json::json!({"date": "2017-06", "earliest": "2017-06-01", "latest": "2017-06-30"})
        );
        let approx: Date = "2023-10-01~".parse().unwrap();
        set_date(&mut v, "since", Some(&approx));
        assert_eq!(v["since"], "2023-10-01~");
        assert_eq!(v["since_earliest"], "2023-10-01");
        assert_eq!(v["since_latest"], "2023-10-01");
        let interval: Date = "2012?/2013-02".parse().unwrap();
        assert_eq!(days(Some(&interval)), [Some("2012-01-01".into()), Some("2013-02-28".into())]);
        set_date(&mut v, "until", None);
        assert_eq!(
            (&v["until"], &v["until_earliest"], &v["until_latest"]),
            (&Value::Null, &Value::Null, &Value::Null)
        );
    }

    #[test]
    fn an_entity_without_a_declared_kind_prints_kind_null() {
        let w = world(concat!(
            "{\"type\":\"actor\",\"id\":\"a\",\"name\":\"Alpha\",\"kind\":\"armed_group\"}\n",
            "{\"type\":\"actor\",\"id\":\"b\",\"name\":\"Beta\"}\n",
            "{\"type\":\"place\",\"id\":\"p\",\"name\":\"Pa\",\"kind\":\"town\"}",
        ));
        let a = EntityRef::actor(&w, &ActorId::new("a").unwrap());
        assert_eq!(a.json().to_string(), r#"{"id":"a","kind":"armed_group","name":"Alpha"}"#);
        let b = EntityRef::actor(&w, &ActorId::new("b").unwrap());
        assert_eq!(b.json().to_string(), r#"{"id":"b","kind":null,"name":"Beta"}"#);
        let p = EntityRef::place(&w, &PlaceId::new("p").unwrap());
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"id":"p","kind":"town","name":"Pa"}"#);
        // One the log does not describe is named by its id.
        let x = EntityRef::actor(&w, &ActorId::new("x").unwrap());
        assert_eq!(x.json().to_string(), r#"{"id":"x","kind":null,"name":"x"}"#);
    }

    #[test]
    fn a_source_has_every_field_null_when_unknown() {
        let w = world(concat!(
            "{\"type\":\"source\",\"id\":\"s\",\"title\":\"T\",\"publisher\":\"P\",\"published\":\"2017-06\",\"url\":\"https://example.org/\"}\n",
            "{\"type\":\"source\",\"id\":\"bare\",\"title\":\"B\"}",
        ));
        let s = SourceId::new("s").unwrap();
        assert_eq!(
            SourceRef::of(&w, &s).json(),
            serde_json::json!({"id": "s", "title": "T", "url": "https://example.org/", "publisher": "P",
                "published": "2017-06", "published_earliest": "2017-06-01", "published_latest": "2017-06-30"})
        );
        let bare = SourceId::new("bare").unwrap();
        assert_eq!(
            serde_json::to_string(&SourceRef::of(&w, &bare)).unwrap(),
            r#"{"id":"bare","published":null,"published_earliest":null,"published_latest":null,"publisher":null,"title":"B","url":null}"#
        );
    }
}
