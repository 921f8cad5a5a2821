//! `annals serve`: the HTTP API, answering from a world replayed once and
//! kept warm in memory (and, while that first replay runs, from the place
//! index for the questions it answers), and the web page at `/` that draws its answers
//! (a map, a date slider, the relation graph, timelines; [`page`]).
//!
//! Every `GET /api/...` returns the same JSON value as the matching command
//! with `--json` (built by [`annals_app::answer`]); errors are
//! `{"error": message, "kind": kind}` with a 4xx or 5xx status. Writes
//! (`POST /api/import`, `POST /api/retract`) need the token the server was
//! started with; without one the server is read-only. After a write the
//! world is replayed again and swapped in: readers keep answering from the
//! world they hold meanwhile.
//!
//! The server binds to loopback unless told otherwise, sends no CORS
//! headers, limits request bodies and the time a request may take, and no
//! path from a request reaches the file system (an uploaded file goes to a
//! temporary file the server names).

mod api;
pub mod page;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use annals_app::Annals;

pub use api::router;
pub use state::Shared;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The token that writes must carry (`Authorization: Bearer TOKEN`);
    /// `None`: read-only.
    pub token: Option<String>,
    /// The largest request body accepted (an import's file), in bytes.
    pub max_body: usize,
    /// The longest a request may take before it is answered with 503.
    pub timeout: std::time::Duration,
}

impl Options {
    /// Loopback, port 8080, read-only, bodies up to 256 MiB, 60 s a request.
    pub fn new(addr: SocketAddr) -> Options {
        Options {
            addr,
            token: None,
            max_body: 256 << 20,
            timeout: std::time::Duration::from_secs(60),
        }
    }
}

/// A fresh random token: 128 bits from the operating system, in hex.
pub fn new_token() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Serves `annals` until the process is stopped, replaying it once on a
/// thread of its own while the first answers come from the place index.
/// `ready` is called with the address bound (the port, if 0 was asked).
/// A log that cannot be replayed stops the server with its error.
pub fn serve(
    annals: Annals,
    options: Options,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), annals_app::Error> {
    let shared = Arc::new(Shared::starting(annals, options.token.clone()));
    let (failed, failure) = tokio::sync::oneshot::channel();
    let warming = Arc::clone(&shared);
    std::thread::Builder::new().name("replay".into()).spawn(move || {
        if let Err(e) = warming.warm_up() {
            let _ = failed.send(e);
        }
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.addr).await?;
        ready(listener.local_addr()?);
        let serving = axum::serve(listener, router(shared, &options));
        tokio::select! {
            served = serving => Ok(served?),
            Ok(e) = failure => Err(e),
        }
    })
}
