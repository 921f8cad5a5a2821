//! The HTTP API in process, over the built-in chronicle and temporary logs:
//! each route against the command line's `--json`, bad input, the token rule.

use std::path::PathBuf;
use std::sync::Arc;

use annals_app::{Annals, Silent};
use annals_server::{router, Options, Shared};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// A router over `db` (the built-in chronicle without one), writable with [`TOKEN`].
pub(super) fn api(db: Option<&PathBuf>) -> axum::Router {
    let annals = Annals::open(db, now(), Box::new(Silent)).unwrap();
    let shared = Arc::new(Shared::new(annals, Some(TOKEN.to_string())).unwrap());
    router(shared, &Options::new("127.0.0.1:0".parse().unwrap()))
}

async fn send(api: &axum::Router, request: Request<Body>) -> (StatusCode, String) {
    let response = api.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

pub(super) async fn get(api: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let (status, body) = send(api, Request::get(uri).body(Body::empty()).unwrap()).await;
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}"));
    (status, value)
}

/// What the real binary prints with `--json` for `args` on the built-in chronicle.
fn cli_json(args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(args)
        .arg("--json")
        .env_remove("ANNALS_DB")
        .output()
        .expect("the annals binary runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn every_query_route_answers_as_the_command_line_does() {
    let api = api(None);
    let pairs: &[(&str, &[&str])] = &[
        (
            "/api/control?place=bamba-camp&on=2023-10-02",
            &["control", "bamba-camp", "--on", "2023-10-02"],
        ),
        (
            "/api/control?place=Tombouctou&on=2012-06-01",
            &["control", "Tombouctou", "--on", "2012-06-01"],
        ),
        // A town with no control event of its own: the places within it.
        ("/api/control?place=bamba&on=2023-10-02", &["control", "bamba", "--on", "2023-10-02"]),
        ("/api/government?state=mali&on=2021-01-01", &["government", "mali", "--on", "2021-01-01"]),
        ("/api/history?place=kidal", &["history", "kidal"]),
        ("/api/history?place=mali", &["history", "mali"]),
        ("/api/actor?actor=cma&on=2023-10-02", &["actor", "cma", "--on", "2023-10-02"]),
        (
            "/api/diff?from=2023-01-01&to=2024-01-01",
            &["diff", "--from", "2023-01-01", "--to", "2024-01-01"],
        ),
        ("/api/graph?on=2023-10-02", &["graph", "--on", "2023-10-02"]),
        ("/api/map?on=2023-10-02", &["graph", "--on", "2023-10-02", "--format", "geojson"]),
        (
            "/api/map?on=2023-10-02&known_at=2026-01-01T00:00:00Z",
            &[
                "graph",
                "--on",
                "2023-10-02",
                "--format",
                "geojson",
                "--known-at",
                "2026-01-01T00:00:00Z",
            ],
        ),
        ("/api/blocs?on=2015-06-01", &["blocs", "--on", "2015-06-01"]),
        (
            "/api/path?from=cma&to=fama&on=2023-10-02",
            &["path", "cma", "fama", "--on", "2023-10-02"],
        ),
    ];
    for (uri, args) in pairs {
        let (status, value) = get(&api, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {value}");
        let mut expected = cli_json(args);
        // Timelines carry each record's recorded time: the server's log and
        // the command's are built at different moments.
        strip_recorded_at(&mut expected);
        let mut value = value;
        strip_recorded_at(&mut value);
        assert_eq!(value, expected, "{uri} differs from `annals {}` --json", args.join(" "));
    }
}

/// Until the world is replayed, `control`, `government` and `history`
/// answer from the place index, as the command line does; the other
/// routes wait for the world.
#[tokio::test]
async fn before_the_world_is_replayed_answers_come_from_the_place_index() {
    let annals = Annals::open(None, now(), Box::new(Silent)).unwrap();
    let shared = Arc::new(Shared::starting(annals, None));
    let api = router(Arc::clone(&shared), &Options::new("127.0.0.1:0".parse().unwrap()));
    let pairs: &[(&str, &[&str])] = &[
        (
            "/api/control?place=bamba-camp&on=2023-10-02",
            &["control", "bamba-camp", "--on", "2023-10-02"],
        ),
        ("/api/control?place=bamba&on=2023-10-02", &["control", "bamba", "--on", "2023-10-02"]),
        ("/api/government?state=mali&on=2021-01-01", &["government", "mali", "--on", "2021-01-01"]),
        ("/api/history?place=kidal", &["history", "kidal"]),
    ];
    for warm in [false, true] {
        if warm {
            shared.warm_up().unwrap();
        }
        for (uri, args) in pairs {
            let (status, mut value) = get(&api, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {value}");
            let mut expected = cli_json(args);
            strip_recorded_at(&mut expected);
            strip_recorded_at(&mut value);
            assert_eq!(value, expected, "{uri}, world replayed: {warm}");
        }
        // Nothing above waited for (or made) the world.
        assert_eq!(shared.world_if_warm().is_some(), warm);
    }
}

fn strip_recorded_at(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("recorded_at");
            map.values_mut().for_each(strip_recorded_at);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_recorded_at),
        _ => {}
    }
}

#[tokio::test]
async fn the_map_is_geojson_with_every_located_place_and_its_controller() {
    let api = api(None);
    let (status, map) = get(&api, "/api/map?on=2023-10-02").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(map["type"], "FeatureCollection");
    let features = map["features"].as_array().unwrap();
    assert!(features.len() >= 60, "{} places drawn", features.len());
    let camp = features.iter().find(|f| f["id"] == "bamba-camp").expect("bamba-camp is drawn");
    let [lon, lat] = [&camp["geometry"]["coordinates"][0], &camp["geometry"]["coordinates"][1]];
    assert!((lat.as_f64().unwrap() - 17.0).abs() < 1.0 && lon.as_f64().unwrap() < 0.0);
    let control = cli_json(&["control", "bamba-camp", "--on", "2023-10-02"]);
    assert_eq!(camp["properties"]["status"], control["status"]);
    assert_eq!(camp["properties"]["controller"], control["controller"]);
    assert_eq!(camp["properties"]["since"], control["since"]);
}

#[tokio::test]
async fn places_are_found_by_part_of_a_name_case_and_accents_aside() {
    let api = api(None);
    let (_, found) = get(&api, "/api/places?q=MENAKA").await;
    let ids: Vec<&str> =
        found["places"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"menaka"), "{ids:?}");
    assert!(ids.iter().all(|id| id.contains("menaka")), "{ids:?}");
    let (_, none) = get(&api, "/api/places?q=atlantis").await;
    assert_eq!(none["places"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_a_json_error() {
    let api = api(None);
    let cases = [
        ("/api/control?place=bamba&on=2023-13-01", StatusCode::BAD_REQUEST, "usage", "on:"),
        (
            "/api/control?place=atlantis&on=2023-10-01",
            StatusCode::NOT_FOUND,
            "not_found",
            "unknown place `atlantis`",
        ),
        (
            "/api/control?place=bamba&on=2023-10-01&known_at=yesterday",
            StatusCode::BAD_REQUEST,
            "usage",
            "known_at",
        ),
        (
            "/api/government?state=nowhere&on=2020-01-01",
            StatusCode::NOT_FOUND,
            "not_found",
            "unknown state",
        ),
        ("/api/diff?from=2024-01-01&to=2023-01-01", StatusCode::BAD_REQUEST, "usage", "before"),
        ("/api/graph?on=2023-10-02&format=svg", StatusCode::BAD_REQUEST, "usage", "format"),
        (
            "/api/graph?on=2023-10-02&kind=friends",
            StatusCode::BAD_REQUEST,
            "usage",
            "unknown relation kind",
        ),
        ("/api/nothing", StatusCode::NOT_FOUND, "not_found", "no such route"),
    ];
    for (uri, status, kind, words) in cases {
        let (got, body) = get(&api, uri).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_eq!(body["kind"], kind, "{uri}: {body}");
        assert!(body["error"].as_str().unwrap().contains(words), "{uri}: {body}");
    }
    // A missing parameter is refused by the router itself, with a 400.
    let (status, _) =
        send(&api, Request::get("/api/control?place=bamba").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

fn post(uri: &str, token: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.header(header::CONTENT_TYPE, "application/json").body(body.into()).unwrap()
}

const EVENTS: &str = concat!(
    r#"{"type":"source","id":"s1","title":"A report"}"#,
    "\n",
    r#"{"type":"actor","id":"blue","name":"Blue Front"}"#,
    "\n",
    r#"{"type":"place","id":"ostrava","name":"Ostrava","lat":17.0,"lon":-1.4}"#,
    "\n",
    r#"{"type":"control_taken","id":"t1","place":"ostrava","actor":"blue","date":"2014-12-24","sources":["s1"]}"#,
    "\n",
);

#[tokio::test]
async fn writes_need_the_token_and_then_answers_follow_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    Annals::init(&db).unwrap();
    let api = api(Some(&db));
    // No token, a wrong token: refused, nothing stored.
    for token in [None, Some("wrong")] {
        let (status, body) = send(&api, post("/api/import", token, EVENTS)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, _) = get(&api, "/api/control?place=ostrava&on=2015-01-01").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // With the token: stored, and answered at once.
    let (status, body) =
        send(&api, post("/api/import?name=ostrava.jsonl", Some(TOKEN), EVENTS)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let imported: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(imported["appended"], 4);
    let (_, answer) = get(&api, "/api/control?place=ostrava&on=2015-01-01").await;
    assert_eq!(answer["controller"]["id"], "blue");
    // The same file again stores nothing.
    let (_, body) = send(&api, post("/api/import", Some(TOKEN), EVENTS)).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["appended"], 0);
    // A bad line: 422, named by line, nothing stored.
    let bad = "{\"type\":\"actor\",\"id\":\"red\",\"name\":\"Red\"}\n{\"type\":\"control_taken\",\"place\":\"nowhere\",\"actor\":\"red\",\"date\":\"2015\"}\n";
    let (status, body) = send(&api, post("/api/import?name=bad.jsonl", Some(TOKEN), bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("bad.jsonl:2:"), "{body}");
    // Each refused line also comes with the kind of its problem.
    let refused: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(refused["problems"][0]["line"], 2, "{refused}");
    assert_eq!(refused["problems"][0]["kind"], "unknown_reference", "{refused}");
    assert_eq!(refused["problems"][0]["file"], "bad.jsonl", "{refused}");
    crate::schema::validate(&[("error", "a refused upload".into(), refused)]);
    let (status, _) = get(&api, "/api/actor?actor=red&on=2015-01-01").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Retraction: token needed; then the seizure no longer counts.
    let retraction = r#"{"event":"t1","reason":"wrong town"}"#;
    let (status, _) = send(&api, post("/api/retract", None, retraction)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = send(&api, post("/api/retract", Some(TOKEN), retraction)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, answer) = get(&api, "/api/control?place=ostrava&on=2015-01-01").await;
    assert_eq!(answer["status"], "unknown");
    // As the log knew it before the retraction, it still counted.
    let (_, before) = get(&api, "/api/control?place=ostrava&on=2015-01-01&known_at=seq:4").await;
    assert_eq!(before["controller"]["id"], "blue");
    let (status, body) = send(&api, post("/api/retract", Some(TOKEN), retraction)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn the_built_in_chronicle_refuses_writes_even_with_the_token() {
    let api = api(None);
    let (status, body) = send(&api, post("/api/import", Some(TOKEN), EVENTS)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("read-only"), "{body}");
}

#[tokio::test]
async fn the_openapi_document_names_every_route() {
    let api = api(None);
    let (status, doc) = get(&api, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for route in [
        "control",
        "government",
        "history",
        "actor",
        "diff",
        "graph",
        "blocs",
        "path",
        "places",
        "map",
        "import",
        "retract",
    ] {
        assert!(doc["paths"].get(format!("/api/{route}")).is_some(), "{route} is not documented");
    }
}
