//! `ahead`: the second pass of an import read on a thread of its own gives
//! the consumer the same events, errors and checksum as reading it in
//! place, never ends silently when its thread fails, and stops when the
//! consumer does.

use annals_import::{ahead, JsonlEvents, Refused, SecondPass};
use annals_model::Event;

/// `n` lines of actors, with a bad line at `bad` (1-based) if given.
fn jsonl(n: usize, bad: Option<usize>) -> String {
    (1..=n)
        .map(|i| match bad {
            Some(b) if b == i => "{\"type\":\"actor\",\"id\":\"a\"\n".to_string(),
            _ => format!("{{\"type\":\"actor\",\"id\":\"a-{i}\",\"name\":\"Actor {i}\"}}\n"),
        })
        .collect()
}

/// What a consumer sees of one item: the line and event id, or the error.
type Seen = Result<(usize, String), String>;

/// Everything a second pass gives, as its consumer sees it, and the
/// checksum after the last.
fn drained(pass: &mut dyn SecondPass) -> (Vec<Seen>, u32) {
    let items = (&mut *pass)
        .map(|item| {
            item.map(|(line, e): (usize, Event)| (line, e.id.to_string()))
                .map_err(|e| e.to_string())
        })
        .collect();
    (items, pass.checksum())
}

#[test]
fn read_ahead_gives_what_reading_in_place_gives() {
    // Sizes around the batch of 256: empty, short, exactly full, several
    // batches, and a bad line in the middle of a later batch.
    for (n, bad) in [(0, None), (3, None), (256, None), (1000, None), (700, Some(600))] {
        let text = jsonl(n, bad);
        let mut in_place = JsonlEvents::new("f.jsonl", std::io::Cursor::new(text.clone()));
        let expected = drained(&mut in_place);
        let events = JsonlEvents::new("f.jsonl", std::io::Cursor::new(text));
        let got = ahead(events, drained);
        assert_eq!(got.0.len(), expected.0.len(), "{n} lines, bad {bad:?}");
        assert_eq!(got, expected, "{n} lines, bad {bad:?}");
    }
}

/// A second pass whose reading fails (a bug: it panics) after `after` events.
struct Failing {
    after: usize,
    given: usize,
}

impl Iterator for Failing {
    type Item = Result<(usize, Event), Refused>;
    fn next(&mut self) -> Option<Self::Item> {
        assert!(self.given < self.after, "the reader fails");
        self.given += 1;
        let line = format!(r#"{{"type":"actor","id":"a-{}","name":"A"}}"#, self.given);
        Some(Ok((self.given, annals_model::v1::parse_line(&line).unwrap().event)))
    }
}

impl SecondPass for Failing {
    fn checksum(&self) -> u32 {
        7
    }
}

#[test]
fn a_reading_thread_that_fails_ends_in_an_error_not_in_a_short_file() {
    let mut consumer_saw = None;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ahead(Failing { after: 300, given: 0 }, |pass| {
            let items: Vec<_> = (&mut *pass).collect();
            let last = items.last().map(|i| i.as_ref().err().map(|e| e.to_string()));
            consumer_saw = Some((items.len(), last));
        })
    }));
    // `ahead` passes the thread's panic on once the consumer returns.
    assert!(outcome.is_err(), "the thread's panic is not swallowed");
    let (count, last) = consumer_saw.expect("the consumer ran to the end of what it was given");
    assert_eq!(count, 257, "the full batch before the failure, then the error");
    assert_eq!(
        last.flatten().as_deref(),
        Some("the thread reading the file stopped before its end")
    );
}

#[test]
fn a_consumer_that_stops_early_stops_the_reading_thread() {
    // 100 000 lines are far more than the channel holds: if the thread did
    // not stop when the consumer returns, `ahead` would never return.
    let text = jsonl(100_000, None);
    let first = ahead(JsonlEvents::new("f.jsonl", std::io::Cursor::new(text)), |pass| {
        pass.next().map(|item| item.map(|(line, _)| line).map_err(|e| e.to_string()))
    });
    assert_eq!(first, Some(Ok(1)));
}
