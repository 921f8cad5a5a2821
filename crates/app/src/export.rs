//! Export: every stored record written out in interchange format v1.

use std::io::Write;

use annals_log::Error as LogError;
use annals_model::v1;

use crate::{Annals, Error, Warning};

/// What an export wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exported {
    /// Records written.
    pub written: u64,
    /// Damaged records left out (with `skip_damaged`).
    pub damaged: u64,
}

impl Exported {
    /// [`Error::PartlyExported`] if damaged records were left out.
    pub fn complete(self) -> Result<Exported, Error> {
        match self.damaged {
            0 => Ok(self),
            damaged => Err(Error::PartlyExported { written: self.written, damaged }),
        }
    }
}

impl Annals {
    /// Writes every stored event to `sink` as a line of format v1, in log
    /// order. With `skip_damaged`, a record that fails its checks is left
    /// out (each one a [`Warning::LeftOut`], all counted in
    /// [`Exported::damaged`]) and the others are written; without, the
    /// first damaged record stops it.
    pub fn export_jsonl(
        &self,
        sink: &mut dyn Write,
        skip_damaged: bool,
    ) -> Result<Exported, Error> {
        let (mut written, mut damaged) = (0u64, 0u64);
        for rec in self.log().iter() {
            let rec = match rec {
                Ok(rec) => rec,
                Err(e @ (LogError::Corrupt { .. } | LogError::CorruptBlock { .. }))
                    if skip_damaged =>
                {
                    damaged += match &e {
                        LogError::CorruptBlock { first, last, .. } => last - first + 1,
                        _ => 1,
                    };
                    self.warn(Warning::LeftOut(e));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            writeln!(sink, "{}", v1::to_line(&rec.event))?;
            written += 1;
        }
        sink.flush()?;
        Ok(Exported { written, damaged })
    }
}
