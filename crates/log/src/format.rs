//! The log's format, as the magic value under the `format` key names it
//! (docs/FORMAT.md, "Version log"). This build reads every format and
//! writes the newest: the first append to an older log claims it for
//! [`LogFormat::NEWEST`].

/// A format of the log's storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogFormat {
    /// Before the commit mark: every record stored is committed.
    V1,
    /// One `e` key per record, before blocks.
    V2,
    /// Blocks whose records hold their own time and origin.
    V3,
    /// Blocks whose header holds the records' recorded time and origin,
    /// with one `i` key per id.
    V4,
    /// The chunked id index: an import's first ids have `i` keys, the rest
    /// go into chunks of hashed buckets. A build that does not know it
    /// would find no id of the records it indexes, and import them again,
    /// so it must not take the log for its own.
    V5,
}

impl LogFormat {
    /// The format this build writes (by `init`, and over an older format
    /// at the first append, after the commit mark if the log had none).
    pub const NEWEST: LogFormat = LogFormat::V5;

    const ALL: [(LogFormat, &'static [u8]); 5] = [
        (LogFormat::V1, b"annals-log/1"),
        (LogFormat::V2, b"annals-log/2"),
        (LogFormat::V3, b"annals-log/3"),
        (LogFormat::V4, b"annals-log/4"),
        (LogFormat::V5, b"annals-log/5"),
    ];

    /// The magic value stored under the `format` key.
    pub fn magic(self) -> &'static [u8] {
        Self::ALL[self as usize].1
    }

    /// The format a magic value names, if this build knows it.
    pub fn from_magic(magic: &[u8]) -> Option<LogFormat> {
        Self::ALL.iter().find(|(_, m)| *m == magic).map(|(f, _)| *f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_reads_back_from_its_magic() {
        for (format, magic) in LogFormat::ALL {
            assert_eq!(LogFormat::from_magic(magic), Some(format));
            assert_eq!(format.magic(), magic);
        }
        assert_eq!(LogFormat::from_magic(b"annals-log/6"), None);
        assert!(LogFormat::V4 < LogFormat::NEWEST);
    }
}
