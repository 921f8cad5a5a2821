//! The fields of one line of format v1, taken out one by one and checked.

use std::borrow::Cow;

use serde_json::Value;

use super::{bad, describe, excerpt, LineError};
use crate::date::Date;
use crate::event::is_coordinate;
use crate::id::IdError;

/// `name` if it keeps something once folded for lookup; else the error.
fn findable(field: &'static str, name: String) -> Result<String, LineError> {
    if crate::normalize_name(&name).is_empty() {
        let shown: Vec<String> =
            name.chars().take(8).map(|c| format!("U+{:04X}", c as u32)).collect();
        return Err(bad(
            field,
            format!("the name `{}` ({}) is only spacing and combining marks: it would be found by an empty search; give letters, digits or signs", excerpt(&name), shown.join(" ")),
        ));
    }
    Ok(name)
}

/// The fields of one line, taken out one by one; what remains at the end was
/// not expected on this line type.
pub(super) struct Fields<'a> {
    pub(super) fields: Vec<(Cow<'a, str>, Value)>,
    /// The line, to quote a number as it is written there.
    pub(super) line: &'a str,
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

    /// A name or list of names of an actor or place: each must keep
    /// something to be found by once case, accents and spacing are set
    /// aside ([`normalize_name`](crate::normalize_name)): a name of
    /// combining marks alone would be found by an empty search.
    pub(super) fn name(&mut self, field: &'static str) -> Result<Option<String>, LineError> {
        match self.text(field)? {
            Some(s) => findable(field, s).map(Some),
            None => Ok(None),
        }
    }

    pub(super) fn texts(&mut self, field: &'static str) -> Result<Option<Vec<String>>, LineError> {
        self.list(field, |s| {
            if s.trim().is_empty() {
                Err(bad(field, "must not contain an empty name"))
            } else {
                findable(field, s)
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
                _ => {
                    let n = self.written(field, &n);
                    Err(bad(field, format!("{n} is outside -{limit}..{limit}")))
                }
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
                let n = self.written(field, &n);
                bad(field, format!("{n} is not a whole number from 0 to {}", u64::MAX))
            }),
            Some(other) => {
                Err(bad(field, format!("expected a number, found {}", describe(&other))))
            }
        }
    }

    /// The number `n` of `field` as the line writes it (`1e2`, not the
    /// `100.0` it reads as), quoted short; as it reads when the line's text
    /// cannot be told (a key written with escapes).
    fn written(&self, field: &str, n: &serde_json::Number) -> String {
        let key = format!("\"{field}\"");
        let mut from = 0;
        while let Some(at) = self.line[from..].find(&key) {
            let start = from + at;
            from = start + key.len();
            // A key, not text inside a string (where quotes are escaped).
            if self.line[..start].ends_with('\\') {
                continue;
            }
            let Some(rest) = self.line[from..].trim_start().strip_prefix(':') else { continue };
            let rest = rest.trim_start();
            let end = rest
                .find(|c: char| !matches!(c, '0'..='9' | '-' | '+' | '.' | 'e' | 'E'))
                .unwrap_or(rest.len());
            let text = &rest[..end];
            if !text.is_empty() && text.parse::<f64>().ok() == n.as_f64() {
                return excerpt(text).to_string();
            }
        }
        n.to_string()
    }
}
