//! Questions over a month or a year (`--on 2023-10`, `--on 2012`), and
//! `--known-at` a date: each period answer agrees with the one-day answers
//! of its days, and a date as known-at counts every record of that day.

use serde_json::Value;

use super::{annals, json, Db};

/// The fields a one-day answer and a span of a period answer share.
const SAME: &[&str] = &["status", "controller", "since", "event", "claim", "sources", "candidates"];

fn day_after(day: &str, days: i64) -> String {
    let d: chrono::NaiveDate = day.parse().unwrap();
    (d + chrono::TimeDelta::days(days)).to_string()
}

/// Checks the spans of a period answer against the one-day answers of
/// `command NAME --on DAY`: each span's first and last day answer as the
/// span says, and the day before each later span answers differently.
fn agrees_with_days(period: &Value, command: &str, name: &str) {
    let spans = period["spans"].as_array().unwrap();
    assert_eq!(period["throughout"], spans.len() == 1, "{period:#}");
    assert_eq!(spans[0]["from"], period["period"]["from"]);
    assert_eq!(spans.last().unwrap()["to"], period["period"]["to"]);
    for (i, span) in spans.iter().enumerate() {
        let from = span["from"].as_str().unwrap();
        let to = span["to"].as_str().unwrap();
        assert_eq!(span["date"], from);
        for day in [from, to] {
            let one = json(&[command, name, "--on", day, "--json"]);
            for field in SAME {
                assert_eq!(one[field], span[field], "{command} {name} on {day}: {field}");
            }
        }
        if i > 0 {
            assert_eq!(spans[i - 1]["to"].as_str().unwrap(), day_after(from, -1));
            let before = json(&[command, name, "--on", &day_after(from, -1), "--json"]);
            assert!(
                SAME.iter().any(|f| before[f] != span[f]),
                "{command} {name}: nothing changed on {from}"
            );
        }
    }
}

#[test]
fn control_over_a_month_says_what_changed_and_when() {
    let v = json(&["control", "bamba-camp", "--on", "2023-10", "--json"]);
    assert_eq!(v["place"]["id"], "bamba-camp");
    assert_eq!(v["period"]["asked"], "2023-10");
    assert_eq!(
        (v["period"]["from"].as_str(), v["period"]["to"].as_str()),
        (Some("2023-10-01"), Some("2023-10-31"))
    );
    assert_eq!(v["throughout"], false);
    let spans = v["spans"].as_array().unwrap();
    // The CMA's claims and withdrawal of 1 October, then the army back on the 2nd.
    assert_eq!(spans[0]["event"], "cma-withdraws-bamba-camp-2023-10-01");
    let last = spans.last().unwrap();
    assert_eq!(last["controller"]["id"], "fama");
    assert!(!last["sources"].as_array().unwrap().is_empty());
    agrees_with_days(&v, "control", "bamba-camp");

    let text = super::ok(&["control", "bamba-camp", "--on", "2023-10"]);
    assert!(text.contains("over 2023-10 (2023-10-01 to 2023-10-31)"), "{text}");
    assert!(
        text.contains("from 2023-10-02 to 2023-10-31: controlled by Malian Armed Forces (fama)"),
        "{text}"
    );
    assert!(text.contains("sources:"), "{text}");

    let v = json(&["control", "timbuktu", "--on", "2013", "--json"]);
    assert_eq!(v["throughout"], false);
    agrees_with_days(&v, "control", "timbuktu");
}

#[test]
fn a_year_without_change_is_said_to_hold_throughout() {
    let v = json(&["government", "mali", "--on", "2015", "--json"]);
    assert_eq!(v["state"]["id"], "mali");
    assert_eq!(v["throughout"], true, "{v:#}");
    agrees_with_days(&v, "government", "mali");
    let text = super::ok(&["government", "mali", "--on", "2015"]);
    assert!(
        text.starts_with("Mali (mali) throughout 2015 (2015-01-01 to 2015-12-31): governed by"),
        "{text}"
    );
}

#[test]
fn government_over_a_year_lists_each_coup() {
    let v = json(&["government", "mali", "--on", "2012", "--json"]);
    let starts: Vec<&str> =
        v["spans"].as_array().unwrap().iter().map(|s| s["from"].as_str().unwrap()).collect();
    assert!(starts.contains(&"2012-03-22"), "the coup of 22 March 2012: {starts:?}");
    agrees_with_days(&v, "government", "mali");
}

#[test]
fn a_town_without_events_of_its_own_shows_the_places_within_over_the_period() {
    let v = json(&["control", "bamba", "--on", "2023", "--json"]);
    let within = v["within"].as_array().expect("the places within Bamba");
    let camp = within.iter().find(|w| w["place"]["id"] == "bamba-camp").expect("the camp");
    let spans = camp["spans"].as_array().unwrap();
    assert_eq!(spans.last().unwrap()["controller"]["id"], "fama");
    assert!(spans.iter().any(|s| s["from"] == "2023-10-01"), "{camp:#}");
    let text = super::ok(&["control", "bamba", "--on", "2023"]);
    assert!(text.contains("`annals control bamba-camp --on 2023`"), "{text}");
}

#[test]
fn questions_of_one_day_refuse_a_period_and_say_so() {
    let cases: &[&[&str]] = &[
        &["graph", "--on", "2023-10"],
        &["actor", "cma", "--on", "2023"],
        &["blocs", "--on", "2023-10"],
        &["path", "cma", "fama", "--on", "2023-10"],
        &["diff", "--from", "2023", "--to", "2024-01-01"],
    ];
    for args in cases {
        let out = annals(args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "annals {args:?}: {stderr}");
        assert!(stderr.contains("answered for one day"), "annals {args:?}: {stderr}");
    }
}

#[test]
fn date_errors_say_what_was_expected() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["control", "bamba", "--on", "yesterday"],
            "expected a date like 2023-10-02, 2023-10 or 2023",
        ),
        (&["control", "bamba", "--on", "2023-10~"], "approximate"),
        (&["control", "bamba", "--on", "2023-13"], "month 13 does not exist"),
        (
            &["control", "bamba", "--on", "2023-10-02", "--known-at", "yesterday"],
            "expected a date like 2023-10-02, 2023-10 or 2023, or a time like 2024-01-01T12:00:00Z",
        ),
    ];
    for (args, expected) in cases {
        let out = annals(args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "annals {args:?}: {stderr}");
        assert!(stderr.contains(expected), "annals {args:?}: {stderr}");
    }
}

#[test]
fn known_at_a_date_counts_every_record_of_that_day() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    let file = super::write(
        dir.path(),
        "e.jsonl",
        "{\"type\":\"actor\",\"id\":\"a\",\"name\":\"A\"}\n{\"type\":\"place\",\"id\":\"p\",\"name\":\"P\"}\n{\"type\":\"control_taken\",\"id\":\"t\",\"place\":\"p\",\"actor\":\"a\",\"date\":\"2020\"}\n",
    );
    db.run(&["import", &file]);
    let log = db.run(&["--json", "log"]);
    let first: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    let recorded: chrono::DateTime<chrono::Utc> =
        first["recorded_at"].as_str().unwrap().parse().unwrap();
    let day = recorded.date_naive().to_string();
    let control = |known: &str| {
        annals(&[
            "--db",
            db.p(),
            "--json",
            "control",
            "p",
            "--on",
            "2021-01-01",
            "--known-at",
            known,
        ])
    };
    // The day it was recorded: known, whatever the time of day.
    let out = control(&day);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["controller"]["id"], "a");
    // The same as the end of that day, and as its month and its year.
    let end = format!("{day}T23:59:59.999999999Z");
    for known in [end.as_str(), &day[..7], &day[..4]] {
        assert_eq!(control(known).stdout, out.stdout, "--known-at {known}");
    }
    // The day before: the place was not yet known.
    let out = control(&day_after(&day, -1));
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn the_api_takes_a_date_as_known_at_and_refuses_a_period_as_on() {
    let api = super::server::api(None);
    let (status, v) = super::server::get(&api, "/api/control?place=bamba-camp&on=2023-10").await;
    assert_eq!(status, 400, "{v}");
    assert!(v["error"].as_str().unwrap().contains("answered for one day"), "{v}");
    let uri = "/api/control?place=bamba-camp&on=2023-10-02&known_at=2999-01-01";
    let (status, v) = super::server::get(&api, uri).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["controller"]["id"], "fama");
    let uri = "/api/control?place=bamba-camp&on=2023-10-02&known_at=yesterday";
    let (status, v) = super::server::get(&api, uri).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["error"].as_str().unwrap().contains("expected a date like"), "{v}");
}
