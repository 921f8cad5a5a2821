//! Increasing sequence numbers, stored compactly: each as its difference
//! from the one before, in LEB128 (a byte for most, as a place's records lie
//! close together). A snapshot of the place index holds millions of them;
//! stored this way the whole snapshot of a 10M log is 27.5 MB instead of
//! 53 MB, and loading a snapshot
//! copies one byte string per list instead of decoding every number into
//! its own slot. A query decodes only the lists it reads.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Strictly increasing sequence numbers (each at least 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Seqs {
    /// The differences, LEB128: the first from 0, each other from the one before.
    bytes: Vec<u8>,
    last: u64,
    len: usize,
}

impl Seqs {
    /// Appends `seq`, which must be greater than every number already here.
    pub(crate) fn push(&mut self, seq: u64) {
        debug_assert!(seq > self.last, "sequence numbers increase");
        let mut delta = seq - self.last;
        while delta >= 0x80 {
            self.bytes.push(delta as u8 | 0x80);
            delta >>= 7;
        }
        self.bytes.push(delta as u8);
        self.last = seq;
        self.len += 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The numbers, in increasing order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let mut bytes = self.bytes.iter();
        let mut seq = 0u64;
        std::iter::from_fn(move || {
            let (mut delta, mut shift) = (0u64, 0);
            loop {
                let byte = *bytes.next()?;
                delta |= u64::from(byte & 0x7f) << shift;
                shift += 7;
                if byte < 0x80 {
                    break;
                }
            }
            seq += delta;
            Some(seq)
        })
    }

    pub(crate) fn to_vec(&self) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.len);
        out.extend(self.iter());
        out
    }

    /// Checks stored differences: whole LEB128 numbers of at most 64 bits,
    /// in their shortest form (so that equal lists have equal bytes), each
    /// at least 1, and no sum beyond `u64::MAX`. Returns the list.
    fn from_bytes(bytes: Vec<u8>) -> Result<Seqs, String> {
        let (mut last, mut len) = (0u64, 0usize);
        let (mut delta, mut shift) = (0u64, 0u32);
        for &byte in &bytes {
            let bits = u64::from(byte & 0x7f);
            if shift > 63 || (shift == 63 && bits > 1) {
                return Err(format!("difference {} is longer than 64 bits", len + 1));
            }
            if byte == 0 && shift > 0 {
                return Err(format!("difference {} is not in its shortest form", len + 1));
            }
            delta |= bits << shift;
            shift += 7;
            if byte < 0x80 {
                if delta == 0 {
                    return Err(format!("difference {} is zero", len + 1));
                }
                last = last
                    .checked_add(delta)
                    .ok_or_else(|| format!("number {} is beyond 2^64", len + 1))?;
                len += 1;
                (delta, shift) = (0, 0);
            }
        }
        if shift > 0 {
            return Err(format!("difference {} is cut short", len + 1));
        }
        Ok(Seqs { bytes, last, len })
    }
}

impl FromIterator<u64> for Seqs {
    fn from_iter<I: IntoIterator<Item = u64>>(seqs: I) -> Seqs {
        let mut out = Seqs::default();
        for seq in seqs {
            out.push(seq);
        }
        out
    }
}

impl Serialize for Seqs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.bytes)
    }
}

impl<'de> Deserialize<'de> for Seqs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Seqs, D::Error> {
        struct Bytes;
        impl<'de> Visitor<'de> for Bytes {
            type Value = Seqs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("increasing sequence numbers as LEB128 differences")
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Seqs, E> {
                self.visit_byte_buf(bytes.to_vec())
            }
            fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Seqs, E> {
                Seqs::from_bytes(bytes).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seqs, A::Error> {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(byte) = seq.next_element()? {
                    bytes.push(byte);
                }
                self.visit_byte_buf(bytes)
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn numbers_read_back_as_pushed(gaps in proptest::collection::vec(1u64..1 << 40, 0..200), big in any::<bool>()) {
            let mut seq = if big { u64::MAX / 2 } else { 0 };
            let mut want = Vec::new();
            for gap in gaps {
                seq = seq.saturating_add(gap);
                if want.last() == Some(&seq) {
                    break;
                }
                want.push(seq);
            }
            let seqs: Seqs = want.iter().copied().collect();
            prop_assert_eq!(seqs.len(), want.len());
            prop_assert_eq!(seqs.to_vec(), want.clone());
            let back = Seqs::from_bytes(seqs.bytes.clone()).unwrap();
            prop_assert_eq!(back, seqs);
        }

        /// Whatever the bytes, checking them never panics, and what passes
        /// reads back to numbers that increase.
        #[test]
        fn any_bytes_are_checked(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(seqs) = Seqs::from_bytes(bytes.clone()) {
                let numbers = seqs.to_vec();
                prop_assert_eq!(numbers.len(), seqs.len());
                prop_assert!(numbers.windows(2).all(|w| w[0] < w[1]));
                prop_assert_eq!(numbers.last().copied().unwrap_or(0), seqs.last);
                prop_assert_eq!(numbers.iter().copied().collect::<Seqs>().bytes, bytes);
            }
        }
    }

    #[test]
    fn damaged_differences_are_refused() {
        assert_eq!(Seqs::from_bytes(vec![]).unwrap().len(), 0);
        assert_eq!(Seqs::from_bytes(vec![3, 0x80, 1]).unwrap().to_vec(), vec![3, 131]);
        assert_eq!(Seqs::from_bytes(vec![3, 0]).unwrap_err(), "difference 2 is zero");
        assert_eq!(Seqs::from_bytes(vec![3, 0x80]).unwrap_err(), "difference 2 is cut short");
        assert_eq!(
            Seqs::from_bytes(vec![0x83, 0]).unwrap_err(),
            "difference 1 is not in its shortest form"
        );
        let max: Seqs = [u64::MAX].into_iter().collect();
        assert_eq!(Seqs::from_bytes(max.bytes.clone()).unwrap().to_vec(), vec![u64::MAX]);
        let mut beyond = vec![1];
        beyond.extend(&max.bytes);
        assert_eq!(Seqs::from_bytes(beyond).unwrap_err(), "number 2 is beyond 2^64");
        let long = vec![0xff; 10].into_iter().chain([1]).collect();
        assert_eq!(Seqs::from_bytes(long).unwrap_err(), "difference 1 is longer than 64 bits");
    }
}
