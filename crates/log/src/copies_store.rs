//! Copies of chosen records kept together (derived data, checked by their
//! checksums), so that a busy place's records are read in a few values.

use annals_model::Recorded;

use crate::keys::*;
use crate::store::{Batch, Value};
use crate::{codec, copies, DecodeError, Error, Log};

impl Log {
    /// Keeps copies of committed records together, for each group `(name,
    /// seqs)` (`seqs` ascending, `name` a slug), so that [`Log::copies`]
    /// reads them from a few hundred small values instead of the blocks
    /// they lie in: the records after the last one already copied are
    /// added, when there are at least `at_least` of them, in pieces of at
    /// most [`copies::PIECE_BYTES`] (the last piece, if not half full, is
    /// rewritten with them). A group whose meta value or last piece is
    /// damaged is rebuilt from all of its `seqs`. Copies are derived data,
    /// like snapshots: a record's bytes never change once committed, so a
    /// copy stays true, and `verify` compares every copy with its record.
    /// Returns how many records were copied.
    ///
    /// The records to copy are read in one pass over the stretch of
    /// the log they span (a scan reads sled's pages in order; looking each
    /// record up read them at random: 20 s instead of 2 s for 1.6M records
    /// of a 10M log). Pieces numbered from the group's count on are stored
    /// as they fill, so that memory does not grow with the records copied;
    /// the first piece written (which may replace the group's last one),
    /// the last, and the meta value that makes them count are stored last,
    /// in one sled batch per group that also removes pieces an unfinished
    /// copy left beyond the new count. Until then readers see the group as
    /// it was.
    pub fn copy_groups(
        &self,
        groups: &[(&str, impl AsRef<[u64]>)],
        at_least: usize,
    ) -> Result<usize, Error> {
        struct Plan<'a> {
            name: &'a str,
            /// The number of the first piece to write, and the pieces written.
            first: u32,
            written: u32,
            /// The first piece, kept for the last batch.
            held: Option<Vec<u8>>,
            pieces: copies::Pieces,
            new: &'a [u64],
        }
        let mut plans = Vec::new();
        for (name, seqs) in groups {
            let (name, seqs) = (*name, seqs.as_ref());
            let (first, pieces, new) = match self.copies_plan(name, seqs, at_least) {
                Ok(plan) => plan,
                Err(_) => {
                    self.remove_copies(name)?;
                    self.copies_plan(name, seqs, at_least)?
                }
            };
            if !new.is_empty() {
                plans.push(Plan { name, first, written: 0, held: None, pieces, new });
            }
        }
        // The next record each group wants, smallest first.
        let mut next: std::collections::BinaryHeap<std::cmp::Reverse<(u64, usize, usize)>> = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| std::cmp::Reverse((plan.new[0], i, 0)))
            .collect();
        let Some(&std::cmp::Reverse((start, _, _))) = next.peek() else { return Ok(0) };
        let copied = plans.iter().map(|plan| plan.new.len()).sum();
        let missing = |seq| Error::Corrupt { seq, problem: DecodeError::Truncated(0) };
        for item in self.stored_from(start) {
            let (seq, stored) = item?;
            while let Some(&std::cmp::Reverse((want, i, at))) = next.peek() {
                if want > seq {
                    break;
                }
                if want < seq {
                    return Err(missing(want));
                }
                next.pop();
                let plan = &mut plans[i];
                plan.pieces.push(seq, stored.shared(), &stored);
                for piece in plan.pieces.take_closed() {
                    if plan.written == 0 {
                        plan.held = Some(piece);
                    } else {
                        self.copies.insert(
                            copies_piece_key(plan.name, plan.first + plan.written),
                            piece,
                        )?;
                    }
                    plan.written += 1;
                }
                if let Some(&want) = plan.new.get(at + 1) {
                    next.push(std::cmp::Reverse((want, i, at + 1)));
                }
            }
            if next.is_empty() {
                break;
            }
        }
        if let Some(&std::cmp::Reverse((seq, _, _))) = next.peek() {
            return Err(missing(seq));
        }
        for plan in plans {
            let mut batch = Batch::default();
            if let Some(piece) = plan.held {
                batch.insert(copies_piece_key(plan.name, plan.first), piece);
            }
            let mut n = plan.first + plan.written;
            for piece in plan.pieces.finish() {
                batch.insert(copies_piece_key(plan.name, n), piece);
                n += 1;
            }
            let prefix = copies_prefix(plan.name);
            for kv in self.copies.range(copies_piece_key(plan.name, n)..) {
                let (key, _) = kv?;
                if !key.starts_with(&prefix) {
                    break;
                }
                batch.remove(key);
            }
            let last = plan.new[plan.new.len() - 1];
            batch.insert(copies_meta_key(plan.name), &copies::encode_meta(n, last)[..]);
            self.copies.apply_batch(batch)?;
        }
        Ok(copied)
    }

    /// What copying `seqs` under `name` takes: the first piece to write,
    /// the pieces begun (with the records of the last piece, if it is not
    /// half full, to be written again), and the records to copy (none if
    /// fewer than `at_least`). An error if the group is damaged.
    pub(crate) fn copies_plan<'s>(
        &self,
        name: &str,
        seqs: &'s [u64],
        at_least: usize,
    ) -> Result<(u32, copies::Pieces, &'s [u64]), Error> {
        let (pieces, last) = self.copies_meta(name)?;
        let seqs = &seqs[seqs.partition_point(|&seq| seq <= last)..];
        let new = &seqs[..seqs.partition_point(|&seq| seq < self.next_seq)];
        let mut encoder = copies::Pieces::default();
        if new.is_empty() || new.len() < at_least {
            return Ok((pieces, encoder, &[]));
        }
        if let Some(n) = pieces.checked_sub(1) {
            let piece = self.copies_piece(name, n)?;
            if piece.len() < copies::PIECE_BYTES / 2 {
                let bad = |problem: copies::Damage| Error::BadCopies {
                    name: name.to_string(),
                    problem: problem.to_string(),
                };
                for e in copies::split(&piece).map_err(bad)? {
                    encoder.push(e.seq, e.shared(&piece), &piece[e.record.clone()]);
                }
                return Ok((n, encoder, new));
            }
        }
        Ok((pieces, encoder, new))
    }

    /// [`Log::copy_groups`] of one group.
    #[cfg(feature = "testing")]
    pub fn copy_records(&self, name: &str, seqs: &[u64], at_least: usize) -> Result<usize, Error> {
        self.copy_groups(&[(name, seqs)], at_least)
    }

    /// Removes the copies `name` (damaged ones, say): readers then read
    /// those records from the log, and the next [`Log::copy_groups`]
    /// copies them again.
    pub fn remove_copies(&self, name: &str) -> Result<(), Error> {
        let mut batch = Batch::default();
        for kv in self.copies.scan_prefix(copies_prefix(name)) {
            batch.remove(kv?.0);
        }
        batch.remove(copies_meta_key(name));
        self.copies.apply_batch(batch)?;
        Ok(())
    }

    /// The records copied under `name` ([`Log::copy_groups`]), in sequence
    /// order; none if there are no copies. Each is checked by its checksum
    /// and decoded as when read from the log; a damaged group is an error,
    /// and the log still holds every record it copied.
    pub fn copies(&self, name: &str) -> Result<Vec<Recorded>, Error> {
        let (pieces, _) = self.copies_meta(name)?;
        let mut decoder = codec::Decoder::default();
        let mut out = Vec::new();
        for n in 0..pieces {
            let piece = self.copies_piece(name, n)?;
            let bad = |problem: String| Error::BadCopies { name: name.to_string(), problem };
            let previous = out.last().map_or(0, |r: &Recorded| r.seq);
            let entries = self.copied_entries(n, &piece, previous);
            for entry in entries.map_err(|p| bad(p.to_string()))? {
                let seq = entry.seq;
                let record = decoder
                    .decode(seq, &piece[entry.record.clone()], entry.shared(&piece))
                    .map_err(|problem| bad(format!("record {seq}: {problem}")))?;
                out.push(record);
            }
        }
        Ok(out)
    }

    /// The records of piece `n` of a group, whose records before it end at
    /// `previous`: an error if the piece is damaged, or holds a record
    /// out of sequence order or beyond the log.
    pub(crate) fn copied_entries(
        &self,
        n: u32,
        piece: &[u8],
        previous: u64,
    ) -> Result<Vec<copies::Entry>, copies::PieceProblem> {
        let entries =
            copies::split(piece).map_err(|damage| copies::PieceProblem::Damaged { n, damage })?;
        let mut last = previous;
        for entry in &entries {
            if entry.seq <= last || entry.seq >= self.next_seq {
                return Err(copies::PieceProblem::OutOfPlace { seq: entry.seq, n });
            }
            last = entry.seq;
        }
        Ok(entries)
    }

    /// The piece count and last record of copies `name`: (0, 0) if none.
    pub(crate) fn copies_meta(&self, name: &str) -> Result<(u32, u64), Error> {
        match self.copies.get(copies_meta_key(name))? {
            None => Ok((0, 0)),
            Some(meta) => copies::decode_meta(&meta).ok_or_else(|| Error::BadCopies {
                name: name.to_string(),
                problem: format!("its meta value is {} bytes, not 12", meta.len()),
            }),
        }
    }

    /// Piece `n` of copies `name`, which its meta value says exists.
    pub(crate) fn copies_piece(&self, name: &str, n: u32) -> Result<Value, Error> {
        self.copies.get(copies_piece_key(name, n))?.ok_or_else(|| Error::BadCopies {
            name: name.to_string(),
            problem: format!("piece {n} is missing"),
        })
    }
}
