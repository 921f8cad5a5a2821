//! The web page: its files served from the binary (in process), and the page
//! in a real headless browser against the real `annals serve`
//! (`tests/page.py`: Chromium, chromedriver and Selenium, which `.ci/setup`
//! installs; `ANNALS_SKIP_BROWSER=1` skips that one test, saying so).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use annals_app::{Annals, Silent};
use annals_server::page::ASSETS;
use annals_server::{router, Options, Shared};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn page() -> axum::Router {
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let annals = Annals::open(None, now, Box::new(Silent)).unwrap();
    let shared = Arc::new(Shared::new(annals, None).unwrap());
    router(shared, &Options::new("127.0.0.1:0".parse().unwrap()))
}

struct Answer {
    status: StatusCode,
    media: String,
    etag: Option<String>,
    policy: String,
    body: Vec<u8>,
}

async fn fetch(page: &axum::Router, uri: &str, etag: Option<&str>) -> Answer {
    let mut request = Request::get(uri);
    if let Some(tag) = etag {
        request = request.header(header::IF_NONE_MATCH, tag);
    }
    let response = page.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let text = |name| {
        response.headers().get(name).map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
    };
    let (media, etag) = (text(header::CONTENT_TYPE).unwrap_or_default(), text(header::ETAG));
    let policy = text(header::CONTENT_SECURITY_POLICY).unwrap_or_default();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer { status, media, etag, policy, body }
}

#[tokio::test]
async fn the_page_is_served_with_the_span_of_the_data() {
    let page = page();
    let answer = fetch(&page, "/", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.media, "text/html; charset=utf-8");
    assert!(answer.policy.contains("default-src 'self'"), "{}", answer.policy);
    let html = String::from_utf8(answer.body).unwrap();
    assert!(!html.contains("{{"), "a placeholder is left: {html}");
    let attr = |name: &str| {
        let start = html.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        html[start..start + 10].parse::<chrono::NaiveDate>().unwrap()
    };
    let (from, to) = (attr("data-from"), attr("data-to"));
    // The chronicle runs from the states' independence to the 2020s.
    assert!(from.to_string().as_str() < "1970-01-01", "{from}");
    assert!(to.to_string().as_str() > "2023-10-02", "{to}");
    // Every file the page names is one the server has.
    for needed in ["/assets/app.js", "/assets/app.css", "/assets/vendor/leaflet/leaflet.js"] {
        assert!(html.contains(needed), "{needed}");
    }
    for src in html.split("src=\"/assets/").skip(1).chain(html.split("href=\"/assets/").skip(1)) {
        let name = &src[..src.find('"').unwrap()];
        assert!(ASSETS.iter().any(|a| a.name == name), "the page asks for {name}, not served");
    }
}

#[tokio::test]
async fn every_asset_is_served_from_the_binary_with_its_type() {
    let page = page();
    for asset in ASSETS {
        let answer = fetch(&page, &format!("/assets/{}", asset.name), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", asset.name);
        assert_eq!(answer.media, asset.media, "{}", asset.name);
        assert_eq!(answer.body, asset.bytes, "{}", asset.name);
        let expected = match asset.name.rsplit('.').next() {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("json") => "application/json",
            Some("md") => "text/markdown; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        };
        assert_eq!(asset.media, expected, "{}", asset.name);
        // Asked again with its tag: not sent again.
        let tag = answer.etag.expect("an ETag");
        let again = fetch(&page, &format!("/assets/{}", asset.name), Some(&tag)).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{}", asset.name);
        assert!(again.body.is_empty());
    }
    // Each vendored library comes with its licence.
    for asset in ASSETS.iter().filter(|a| a.name.starts_with("vendor/") && a.name.ends_with(".js"))
    {
        let dir = &asset.name[..asset.name.rfind('/').unwrap()];
        assert!(ASSETS.iter().any(|a| a.name == format!("{dir}/LICENSE")), "{dir} has no licence");
    }
}

#[tokio::test]
async fn the_asset_route_refuses_every_other_name() {
    let page = page();
    for uri in [
        "/assets/",
        "/assets/nope.js",
        "/assets/APP.JS",
        "/assets/app.js/",
        "/assets//app.js",
        "/assets/./app.js",
        "/assets/vendor/../app.js",
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/assets/..%2F..%2FCargo.toml",
        "/assets/%2Fetc%2Fpasswd",
        "/assets/index.html",
        "/assets/vendor/leaflet/leaflet.js.map",
        "/assets/vendor/leaflet/images/layers.png",
        "/assets/../src/page.rs",
        "/assets/vendor",
    ] {
        let answer = fetch(&page, uri, None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        let error: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(error["kind"], "not_found", "{uri}");
    }
}

/// The module that serves the page has no way to read a file: its names
/// are matched against the compiled-in list, and nothing else is opened.
#[test]
fn the_page_module_never_reads_the_file_system() {
    let source = include_str!("../crates/server/src/page.rs");
    let code: String =
        source.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    for forbidden in
        ["std::fs", "tokio::fs", "File::", "ServeDir", "ServeFile", "read_to_", "open("]
    {
        assert!(!code.contains(forbidden), "page.rs uses {forbidden}");
    }
}

/// `annals serve` on the built-in chronicle on a free loopback port, run
/// from an empty directory: the page can come from nowhere but the binary.
struct Server {
    child: Child,
    url: String,
    _cwd: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let cwd = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .current_dir(cwd.path())
            .env_remove("ANNALS_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("annals serve starts");
        // The first line says where it listens; the rest is read until the
        // server ends, so that it never writes into a closed pipe.
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let start = line.find("http://").unwrap_or_else(|| panic!("no address in {line:?}"));
        let rest = &line[start + "http://".len()..];
        let url = format!("http://{}", &rest[..rest.find('/').unwrap()]);
        Server { child, url, _cwd: cwd }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for `child` at most `limit`, then kills it.
fn wait_at_most(mut child: Child, limit: Duration) -> (Option<i32>, String, String) {
    use std::io::Read;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (status, out, err)
}

#[test]
fn the_page_in_a_headless_browser_shows_bamba_and_plays_the_slider() {
    if std::env::var_os("ANNALS_SKIP_BROWSER").is_some_and(|v| v == "1") {
        eprintln!("SKIPPED: the browser test (ANNALS_SKIP_BROWSER=1)");
        return;
    }
    let server = Server::start();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("page");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/page.py");
    let child = Command::new("python3")
        .arg(script)
        .arg(&server.url)
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (the browser test needs it; ANNALS_SKIP_BROWSER=1 skips it)");
    let (status, stdout, stderr) = wait_at_most(child, Duration::from_secs(150));
    match status {
        Some(0) => {}
        Some(3) => panic!(
            "the browser test cannot run: {stderr}\n.ci/setup installs Chromium, chromedriver and \
             Selenium; ANNALS_SKIP_BROWSER=1 skips this test"
        ),
        Some(code) => panic!("the page failed in the browser (exit {code}): {stderr}{stdout}"),
        None => panic!("the browser test took more than 150 s: {stderr}{stdout}"),
    }
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_ne!(report["moved_to"], "2023-10-02");
    assert_ne!(report["map_before"], report["map_after"]);
    // Tapping a node of the graph opened the panel under the node's id.
    let tapped = &report["tapped_in_graph"];
    assert!(tapped["actor"].is_string() && tapped["place"].is_string(), "{report}");
    for shot in ["page-2023-10-02.png", "page-moved.png"] {
        let bytes = std::fs::read(out.join(shot)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000, "{shot}");
    }
    eprintln!("the page in a browser: {report}; screenshots in {}", out.display());
}
