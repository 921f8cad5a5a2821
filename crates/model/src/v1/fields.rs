//! The fields of one line of format v1, taken out one by one and checked.

use std::borrow::Cow;

use serde_json::Value;

use super::{bad, describe, excerpt, LineError};
use crate::date::Date;
use crate::event::is_coordinate;
use crate::id::IdError;

/// The fields of one line, taken out one by one; what remains at the end was
/// not expected on this line type.
pub(super) struct Fields<'a> {
    pub(super) fields: Vec<(Cow<'a, str>, Value)>,
}

impl Fields<'_> {
    /// Takes out the value of `field`, if the line has it.
    pub(super) fn remove(&mut self, field: &str) -> Option<Value> {
        let at = self.fields.iter().position(|(k, _)| k == field)?;
        Some(self.fields.swap_remove(at).1)
    }

    /// The names of the fields not taken out yet.
    pub(super) fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.fields.iter().map(|(k, _)| k.as_ref())
    }

    /// A string field; `null` counts as absent.
    pub(super) fn string(&mut self, field: &'static str) -> Result<Option<String>, LineError> {
        match self.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(bad(field, format!("expected a string, found {}", describe(&other))))
            }
        }
    }

    /// A string field that must not be blank.
    pub(super) fn text(&mut self, field: &'static str) -> Result<Option<String>, LineError> {
        match self.string(field)? {
            Some(s) if s.trim().is_empty() => Err(bad(field, "must not be empty")),
            other => Ok(other),
        }
    }

    pub(super) fn texts(&mut self, field: &'static str) -> Result<Option<Vec<String>>, LineError> {
        self.list(field, |s| {
            if s.trim().is_empty() {
                Err(bad(field, "must not contain an empty name"))
            } else {
                Ok(s)
            }
        })
    }

    pub(super) fn list<T>(
        &mut self,
        field: &'static str,
        mut each: impl FnMut(String) -> Result<T, LineError>,
    ) -> Result<Option<Vec<T>>, LineError> {
        match self.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => each(s),
                    other => Err(bad(
                        field,
                        format!("expected a list of strings, found {} in it", describe(&other)),
                    )),
                })
                .collect::<Result<Vec<T>, _>>()
                .map(Some),
            Some(other) => Err(bad(field, format!("expected a list, found {}", describe(&other)))),
        }
    }

    pub(super) fn id<T>(
        &mut self,
        field: &'static str,
        new: fn(String) -> Result<T, IdError>,
    ) -> Result<Option<T>, LineError> {
        self.string(field)?
            .map(|s| new(s).map_err(|source| LineError::BadId { field, source }))
            .transpose()
    }

    pub(super) fn ids<T>(
        &mut self,
        field: &'static str,
        new: fn(String) -> Result<T, IdError>,
    ) -> Result<Option<Vec<T>>, LineError> {
        self.list(field, |s| new(s).map_err(|source| LineError::BadId { field, source }))
    }

    pub(super) fn date(&mut self, field: &'static str) -> Result<Option<Date>, LineError> {
        self.string(field)?
            .map(|s| s.parse::<Date>().map_err(|source| LineError::BadDate { field, source }))
            .transpose()
    }

    pub(super) fn keyword<K: Copy + std::fmt::Display>(
        &mut self,
        field: &'static str,
        parse: fn(&str) -> Option<K>,
        all: &[K],
    ) -> Result<Option<K>, LineError> {
        self.string(field)?
            .map(|s| {
                parse(&s).ok_or_else(|| {
                    let names: Vec<String> = all.iter().map(|k| k.to_string()).collect();
                    bad(field, format!("`{}` is not one of {}", excerpt(&s), names.join(", ")))
                })
            })
            .transpose()
    }

    pub(super) fn coordinate(
        &mut self,
        field: &'static str,
        limit: f64,
    ) -> Result<Option<f64>, LineError> {
        match self.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if is_coordinate(x, limit) => Ok(Some(x)),
                _ => Err(bad(field, format!("{n} is outside -{limit}..{limit}"))),
            },
            Some(other) => {
                Err(bad(field, format!("expected a number, found {}", describe(&other))))
            }
        }
    }

    pub(super) fn count(&mut self, field: &'static str) -> Result<Option<u64>, LineError> {
        match self.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
                bad(field, format!("{n} is not a whole number from 0 to {}", u64::MAX))
            }),
            Some(other) => {
                Err(bad(field, format!("expected a number, found {}", describe(&other))))
            }
        }
    }
}
