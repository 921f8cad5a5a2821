//! A bounded load test of `annals serve` on loopback, with the release
//! binary (`cargo build --release` first; `ANNALS_BIN` to use another).
//!
//! ```text
//! cargo run --release -p annals-bench --example load -- [--db LOG] [--seconds 30] [--alone 10] [--readers 8] [--import 100000] [--close]
//! ```
//!
//! 1. **Start**: the server on LOG (default: a fresh log of 100 000
//!    synthetic events), timed from the process start to its first answer.
//! 2. **Reads**: `--readers` clients for `--seconds`, each asking in turn for
//!    a place's control, the map, the graph of a day and a place search,
//!    each over a connection it keeps open (`--close`: a new one per request);
//!    latency per route (p50, p99, max) and errors; then each route alone
//!    for `--alone` seconds (0: none), every client asking for it.
//! 3. **Reads during an import**: the same clients while a file of
//!    `--import` new synthetic events is posted to `/api/import`; then the
//!    log is checked to hold every event (`annals verify`, records counted).
//!
//! Only loopback is used, every request loop is bounded in count and time,
//! and the server is stopped at the end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One answer: its status and body.
struct Reply {
    status: u16,
    body: Vec<u8>,
}

/// One HTTP/1.1 request over a fresh connection.
fn request(
    addr: &str,
    method: &str,
    target: &str,
    token: &str,
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(600)))?;
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..text_end]);
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = raw.get(text_end + 4..).unwrap_or_default().to_vec();
    Ok(Reply { status, body })
}

/// A client's connection kept open between requests (HTTP/1.1
/// keep-alive, as a browser keeps it), opened again when the server
/// closes it. With `--close`, a fresh connection per request instead.
struct Client {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
    close: bool,
}

impl Client {
    fn new(addr: &str) -> Client {
        Client {
            addr: addr.to_string(),
            stream: None,
            close: std::env::args().any(|a| a == "--close"),
        }
    }

    fn get(&mut self, target: &str) -> std::io::Result<Reply> {
        if self.close {
            return request(&self.addr, "GET", target, "", b"");
        }
        match self.try_get(target) {
            Ok(reply) => Ok(reply),
            // The server may close an idle connection: one retry on a new one.
            Err(_) => {
                self.stream = None;
                self.try_get(target)
            }
        }
    }

    fn try_get(&mut self, target: &str) -> std::io::Result<Reply> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(&self.addr)?;
            stream.set_read_timeout(Some(Duration::from_secs(600)))?;
            stream.set_nodelay(true)?;
            self.stream = Some(BufReader::new(stream));
        }
        let reader = self.stream.as_mut().expect("connected above");
        write!(reader.get_mut(), "GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr)?;
        let mut status = 0;
        let mut length = None;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("closed before the answer"));
            }
            let text = line.trim_end();
            if text.is_empty() {
                break;
            }
            if status == 0 {
                status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            } else if let Some((name, value)) = text.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let length = length.ok_or_else(|| std::io::Error::other("no content-length"))?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        Ok(Reply { status, body })
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn number(name: &str, default: u64) -> u64 {
    arg(name).map_or(default, |v| v.parse().unwrap_or_else(|_| panic!("{name}: not a number")))
}

fn binary() -> PathBuf {
    std::env::var_os("ANNALS_BIN").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/annals")
    })
}

fn annals(args: &[&str]) -> String {
    let out = Command::new(binary()).args(args).output().expect("the annals binary runs");
    assert!(out.status.success(), "annals {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The server, and its address once it answers.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server on `db`; returns it and the time to its first answer.
fn start(db: &Path, token_file: &Path, place: &str) -> (Server, Duration) {
    let began = Instant::now();
    let mut child = Command::new(binary())
        .args(["--db", db.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
        .args(["--token-file", token_file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("annals serve starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    // The rest of what it prints, read so that it never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let addr = line.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap().to_string();
    let server = Server { child, addr };
    let first =
        request(&server.addr, "GET", &format!("/api/control?place={place}&on=2015-01-01"), "", b"")
            .expect("the first answer");
    assert_eq!(first.status, 200, "{}", String::from_utf8_lossy(&first.body));
    (server, began.elapsed())
}

/// Latencies per route, and errors.
#[derive(Default)]
struct Tally {
    latencies: std::collections::BTreeMap<&'static str, Vec<Duration>>,
    errors: Vec<String>,
}

/// The routes the readers ask for, in turn.
const ROUTES: [&str; 4] = ["control", "map", "graph", "places"];

/// `readers` clients asking in turn for the routes of `mix` until `stop`
/// (or `limit`).
fn read_load(
    addr: &str,
    readers: usize,
    places: &[String],
    mix: &[&'static str],
    stop: &AtomicBool,
    limit: Duration,
) -> Tally {
    let tally = Mutex::new(Tally::default());
    let began = Instant::now();
    std::thread::scope(|scope| {
        for reader in 0..readers {
            let tally = &tally;
            scope.spawn(move || {
                let mut client = Client::new(addr);
                let mut i = reader;
                while !stop.load(Ordering::Relaxed) && began.elapsed() < limit {
                    let place = &places[i % places.len()];
                    let year = 1998 + (i % 27);
                    let route = mix[i % mix.len()];
                    let target = match route {
                        "control" => format!("/api/control?place={place}&on={year}-06-01"),
                        "map" => format!("/api/map?on={year}-06-01"),
                        "graph" => format!("/api/graph?on={year}-06-01&kind=hostile_to"),
                        _ => format!("/api/places?q={}", &place[..place.len().min(4)]),
                    };
                    let t = Instant::now();
                    let reply = client.get(&target);
                    let took = t.elapsed();
                    let mut tally = tally.lock().unwrap();
                    match reply {
                        Ok(r) if r.status == 200 => {
                            tally.latencies.entry(route).or_default().push(took)
                        }
                        Ok(r) => tally.errors.push(format!(
                            "{target}: {} {}",
                            r.status,
                            String::from_utf8_lossy(&r.body)
                        )),
                        Err(e) => tally.errors.push(format!("{target}: {e}")),
                    }
                    i += readers;
                }
            });
        }
    });
    tally.into_inner().unwrap()
}

fn report(title: &str, tally: &Tally, seconds: f64) {
    println!("{title}: {} errors", tally.errors.len());
    for e in tally.errors.iter().take(5) {
        println!("  error: {e}");
    }
    for (route, times) in &tally.latencies {
        let mut t = times.clone();
        t.sort();
        let at = |q: f64| t[((t.len() - 1) as f64 * q) as usize];
        println!(
            "  {route:<8} {:>6} requests ({:>7.1}/s)  p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
            t.len(),
            t.len() as f64 / seconds,
            at(0.5).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            t.last().unwrap().as_secs_f64() * 1e3,
        );
    }
}

fn main() {
    let seconds = number("--seconds", 30);
    let readers = number("--readers", 8) as usize;
    let import = number("--import", 100_000);
    let dir = tempfile::tempdir().unwrap();
    let db = match arg("--db") {
        Some(db) => PathBuf::from(db),
        None => {
            let db = dir.path().join("base");
            let file = dir.path().join("base.jsonl");
            annals(&["synth", "--events", "100000", "--seed", "1", "-o", file.to_str().unwrap()]);
            annals(&["--db", db.to_str().unwrap(), "init"]);
            annals(&["--db", db.to_str().unwrap(), "import", file.to_str().unwrap()]);
            db
        }
    };
    let places: Vec<String> = (0..200).map(|i| format!("pl-{}", i * 7 % 500)).collect();
    let token = dir.path().join("token");
    std::fs::write(&token, "load-test-token").unwrap();
    let (server, started) = start(&db, &token, &places[0]);
    println!("start: first answer {:.2} s after the process started", started.as_secs_f64());
    let never = AtomicBool::new(false);
    let limit = Duration::from_secs(seconds);
    let tally = read_load(&server.addr, readers, &places, &ROUTES, &never, limit);
    report(&format!("reads, {readers} clients, {seconds} s"), &tally, seconds as f64);
    // Each route alone: its latency when every client asks for it.
    let alone = number("--alone", 10);
    for route in ROUTES.iter().filter(|_| alone > 0) {
        let limit = Duration::from_secs(alone);
        let tally = read_load(&server.addr, readers, &places, &[route], &never, limit);
        report(&format!("{route} alone, {readers} clients, {alone} s"), &tally, alone as f64);
    }
    drop(server);

    // Reads while an import of new events runs, on a log of its own.
    let fresh = dir.path().join("fresh");
    let file = dir.path().join("import.jsonl");
    annals(&[
        "synth",
        "--events",
        &import.to_string(),
        "--seed",
        "7",
        "-o",
        file.to_str().unwrap(),
    ]);
    annals(&["--db", fresh.to_str().unwrap(), "init"]);
    let chronicle = dir.path().join("chronicle.jsonl");
    std::fs::write(&chronicle, annals(&["export"])).unwrap();
    annals(&["--db", fresh.to_str().unwrap(), "import", chronicle.to_str().unwrap()]);
    let base: u64 = annals(&["--db", fresh.to_str().unwrap(), "log"]).lines().count() as u64;
    let (server, _) = start(&fresh, &token, "kidal");
    let stop = Arc::new(AtomicBool::new(false));
    let body = std::fs::read(&file).unwrap();
    let began = Instant::now();
    let (imported, tally) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let reply = request(
                &server.addr,
                "POST",
                "/api/import?name=load.jsonl",
                "load-test-token",
                &body,
            );
            stop.store(true, Ordering::Relaxed);
            reply
        });
        let chronicle_places: Vec<String> =
            ["kidal", "gao", "timbuktu", "menaka", "bamba-camp", "tessalit", "anefis", "bourem"]
                .map(String::from)
                .to_vec();
        let limit = Duration::from_secs(600);
        let tally = read_load(&server.addr, readers, &chronicle_places, &ROUTES, &stop, limit);
        (writer.join().unwrap(), tally)
    });
    let took = began.elapsed().as_secs_f64();
    let imported = imported.expect("the import answers");
    println!(
        "import of {import} events through the API: {} in {took:.1} s: {}",
        imported.status,
        String::from_utf8_lossy(&imported.body)
    );
    report(&format!("reads during the import, {readers} clients"), &tally, took);
    drop(server);
    let verify = annals(&["--db", fresh.to_str().unwrap(), "verify"]);
    let records: u64 = verify
        .strip_prefix("ok: ")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("verify passes");
    let lost = (base + import).saturating_sub(records);
    println!("after: {records} records (base {base} + {import} imported), lost {lost}; verify: ok");
}
