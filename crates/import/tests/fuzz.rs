//! Fuzzing the readers of untrusted files, `read_jsonl` (with the second pass,
//! `JsonlEvents`) and `read_acled`:
//! random bytes, and files that are nearly right (JSON lines of the right
//! shape with wrong values, CSV exports with shuffled, missing or repeated
//! columns and cells drawn from right and wrong values, quotes, line breaks,
//! NULs and invalid UTF-8). The property is no panic; and what is accepted is
//! consistent: every error names a line of the file, and a file read again
//! against a log that holds what it produced emits no entity twice and the
//! same events (the importer's own promise).
//!
//! annals-import has no proptest among its dev-dependencies, so the cases
//! come from the seeded generator of the synthetic logs
//! (`annals_synth::SplitMix64`): `ANNALS_FUZZ_SEED` replays a run,
//! `ANNALS_FUZZ_CASES` makes it longer. A failure prints its seed and case.

use std::collections::HashMap;

use annals_import::{read_acled, read_jsonl, Catalog, JsonlEvents, LineError, SecondPass};
use annals_model::{Event, EventKind, RefKind};

/// What the cases are drawn with.
struct Rng(annals_synth::SplitMix64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn below(&mut self, n: usize) -> usize {
        self.0.below(n.max(1) as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn cases(default: usize) -> usize {
    std::env::var("ANNALS_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

fn seed() -> u64 {
    std::env::var("ANNALS_FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(0x5eed_6a11)
}

/// Runs `check` on `n` generated cases; a panic names the seed and the case.
fn fuzz(name: &str, n: usize, mut check: impl FnMut(&mut Rng)) {
    let seed = seed();
    for case in 0..n {
        let seed_of_case = seed ^ (case as u64).wrapping_mul(0xA24B_AED4_963E_E407);
        let mut rng = Rng(annals_synth::SplitMix64::new(seed_of_case));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&mut rng)));
        if let Err(panic) = outcome {
            eprintln!("{name}: case {case} of seed {seed} failed (ANNALS_FUZZ_SEED={seed})");
            std::panic::resume_unwind(panic);
        }
    }
}

/// A log that holds some ids and not others, of the kinds given.
fn catalog_of(known: &HashMap<String, RefKind>) -> impl Fn(RefKind, &str) -> bool + '_ {
    move |kind, id| match known.get(id) {
        Some(k) => kind == RefKind::Event || *k == kind,
        None => false,
    }
}

fn kind_of(event: &Event) -> RefKind {
    match event.kind {
        EventKind::Source { .. } => RefKind::Source,
        EventKind::Actor { .. } => RefKind::Actor,
        EventKind::Place { .. } => RefKind::Place,
        _ => RefKind::Event,
    }
}

fn lines_of(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count().max(1)
}

/// Errors name lines of the file, are short, and have a kind scripts know.
fn errors_are_sane(file: &str, bytes: &[u8], errors: &[LineError]) {
    assert!(!errors.is_empty() && errors.len() <= annals_import::MAX_ERRORS);
    for e in errors {
        assert_eq!(e.file, file);
        assert!(e.line >= 1 && e.line <= lines_of(bytes), "line {} of {}", e.line, lines_of(bytes));
        let problem = e.problem.to_string();
        let start: String = problem.chars().take(200).collect();
        assert!(problem.len() < 2_000, "{} bytes: {start}", problem.len());
        let kind = e.problem.kind();
        assert!(annals_import::Problem::KINDS.contains(&kind), "kind `{kind}` of {start}");
    }
}

// ---------------------------------------------------------------------------
// JSON Lines

const TYPES: &[&str] = &[
    "source",
    "actor",
    "place",
    "membership_began",
    "alliance_formed",
    "hostilities_began",
    "agreement_signed",
    "government",
    "coup",
    "intervention_began",
    "control_taken",
    "control_lost",
    "attack",
    "retraction",
    "Source",
    "seized",
    "",
];
const FIELDS: &[&str] = &[
    "id",
    "date",
    "sources",
    "claim",
    "claimed_by",
    "note",
    "title",
    "name",
    "aliases",
    "kind",
    "within",
    "lat",
    "lon",
    "member",
    "group",
    "actors",
    "agreement",
    "signatories",
    "state",
    "actor",
    "perpetrator",
    "outcome",
    "intervener",
    "host",
    "place",
    "from",
    "attacker",
    "target",
    "fatalities",
    "retracts",
    "reason",
    "type",
    "winner",
];
const IDS: &[&str] =
    &["cma", "fama", "bamba", "gao", "src", "e1", "e2", "CMA", "a--b", "ghost", ""];
const WORDS: &[&str] = &[
    "2023",
    "2023-10",
    "2023-10-01~",
    "2023-02-30",
    "0000-00-00",
    "99999",
    "2023/2022",
    "confirmed",
    "claimed",
    "town",
    "armed_group",
    "successful",
    "Bamba",
    "é",
    "\u{202e}",
    "\\u0000",
];

/// A JSON value as text: mostly plausible, sometimes not JSON at all.
fn value(rng: &mut Rng, depth: usize) -> String {
    match rng.below(if depth > 2 { 8 } else { 11 }) {
        0 => "null".into(),
        1 => ["true", "false"][rng.below(2)].into(),
        2 => {
            rng.pick(&["0", "-1", "4", "2.5", "1e400", "18446744073709551616", "91", "-0.0"]).into()
        }
        3 | 4 => format!("\"{}\"", rng.pick(IDS)),
        5 | 6 => format!("\"{}\"", rng.pick(WORDS)),
        7 => rng.pick(&["NaN", "'x'", "\"unterminated", "[", "}", "\"\\ud800\""]).into(),
        8 => {
            let items: Vec<String> = (0..rng.below(4)).map(|_| value(rng, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        9 => format!("[\"{}\",\"{}\"]", rng.pick(IDS), rng.pick(IDS)),
        _ => format!("{{\"{}\":{}}}", rng.pick(FIELDS), value(rng, depth + 1)),
    }
}

fn json_line(rng: &mut Rng) -> Vec<u8> {
    let mut fields = vec![format!("\"type\":\"{}\"", rng.pick(TYPES))];
    for _ in 0..rng.below(8) {
        fields.push(format!("\"{}\":{}", rng.pick(FIELDS), value(rng, 0)));
    }
    let mut line = format!("{{{}}}", fields.join(",")).into_bytes();
    if rng.chance(6) && !line.is_empty() {
        // One raw byte changed: a NUL, a CR, invalid UTF-8, a quote ...
        let at = rng.below(line.len());
        line[at] = *rng.pick(&[&0u8, &b'\r', &0xff, &0xc0, &b'"', &b'\\', &b'{']);
    }
    line
}

fn jsonl_file(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.chance(8) {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    for _ in 0..rng.below(12) {
        match rng.below(10) {
            0 => {}
            1 => {
                let len = rng.below(40);
                out.extend(rng.bytes(len));
            }
            _ => out.extend(json_line(rng)),
        }
        out.extend_from_slice(if rng.chance(4) { b"\r\n" } else { b"\n" });
    }
    out
}

/// Reads a JSON Lines file against a catalog of random ids; whether it was accepted.
fn check_jsonl(rng: &mut Rng, bytes: &[u8]) -> bool {
    let mut known: HashMap<String, RefKind> = HashMap::new();
    for id in IDS {
        if rng.chance(2) {
            let kind = [RefKind::Source, RefKind::Actor, RefKind::Place][rng.below(3)];
            known.insert(id.to_string(), kind);
        }
    }
    let exists = catalog_of(&known);
    let catalog = Catalog { exists: &exists, is_retraction: &|id| id == "e2", place_at: &|_| None };
    match read_jsonl("f.jsonl", bytes, &catalog) {
        Err(errors) => {
            errors_are_sane("f.jsonl", bytes, &errors);
            false
        }
        Ok(events) => {
            let mut ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), events.len(), "an id twice in one import");
            // The second pass of a streamed import reads the same events
            // (repeats of an id, with the same content, come again).
            let mut again = JsonlEvents::new("f.jsonl", std::io::Cursor::new(bytes));
            let mut first: HashMap<String, Event> = HashMap::new();
            let mut order = Vec::new();
            for read in again.by_ref() {
                let (_, event) = read.expect("a line accepted before reads again");
                match first.get(event.id.as_str()) {
                    Some(earlier) => assert_eq!(earlier, &event, "a repeat differs"),
                    None => {
                        order.push(event.clone());
                        first.insert(event.id.as_str().to_string(), event);
                    }
                }
            }
            assert_eq!(order, events, "the second pass reads other events");
            let checked = annals_import::check_jsonl(
                "f.jsonl",
                std::io::Cursor::new(bytes),
                &catalog,
                |_, _| Ok(()),
            )
            .expect("accepted again");
            assert_eq!(again.checksum(), checked.checksum);
            true
        }
    }
}

#[test]
fn read_jsonl_survives_random_bytes() {
    fuzz("read_jsonl_survives_random_bytes", cases(3_000), |rng| {
        let len = rng.below(300);
        let bytes = rng.bytes(len);
        check_jsonl(rng, &bytes);
    });
}

#[test]
fn read_jsonl_survives_lines_of_the_right_shape_with_wrong_values() {
    let n = cases(3_000);
    let mut accepted = 0;
    fuzz("read_jsonl_survives_lines_of_the_right_shape_with_wrong_values", n, |rng| {
        let bytes = jsonl_file(rng);
        accepted += usize::from(check_jsonl(rng, &bytes));
    });
    // The generator must also reach files that are read through.
    assert!(accepted * 50 > n, "only {accepted} of {n} files accepted");
}

// ---------------------------------------------------------------------------
// ACLED CSV

const COLUMNS: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "source",
    "notes",
    "fatalities",
];

/// Cells a column may hold: (right ones, wrong ones).
fn pools(column: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match column {
        "event_id_cnty" => (&["MLI1", "MLI2", "MLI3", "mli1", "BFO7"], &["X/1", "NIG-4", ""]),
        "event_date" => (
            &["2014-12-24", "24 December 2014", "9 Jan 2019", "2012-02-29"],
            &["2021-02-30", "0000-00-00", "31 Februar 2020", "2014-1-01", "99999-01-01"],
        ),
        "time_precision" => (&["1", "2", "3"], &["0", "4", "1.0", ""]),
        "event_type" => (
            &[
                "Battles",
                "Protests",
                "Riots",
                "Strategic developments",
                "Explosions/Remote violence",
                "Violence against civilians",
                "Battle-Government regains territory",
                "Battle-Non-state actor overtakes territory",
                "Remote violence",
                "Non-violent transfer of territory",
            ],
            &["Invasion", ""],
        ),
        "sub_event_type" => (
            &[
                "Armed clash",
                "Non-state actor overtakes territory",
                "Government regains territory",
                "Non-violent transfer of territory",
                "Headquarters or base established",
                "Peaceful protest",
                "",
            ],
            &["#tag"],
        ),
        "actor1" => (
            &[
                "MNLA",
                "Military Forces of Mali (2012-2013)",
                "Mutiny of Military Forces of Niger (1999-2010)",
                "Government of Mali",
                "Ansar Dine",
                "Civilians (Mali)",
            ],
            &["???", "Mali", "", "Gao"],
        ),
        "actor2" => {
            (&["MNLA", "Military Forces of France (2012-2017)", "GATIA", ""], &["???", "Mali"])
        }
        "inter1" | "inter2" => (
            &["1", "2", "3", "4", "7", "8", "Rebel group", "State forces"],
            &["0", "9", "", "rebels"],
        ),
        "country" => (&["Mali", "Niger", "Burkina Faso"], &["", "Gao", "?"]),
        "admin1" => (&["Gao", "Kidal", "Mopti"], &["", "Mali"]),
        "admin2" => (&["Bourem", "Koro", "", "Gao"], &["..."]),
        "location" => (&["Bamba", "Kidal", "Gao", "N'Goutjina", "Ténéré"], &["", "???", "Mali"]),
        "latitude" => (&["17.035", "17.0350", "90", "0", "-12.5"], &["-91", "abc", "NaN", ""]),
        "longitude" => (&["-1.4", "180", "0.5"], &["-180.5", "inf", "1,4"]),
        "source" => (&["RFI", "RFI; Menastream", "menastream", ";", ""], &[]),
        "fatalities" => (&["0", "3", "+3", "12"], &["-3", "2.5", "", "99999999999999999999"]),
        _ => (&["", "note text", "with GATIA", "Le Monde", "\"q\"", "a\0b", "é"], &[]),
    }
}

/// A cell: a right one, or with probability 1 in `noise` a wrong one or junk.
fn cell(rng: &mut Rng, column: &str, noise: usize) -> String {
    let (right, wrong) = pools(column);
    if rng.chance(noise) {
        if !wrong.is_empty() && rng.chance(2) {
            return rng.pick(wrong).to_string();
        }
        return rng
            .pick(&[
                "",
                " ",
                "\"",
                "\"quoted, with comma\"",
                "\"line\nbreak\"",
                "#hxl",
                "a\0b",
                "é",
                "-1",
                "NaN",
                "\"unclosed",
            ])
            .to_string();
    }
    rng.pick(right).to_string()
}

fn acled_file(rng: &mut Rng) -> Vec<u8> {
    // Some files nearly clean, some full of junk.
    let noise = *rng.pick(&[&400usize, &60, &12, &3]);
    // Mostly the required columns in some order, sometimes one missing,
    // repeated or unknown.
    let mut header: Vec<&str> =
        COLUMNS.iter().copied().filter(|_| !rng.chance(noise * 2)).collect();
    if rng.chance(3) {
        header.retain(|c| !matches!(*c, "actor2" | "inter2" | "assoc_actor_2"));
    }
    if rng.chance(10) {
        let extra = rng.pick(&["tags", "latitude", "notes", "", "Event_Date "]);
        header.push(extra);
    }
    for i in (1..header.len()).rev() {
        header.swap(i, rng.below(i + 1));
    }
    let mut out = Vec::new();
    if rng.chance(8) {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let end: &[u8] = if rng.chance(4) { b"\r\n" } else { b"\n" };
    out.extend(header.join(",").into_bytes());
    out.extend_from_slice(end);
    if rng.chance(6) {
        out.extend(
            header
                .iter()
                .map(|c| if c.is_empty() { "" } else { "#tag" })
                .collect::<Vec<_>>()
                .join(",")
                .into_bytes(),
        );
        out.extend_from_slice(end);
    }
    for _ in 0..rng.below(10) {
        let mut cells: Vec<String> = header
            .iter()
            .map(|c| {
                let cell = cell(rng, c, noise);
                if cell.contains(',') && !cell.starts_with('"') {
                    format!("\"{cell}\"")
                } else {
                    cell
                }
            })
            .collect();
        if rng.chance(12) {
            cells.truncate(rng.below(cells.len() + 1));
        }
        let mut row = cells.join(",").into_bytes();
        if rng.chance(15) && !row.is_empty() {
            let at = rng.below(row.len());
            row[at] = *rng.pick(&[&0xffu8, &b'"', &b'\n', &0u8]);
        }
        out.extend(row);
        out.extend_from_slice(end);
    }
    out
}

/// Reads an ACLED file, and again if it was accepted; whether it was.
fn check_acled(bytes: &[u8]) -> bool {
    let known: HashMap<String, RefKind> = HashMap::new();
    let exists = catalog_of(&known);
    let empty = Catalog { exists: &exists, is_retraction: &|_| false, place_at: &|_| None };
    match read_acled("f.csv", bytes, &empty) {
        Err(errors) => {
            errors_are_sane("f.csv", bytes, &errors);
            false
        }
        Ok(import) => {
            // Read again against a log holding what the first read made:
            // no entity again, and the same ACLED events.
            let stored: HashMap<String, RefKind> =
                import.events.iter().map(|e| (e.id.to_string(), kind_of(e))).collect();
            let exists = catalog_of(&stored);
            let catalog =
                Catalog { exists: &exists, is_retraction: &|_| false, place_at: &|_| None };
            let again = read_acled("f.csv", bytes, &catalog).expect("a file read once reads again");
            let events = |events: &[Event]| -> Vec<Event> {
                events.iter().filter(|e| kind_of(e) == RefKind::Event).cloned().collect()
            };
            assert!(again.events.iter().all(|e| kind_of(e) == RefKind::Event), "an entity twice");
            assert_eq!(again.events, events(&import.events));
            assert_eq!((again.rows, &again.skipped), (import.rows, &import.skipped));
            !import.events.is_empty()
        }
    }
}

#[test]
fn read_acled_survives_random_bytes() {
    fuzz("read_acled_survives_random_bytes", cases(3_000), |rng| {
        let len = rng.below(300);
        let mut bytes = rng.bytes(len);
        if rng.chance(2) {
            // A real header first, so the rows are read.
            let mut with_header = COLUMNS.join(",").into_bytes();
            with_header.push(b'\n');
            with_header.append(&mut bytes);
            bytes = with_header;
        }
        check_acled(&bytes);
    });
}

#[test]
fn read_acled_survives_exports_with_random_columns_and_cells() {
    let n = cases(3_000);
    let mut accepted = 0;
    fuzz("read_acled_survives_exports_with_random_columns_and_cells", n, |rng| {
        let bytes = acled_file(rng);
        accepted += usize::from(check_acled(&bytes));
    });
    // The generator must also reach rows that become events.
    assert!(accepted * 50 > n, "only {accepted} of {n} files made events");
    eprintln!("{accepted} of {n} generated exports made events");
}
