//! Import speed of every dataset importer against the `csv` crate alone,
//! on the real files of `../shared/data` (read in place; the bench says so
//! and measures nothing where that folder is absent).
//!
//! For each file, held in memory:
//! - `csv`: the `csv` crate reads every record into one reused
//!   `ByteRecord`, as the importers' reader is configured (no header
//!   handling, flexible widths, the file's delimiter): the floor of any CSV
//!   importer;
//! - `import`: what `annals import` does with the file before the log:
//!   [`annals_import::check`] (read, decode text, map rows to events, check
//!   them against an empty log) and the second reading that hands the
//!   events on to be stored ([`CheckedFile::events_again`]).
//!
//! The ratio `import / csv` is reported per file. The whole `annals import`
//! into a log is measured by the `import` bench.

use std::hint::black_box;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use annals_bench::report_ratio;
use annals_import::{check, detect, Catalog, CheckedFile};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// `../shared/data` beside the repository, if it is there.
fn shared_data() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [root.join("../shared/data"), root.join("../../shared/data")].into_iter().find(|p| p.is_dir())
}

/// The data files an importer reads: every `.csv` and `.txt` file of the folder.
fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the data folder reads")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "txt")))
        .collect();
    files.sort();
    files
}

/// The delimiter of a file, told from its first line as the importers tell it.
fn delimiter(bytes: &[u8]) -> u8 {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    if first.contains(&b'\t') {
        b'\t'
    } else {
        b','
    }
}

/// Every record through the `csv` crate: the number of fields read.
fn csv_only(bytes: &[u8], delimiter: u8) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut fields = 0;
    while reader.read_byte_record(&mut record).expect("the file is CSV") {
        fields += record.len();
    }
    fields
}

/// Both readings of an import, without a log: the events handed on.
fn import(format: annals_import::Format, name: &str, bytes: &[u8]) -> u64 {
    let catalog = Catalog::empty();
    let checked: CheckedFile = check(format, name, Cursor::new(bytes), &catalog, |_, event| {
        black_box(event);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{name} imports: {e:?}"));
    let mut events = 0;
    for event in checked.events_again(name, Cursor::new(bytes)).expect("a second reading") {
        black_box(event.expect("the second reading gives the first one's events"));
        events += 1;
    }
    events
}

fn bench(c: &mut Criterion) {
    let Some(dir) = shared_data() else {
        eprintln!("datasets: ../shared/data is absent; nothing measured");
        return;
    };
    let mut group = c.benchmark_group("datasets");
    group.sample_size(10).warm_up_time(Duration::from_millis(500));
    let mut measured = Vec::new();
    for path in data_files(&dir) {
        let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).expect("the data file reads");
        let head = &bytes[..bytes.len().min(4096)];
        let Ok(format) = detect(&name, head) else {
            eprintln!("datasets: {name} is no dataset annals imports; skipped");
            continue;
        };
        let rows = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let events = import(format, &name, &bytes);
        eprintln!("datasets: {name}: {} bytes, {rows} lines, {events} events", bytes.len());
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        let d = delimiter(&bytes);
        group.bench_function(BenchmarkId::new("csv", &name), |b| {
            b.iter(|| black_box(csv_only(black_box(&bytes), d)))
        });
        group.bench_function(BenchmarkId::new("import", &name), |b| {
            b.iter(|| black_box(import(format, &name, black_box(&bytes))))
        });
        measured.push(name);
    }
    group.finish();
    for name in measured {
        report_ratio("datasets", &format!("import/{name}"), &format!("csv/{name}"), None);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
