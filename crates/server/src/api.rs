//! The routes of the HTTP API: each parses its query, answers on a blocking
//! thread (replay and lookups are CPU work), and returns the JSON of
//! [`annals_app::answer`], or an error as `{"error", "kind"}`.

use std::sync::Arc;
use std::time::Duration;

use annals_app::map::{control_map, MapBase};
use annals_app::{
    answer, dated_graph, parse_day_arg, parse_known_at, resolve_actor, resolve_node, resolve_place,
    Asked, Error, ErrorKind, GraphQuery, Timeline,
};
use annals_model::KnownAt;
use annals_replay::{RelationKind, World};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{Options, Shared};

/// The OpenAPI document of this API.
const OPENAPI: &str = include_str!("openapi.json");

/// What every route holds: the shared state and the time a request may take.
#[derive(Clone, Debug)]
struct Api {
    shared: Arc<Shared>,
    timeout: Duration,
}

/// The API's routes over `shared`, with the limits of `options`, and the
/// web page's (`/`, `/assets/...`).
pub fn router(shared: Arc<Shared>, options: &Options) -> Router {
    let page = crate::page::routes(shared.clone());
    let api = Api { shared, timeout: options.timeout };
    Router::new()
        .route("/api/control", get(control))
        .route("/api/government", get(government))
        .route("/api/history", get(history))
        .route("/api/actor", get(actor))
        .route("/api/diff", get(diff))
        .route("/api/graph", get(graph))
        .route("/api/blocs", get(blocs))
        .route("/api/path", get(path))
        .route("/api/places", get(places))
        .route("/api/map", get(map))
        .route("/api/import", post(import))
        .route("/api/retract", post(retract))
        .route("/api/openapi.json", get(openapi))
        .merge(page)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(options.max_body))
        .with_state(api)
}

/// A request's query parameters; a missing or malformed one is refused
/// with a JSON error, like every other bad input.
struct Params<T>(T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Params<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Params(value)),
            Err(e) => Err(problem(StatusCode::BAD_REQUEST, "usage", &e.body_text())),
        }
    }
}

/// A successful answer: JSON, or text of a media type (DOT, GraphML, GEXF).
enum Reply {
    Json(Value),
    Text(String, &'static str),
    Bytes(Vec<u8>, &'static str),
}

/// Runs `work` on a blocking thread within the request's time limit.
async fn run(
    api: Api,
    work: impl FnOnce(&Shared) -> Result<Reply, Error> + Send + 'static,
) -> Response {
    let shared = api.shared.clone();
    let task = tokio::task::spawn_blocking(move || work(&shared));
    match tokio::time::timeout(api.timeout, task).await {
        Ok(Ok(result)) => respond(result),
        Ok(Err(_)) => problem(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the query failed"),
        Err(_) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            &format!("no answer within {} s", api.timeout.as_secs()),
        ),
    }
}

/// The response of a reply or an error.
fn respond(result: Result<Reply, Error>) -> Response {
    match result {
        Ok(Reply::Json(value)) => Json(value).into_response(),
        Ok(Reply::Text(text, media)) => ([(header::CONTENT_TYPE, media)], text).into_response(),
        Ok(Reply::Bytes(bytes, media)) => ([(header::CONTENT_TYPE, media)], bytes).into_response(),
        Err(e) => error(&e),
    }
}

/// An error as `{"error": message, "kind": kind}` with its status.
fn error(e: &Error) -> Response {
    let kind = e.kind();
    let status = match kind {
        ErrorKind::Usage => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Refused => StatusCode::CONFLICT,
        ErrorKind::InUse => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut body = json!({ "error": chain(e), "kind": kind.as_str() });
    // A refused import also lists its lines, each with the kind of its problem.
    if let Some(lines) = e.refused_lines() {
        body["problems"] = annals_app::refused_lines_json(lines);
    }
    (status, Json(body)).into_response()
}

fn problem(status: StatusCode, kind: &str, message: &str) -> Response {
    (status, Json(json!({ "error": message, "kind": kind }))).into_response()
}

/// An error and its causes, as "what: why: why".
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

async fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "not_found", "no such route; /api/openapi.json lists them")
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// `known_at`, if given.
fn known(text: Option<&str>) -> Result<Option<KnownAt>, Error> {
    text.map(|t| parse_known_at("known_at", t)).transpose()
}

/// The world as the log knew it at `known_at`: the warm one for now.
fn world_at(shared: &Shared, known_at: Option<&KnownAt>) -> Result<Arc<World>, Error> {
    match known_at {
        None => Ok(shared.world()),
        Some(k) => Ok(Arc::new(shared.annals().replay(Some(k))?)),
    }
}

/// Relation kinds as a comma-separated list.
fn kinds(text: Option<&str>) -> Result<Vec<RelationKind>, Error> {
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(Vec::new()) };
    text.split(',')
        .map(|k| {
            RelationKind::parse(k.trim()).ok_or_else(|| {
                let all: Vec<&str> = RelationKind::ALL.iter().map(|k| k.as_str()).collect();
                Error::Argument(format!(
                    "kind: unknown relation kind `{k}`; the kinds are {}",
                    all.join(", ")
                ))
            })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
struct PlaceOn {
    place: String,
    on: String,
    known_at: Option<String>,
}

async fn control(State(api): State<Api>, Params(q): Params<PlaceOn>) -> Response {
    // Even an answer of tens of microseconds runs on a blocking thread:
    // on the async worker, 8 clients on 2 cores get more answers a second
    // but a longer p99 (2.3-2.6 ms against 1.5-2.1 with the load example).
    run(api, move |shared| {
        let day = parse_day_arg("on", &q.on)?;
        let known_at = known(q.known_at.as_deref())?;
        // The warm world; before the first replay is done, or for another
        // `known_at`, the place index's world, as the command line answers.
        let (place, world, found) = match (&known_at, shared.world_if_warm()) {
            (None, Some(world)) => return warm_control(&world, &q.place, day),
            (k, _) => shared.annals().control_world(&q.place, k.as_ref())?,
        };
        let holding = world.control_answer(&place, day);
        let annals = shared.annals();
        let within = annals.within(&place, &holding, known_at.as_ref())?;
        let namesakes = annals.place_namesakes(&found, &world, &place, known_at.as_ref())?;
        let value = answer::control_with_within(&world, &place, &holding, within);
        Ok(Reply::Json(answer::with_namesakes(value, &namesakes)))
    })
    .await
}

/// `control`'s answer from the warm world, without the log: a reader
/// never waits for a write.
fn warm_control(world: &World, place: &str, day: chrono::NaiveDate) -> Result<Reply, Error> {
    let place = resolve_place(world, place)?;
    let holding = world.control_answer(&place, day);
    let within = answer::within(world, &place, &holding);
    let value = answer::control_with_within(world, &place, &holding, within);
    Ok(Reply::Json(answer::with_namesakes(value, &world.place_namesakes(&place))))
}

#[derive(Debug, Deserialize)]
struct StateOn {
    state: String,
    on: String,
    known_at: Option<String>,
}

async fn government(State(api): State<Api>, Params(q): Params<StateOn>) -> Response {
    run(api, move |shared| {
        let day = parse_day_arg("on", &q.on)?;
        let known_at = known(q.known_at.as_deref())?;
        let (state, world) = match (&known_at, shared.world_if_warm()) {
            (None, Some(world)) => (resolve_actor(&world, &q.state, Asked::State)?, world),
            (k, _) => {
                let (state, world) = shared.annals().government_world(&q.state, k.as_ref())?;
                (state, Arc::new(world))
            }
        };
        Ok(Reply::Json(answer::government_json(
            &world,
            &state,
            &world.government_answer(&state, day),
        )))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct HistoryOf {
    place: String,
    known_at: Option<String>,
}

async fn history(State(api): State<Api>, Params(q): Params<HistoryOf>) -> Response {
    run(api, move |shared| {
        let known_at = known(q.known_at.as_deref())?;
        let annals = shared.annals();
        let value = match annals.history_world(&q.place, known_at.as_ref())? {
            Timeline::State(state, world) => {
                let lines = annals.timeline(&world.government_history(&state))?;
                answer::government_history_json(&world, &state, &lines)
            }
            Timeline::Place(place, world) => {
                let lines = annals.timeline(&world.history(&place))?;
                answer::history_json(&world, &place, &lines)
            }
        };
        Ok(Reply::Json(value))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct ActorOn {
    actor: String,
    on: String,
    known_at: Option<String>,
}

async fn actor(State(api): State<Api>, Params(q): Params<ActorOn>) -> Response {
    run(api, move |shared| {
        let day = parse_day_arg("on", &q.on)?;
        let world = world_at(shared, known(q.known_at.as_deref())?.as_ref())?;
        let actor = annals_replay::Node::Actor(resolve_actor(&world, &q.actor, Asked::Actor)?);
        let graph = world.graph_of_node(day, &actor);
        Ok(Reply::Json(answer::actor_relations_json(&world, &graph, &actor)))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct Between {
    from: String,
    to: String,
    known_at: Option<String>,
}

async fn diff(State(api): State<Api>, Params(q): Params<Between>) -> Response {
    run(api, move |shared| {
        let from = parse_day_arg("from", &q.from)?;
        let to = parse_day_arg("to", &q.to)?;
        if to < from {
            return Err(Error::Argument(format!("to {to} is before from {from}")));
        }
        let world = world_at(shared, known(q.known_at.as_deref())?.as_ref())?;
        Ok(Reply::Json(answer::diff_json(&world, from, to, &world.diff(from, to))))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct GraphOn {
    on: String,
    format: Option<String>,
    kind: Option<String>,
    around: Option<String>,
    depth: Option<usize>,
    known_at: Option<String>,
}

async fn graph(State(api): State<Api>, Params(q): Params<GraphOn>) -> Response {
    run(api, move |shared| {
        let day = parse_day_arg("on", &q.on)?;
        let world = world_at(shared, known(q.known_at.as_deref())?.as_ref())?;
        let kinds = kinds(q.kind.as_deref())?;
        let query =
            GraphQuery { kinds: &kinds, around: q.around.as_deref(), depth: q.depth.unwrap_or(1) };
        let (graph, title) = dated_graph(&world, day, &query)?;
        Ok(match q.format.as_deref().unwrap_or("json") {
            "json" => Reply::Json(annals_export::graph_json(&world, &graph)),
            "dot" => {
                Reply::Text(annals_export::graph_dot(&world, &graph, &title), "text/vnd.graphviz")
            }
            "graphml" => {
                Reply::Text(annals_export::graph_graphml(&world, &graph), "application/graphml+xml")
            }
            "gexf" => {
                Reply::Text(annals_export::graph_gexf(&world, &graph), "application/gexf+xml")
            }
            other => {
                return Err(Error::Argument(format!(
                    "format: `{other}` is not one of json, dot, graphml, gexf"
                )))
            }
        })
    })
    .await
}

#[derive(Debug, Deserialize)]
struct BlocsOn {
    on: String,
    kind: Option<String>,
    known_at: Option<String>,
}

async fn blocs(State(api): State<Api>, Params(q): Params<BlocsOn>) -> Response {
    run(api, move |shared| {
        let day = parse_day_arg("on", &q.on)?;
        let world = world_at(shared, known(q.known_at.as_deref())?.as_ref())?;
        let mut kinds = kinds(q.kind.as_deref())?;
        if kinds.is_empty() {
            kinds = vec![RelationKind::AlliedWith, RelationKind::MemberOf];
        }
        // Blocs are tied by edges of their kinds alone.
        let graph = world.graph_of_kinds(day, &kinds);
        Ok(Reply::Json(answer::blocs_json(&world, day, &kinds, &graph.blocs(&kinds))))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct PathOn {
    from: String,
    to: String,
    on: String,
    kind: Option<String>,
    known_at: Option<String>,
}

async fn path(State(api): State<Api>, Params(q): Params<PathOn>) -> Response {
    run(api, move |shared| {
        let day = parse_day_arg("on", &q.on)?;
        let world = world_at(shared, known(q.known_at.as_deref())?.as_ref())?;
        let (a, b) = (resolve_node(&world, &q.from)?, resolve_node(&world, &q.to)?);
        let graph = world.graph_of_kinds(day, &kinds(q.kind.as_deref())?);
        let path = graph.path(&a, &b);
        Ok(Reply::Json(answer::path_json(&world, day, &a, &b, path.as_deref())))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct Search {
    q: Option<String>,
    limit: Option<usize>,
}

async fn places(State(api): State<Api>, Params(q): Params<Search>) -> Response {
    run(api, move |shared| {
        let world = shared.world();
        let limit = q.limit.unwrap_or(50).min(1000);
        Ok(Reply::Json(answer::places_json(&world, q.q.as_deref().unwrap_or(""), limit)))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct MapOn {
    on: String,
    known_at: Option<String>,
}

async fn map(State(api): State<Api>, Params(q): Params<MapOn>) -> Response {
    run(api, move |shared| {
        let day = parse_day_arg("on", &q.on)?;
        let bytes = match known(q.known_at.as_deref())? {
            // The warm world's map base: only each place's answer is written.
            None => {
                let (world, base) = shared.world_and_map();
                base.get_or_init(|| MapBase::new(&world)).write(day)
            }
            Some(k) => {
                let world = shared.annals().replay(Some(&k))?;
                serde_json::to_vec(&control_map(&world, day)).expect("a map is JSON")
            }
        };
        Ok(Reply::Bytes(bytes, "application/json"))
    })
    .await
}

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

fn unauthorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "writes need the token the server printed when it started (Authorization: Bearer TOKEN)",
    )
}

#[derive(Debug, Deserialize)]
struct ImportOf {
    format: Option<String>,
    name: Option<String>,
}

async fn import(
    State(api): State<Api>,
    Params(q): Params<ImportOf>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !api.shared.allows(bearer(&headers)) {
        return unauthorized();
    }
    run(api, move |shared| {
        let format = match q.format.as_deref() {
            None => None,
            Some(name) => Some(annals_app::Format::from_name(name).ok_or_else(|| {
                let all: Vec<&str> = annals_app::Format::ALL.iter().map(|f| f.name()).collect();
                Error::Argument(format!("format: `{name}` is not one of {}", all.join(", ")))
            })?),
        };
        let name = q.name.unwrap_or_else(|| "upload".to_string());
        // The file the importer reads: named by the server, never by the request.
        let file = tempfile::NamedTempFile::new()?;
        std::fs::write(file.path(), &body)?;
        let mut annals = shared.annals_mut();
        let now = chrono::Utc::now();
        let done = annals.import_named(file.path(), &name, format, now, &mut |_| Ok(()))?;
        shared.refresh(&annals)?;
        Ok(Reply::Json(answer::imported_json(&done)))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct RetractOf {
    event: String,
    reason: String,
}

async fn retract(
    State(api): State<Api>,
    headers: HeaderMap,
    body: Result<Json<RetractOf>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if !api.shared.allows(bearer(&headers)) {
        return unauthorized();
    }
    let q = match body {
        Ok(Json(q)) => q,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "usage", &e.body_text()),
    };
    run(api, move |shared| {
        let mut annals = shared.annals_mut();
        let done = annals.retract(&q.event, &q.reason, chrono::Utc::now())?;
        shared.refresh(&annals)?;
        Ok(Reply::Json(answer::retracted_json(&done)))
    })
    .await
}
