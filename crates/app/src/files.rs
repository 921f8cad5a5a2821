//! Files the user asks for (`export -o`, `graph -o`): written whole or not
//! at all, and never inside the log.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Annals, Error};

impl Annals {
    /// Writes `path` through `write`, whole or not at all: the bytes go to a
    /// temporary file in the same directory, which is flushed to the disk
    /// and then renamed over `path` (and the directory flushed), so a crash
    /// or a full disk leaves the file that was there before, or the whole
    /// new one, never part of it. A path inside the log's directory is
    /// refused: writing there would damage the log.
    pub fn write_file<T, E: From<Error>>(
        &self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> Result<T, E>,
    ) -> Result<T, E> {
        if let Some(log) = self.log().path() {
            refuse_inside(path, log)?;
        }
        let failed = |error: std::io::Error| Error::Output { path: path.to_path_buf(), error };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut temporary = tempfile::Builder::new()
            .prefix(".annals-")
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(failed)?;
        let value = {
            let mut failure = None;
            let mut sink = std::io::BufWriter::new(Recording {
                inner: temporary.as_file_mut(),
                failure: &mut failure,
            });
            let written = write(&mut sink).and_then(|value| {
                sink.flush().map_err(|e| E::from(failed(e)))?;
                Ok(value)
            });
            drop(sink);
            // A failed write names the file (a full disk, say).
            match (written, failure) {
                (Ok(value), _) => value,
                (Err(_), Some(error)) => return Err(failed(error).into()),
                (Err(e), None) => return Err(e),
            }
        };
        temporary.as_file().sync_all().map_err(failed)?;
        temporary.persist(path).map_err(|e| failed(e.error))?;
        // The rename is durable once the directory is.
        std::fs::File::open(&dir).and_then(|d| d.sync_all()).map_err(failed)?;
        Ok(value)
    }
}

/// A writer that keeps (a copy of) the first error of the writer under it.
struct Recording<'a, W: Write> {
    inner: W,
    failure: &'a mut Option<std::io::Error>,
}

impl<W: Write> Write for Recording<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| self.keep(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().inspect_err(|e| self.keep(e))
    }
}

impl<W: Write> Recording<'_, W> {
    fn keep(&mut self, e: &std::io::Error) {
        if self.failure.is_none() {
            *self.failure = Some(std::io::Error::new(e.kind(), e.to_string()));
        }
    }
}

/// Refuses `path` if it lies in the log's directory `log` (or is it).
fn refuse_inside(path: &Path, log: &Path) -> Result<(), Error> {
    let Ok(log) = log.canonicalize() else { return Ok(()) };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(parent) = parent.canonicalize() else { return Ok(()) };
    let target = match path.file_name() {
        Some(name) => parent.join(name),
        None => parent,
    };
    if target.starts_with(&log) {
        return Err(Error::Usage(format!(
            "refusing to write {}: it lies inside the log at {}, which it would damage; write it elsewhere",
            path.display(),
            log.display()
        )));
    }
    Ok(())
}
