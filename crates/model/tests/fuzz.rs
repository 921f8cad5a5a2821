//! Fuzzing the parsers of untrusted text: the line parser of interchange
//! format v1 (`v1::parse_line`), the EDTF date parser, query days and
//! `--known-at`. Random text and bytes, and structured inputs that are nearly
//! right (JSON objects of the right shape with values of the wrong kind,
//! valid lines with one edit). The property is no panic, and that whatever is
//! accepted is well formed: it writes back to a line that reads as the same
//! event, and a date's interval runs forwards.
//!
//! Case counts keep each test to a few seconds in a debug build;
//! `PROPTEST_CASES` raises them for a longer run.

use annals_model::{parse_day, v1, Date, KnownAt};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Whatever `parse_line` accepts, written back canonically, reads back as the
/// same event, and writing is stable.
fn accepted_lines_round_trip(line: &str) -> Result<(), TestCaseError> {
    if let Ok(parsed) = v1::parse_line(line) {
        let canonical = v1::to_line(&parsed.event);
        let again = v1::parse_line(&canonical)
            .map_err(|e| TestCaseError::fail(format!("{e}: {line} → {canonical}")))?;
        prop_assert_eq!(&again.event, &parsed.event, "{} → {}", line, canonical);
        prop_assert_eq!(v1::to_line(&again.event), canonical);
    }
    Ok(())
}

/// Whatever parses as a date is an interval that runs forwards and reads
/// back from its own text.
fn accepted_dates_are_well_formed(text: &str) -> Result<(), TestCaseError> {
    if let Ok(date) = text.parse::<Date>() {
        prop_assert!(date.earliest() <= date.latest(), "{}", text);
        let shown = date.to_string();
        prop_assert_eq!(shown.parse::<Date>().ok(), Some(date), "{} → {}", text, shown);
    }
    if let Ok(day) = parse_day(text) {
        prop_assert_eq!(day.to_string(), text);
    }
    Ok(())
}

/// Every field name format v1 knows.
fn fields() -> Vec<&'static str> {
    v1::COMMON.iter().chain(v1::ALL_FIELDS).copied().collect()
}

/// Strings that are nearly valid somewhere: ids, keywords, dates, and junk.
fn near_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(v1::TYPES).prop_map(str::to_string),
        prop::sample::select(&["cma", "bamba", "a", "a-b", "x:y.z", "CMA", "a--b", "-a", ""][..])
            .prop_map(str::to_string),
        prop::sample::select(
            &["confirmed", "claimed", "town", "armed_group", "successful", "failed", "base"][..]
        )
        .prop_map(str::to_string),
        date_like(),
        "[a-z0-9:._-]{0,12}",
        any::<String>(),
    ]
}

/// Text shaped like an EDTF date, right or wrong.
fn date_like() -> impl Strategy<Value = String> {
    let point = "[0-9]{0,5}(-[0-9]{0,3}){0,3}[?~]{0,2}";
    prop_oneof![
        proptest::string::string_regex(point).unwrap(),
        proptest::string::string_regex(&format!("{point}/{point}")).unwrap(),
        proptest::string::string_regex(&format!("{point}/{point}/{point}")).unwrap(),
        "[0-9\\-/?~.T:Z+ ]{0,24}",
    ]
}

/// Any JSON value, with extreme numbers and nearly valid strings.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<u64>().prop_map(|n| Value::Number(n.into())),
        prop_oneof![
            any::<f64>(),
            Just(-0.0),
            Just(f64::MIN_POSITIVE),
            Just(90.000_000_000_1),
            Just(-180.0),
            Just(1e308)
        ]
        .prop_filter_map("finite", Number::from_f64)
        .prop_map(Value::Number),
        near_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(near_string().prop_map(Value::String), 0..4)
                .prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object with a (mostly known) type and a handful of (mostly known)
/// fields holding values of any kind: the shape of a line, the content wrong.
fn structured_line() -> impl Strategy<Value = String> {
    let key = prop_oneof![8 => prop::sample::select(fields()).prop_map(str::to_string), 1 => "[a-z_]{1,8}"];
    let ty = prop_oneof![
        8 => prop::sample::select(v1::TYPES).prop_map(|t| Value::String(t.to_string())),
        1 => json_value(),
    ];
    (ty, prop::collection::vec((key, json_value()), 0..8)).prop_map(|(ty, fields)| {
        let mut map = Map::new();
        map.insert("type".to_string(), ty);
        for (k, v) in fields {
            map.insert(k, v);
        }
        Value::Object(map).to_string()
    })
}

/// A valid line with one edit: a character removed, replaced or inserted, or
/// the line cut short.
fn edited_line() -> impl Strategy<Value = String> {
    (annals_testkit::event(), any::<prop::sample::Index>(), any::<char>(), 0u8..4).prop_map(
        |(event, at, c, edit)| {
            let mut chars: Vec<char> = v1::to_line(&event).chars().collect();
            let i = at.index(chars.len());
            match edit {
                0 => {
                    chars.remove(i);
                }
                1 => chars[i] = c,
                2 => chars.insert(i, c),
                _ => chars.truncate(i),
            }
            chars.into_iter().collect()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_line_survives_any_text(line in any::<String>()) {
        accepted_lines_round_trip(&line)?;
    }

    #[test]
    fn parse_line_survives_any_bytes_read_as_text(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        accepted_lines_round_trip(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn parse_line_survives_objects_of_the_right_shape_with_wrong_values(line in structured_line()) {
        accepted_lines_round_trip(&line)?;
    }

    #[test]
    fn parse_line_survives_one_edit_to_a_valid_line(line in edited_line()) {
        accepted_lines_round_trip(&line)?;
    }

    #[test]
    fn dates_survive_any_text(text in any::<String>()) {
        accepted_dates_are_well_formed(&text)?;
    }

    #[test]
    fn dates_survive_text_shaped_like_dates(text in date_like()) {
        accepted_dates_are_well_formed(&text)?;
    }

    #[test]
    fn known_at_survives_any_text(text in prop_oneof![any::<String>(), "seq:[0-9]{0,25}", "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+Z-]{0,20}"]) {
        let _ = text.parse::<KnownAt>();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Long nestings and long values: errors, not crashes, and short messages.
    #[test]
    fn parse_line_survives_deep_and_long_values(depth in 0usize..5_000, open in prop::sample::select(&["[", "{\"a\":"][..]), long in 0usize..200_000) {
        let close = if open == "[" { "]" } else { "}" };
        let line = format!(
            "{{\"type\":\"source\",\"id\":\"s\",\"title\":\"T\",\"note\":{}1{}}}",
            open.repeat(depth),
            close.repeat(depth)
        );
        accepted_lines_round_trip(&line)?;
        let line = format!("{{\"type\":\"{}\"}}", "y".repeat(long));
        let message = v1::parse_line(&line).unwrap_err().to_string();
        prop_assert!(message.len() < 1_000, "{} bytes", message.len());
    }
}
