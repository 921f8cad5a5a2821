//! The web page at `/`: a map, a date slider, the relation graph of the day
//! and each place's or actor's timeline, drawn in the browser from the API.
//!
//! Every file of the page is compiled into the binary (`assets/`, with the
//! vendored JavaScript libraries and their licences under `assets/vendor/`).
//! `/assets/NAME` answers only the names in [`ASSETS`]: a request's path is
//! compared with that list and never reaches the file system.
//!
//! `/` is `index.html` with the span of the log's dates filled in (the first
//! and last day its events' dates reach), so the slider covers the data; the
//! span is computed once per world replayed.

use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use annals_replay::World;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;

use crate::Shared;

/// One file of the page: its name under `/assets/`, media type and bytes.
#[derive(Debug)]
pub struct Asset {
    pub name: &'static str,
    pub media: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $media:expr) => {
        Asset { name: $name, media: $media, bytes: include_bytes!(concat!("../assets/", $name)) }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Every file `/assets/` serves; no other name is answered.
pub const ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", JS),
    asset!("util.js", JS),
    asset!("map.js", JS),
    asset!("graph.js", JS),
    asset!("panel.js", JS),
    asset!("vendor/README.md", "text/markdown; charset=utf-8"),
    asset!("vendor/leaflet/leaflet.js", JS),
    asset!("vendor/leaflet/leaflet.css", "text/css; charset=utf-8"),
    asset!("vendor/leaflet/LICENSE", TEXT),
    asset!("vendor/cytoscape/cytoscape.min.js", JS),
    asset!("vendor/cytoscape/LICENSE", TEXT),
    asset!("vendor/layout-base/layout-base.js", JS),
    asset!("vendor/layout-base/LICENSE", TEXT),
    asset!("vendor/cose-base/cose-base.js", JS),
    asset!("vendor/cose-base/LICENSE", TEXT),
    asset!("vendor/cytoscape-fcose/cytoscape-fcose.js", JS),
    asset!("vendor/cytoscape-fcose/LICENSE", TEXT),
    asset!("vendor/topojson-client/topojson-client.min.js", JS),
    asset!("vendor/topojson-client/LICENSE", TEXT),
    asset!("vendor/world-atlas/countries-50m.json", "application/json"),
    asset!("vendor/world-atlas/LICENSE", TEXT),
];

/// The page's HTML, with `{{from}}` and `{{to}}` for the span of the data.
const INDEX: &str = include_str!("../assets/index.html");

/// What the page may load and run: its own files and answers only (no
/// other host, no inline script); inline styles, which Leaflet and
/// cytoscape.js set, are allowed.
const POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                      object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What the page's routes hold: the shared state, and the span of the
/// dates of the last world asked about.
#[derive(Clone, Debug)]
struct Page {
    shared: Arc<Shared>,
    span: Arc<Mutex<Option<Held>>>,
}

/// The first and last day of the data.
type Span = (NaiveDate, NaiveDate);

/// A span and the world it is the span of (held weakly: the server swaps
/// worlds after a write, and the old one should go).
type Held = (Weak<World>, Span);

/// The routes of the page, `/` and `/assets/NAME`, over `shared`.
pub fn routes<S: Clone + Send + Sync + 'static>(shared: Arc<Shared>) -> Router<S> {
    let page = Page { shared, span: Arc::new(Mutex::new(None)) };
    Router::new().route("/", get(index)).route("/assets/{*name}", get(serve_asset)).with_state(page)
}

async fn index(State(page): State<Page>) -> Response {
    let task = tokio::task::spawn_blocking(move || page.span());
    let (from, to) = match task.await {
        Ok(span) => span,
        Err(_) => {
            let today = chrono::Utc::now().date_naive();
            (today, today)
        }
    };
    let html = INDEX.replace("{{from}}", &from.to_string()).replace("{{to}}", &to.to_string());
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-cache"),
        (header::CONTENT_SECURITY_POLICY, POLICY),
    ];
    (headers, html).into_response()
}

impl Page {
    /// The span of the current world's dates, computed once per world.
    fn span(&self) -> Span {
        let world = self.shared.world();
        let mut cached = self.span.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((held, span)) = cached.as_ref() {
            if std::ptr::eq(held.as_ptr(), Arc::as_ptr(&world)) {
                return *span;
            }
        }
        let span = span_of(&world);
        *cached = Some((Arc::downgrade(&world), span));
        span
    }
}

/// The first and last day the log's events' dates reach (today for a log
/// without dated events).
pub fn span_of(world: &World) -> Span {
    world.date_span().unwrap_or_else(|| {
        let today = chrono::Utc::now().date_naive();
        (today, today)
    })
}

/// A strong validator of each asset's bytes, computed once.
fn etag(index: usize) -> &'static str {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    let tags = TAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                // FNV-1a, 64 bits: enough to tell two builds' files apart.
                let hash = a.bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                });
                format!("\"{hash:016x}\"")
            })
            .collect()
    });
    &tags[index]
}

async fn serve_asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|a| a.name == name) else {
        let message = format!("no asset named `{name}`");
        return (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": message, "kind": "not_found" })),
        )
            .into_response();
    };
    let asset = &ASSETS[index];
    let tag = etag(index);
    let fresh = headers.get(header::IF_NONE_MATCH).is_some_and(|h| h.as_bytes() == tag.as_bytes());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.media)], asset.bytes).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, HeaderValue::from_static(tag));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
