//! A whole file to import, read as JSON Lines, as an ACLED export and as
//! each dataset the import library reads: read, or refused with short
//! errors that each name a line of the file; never a panic.
#![no_main]

use annals_import::{read, read_acled, read_jsonl, Catalog, Format, MAX_ERRORS};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let catalog = Catalog::empty();
    let lines = data.split(|&b| b == b'\n').count().max(1);
    let mut refusals = vec![
        ("f.jsonl", read_jsonl("f.jsonl", data, &catalog).err()),
        ("f.csv", read_acled("f.csv", data, &catalog).err()),
    ];
    for format in Format::ALL {
        refusals.push(("f.csv", read(format, "f.csv", data, &catalog).err()));
    }
    for (file, errors) in refusals {
        let Some(errors) = errors else { continue };
        assert!(!errors.is_empty() && errors.len() <= MAX_ERRORS);
        for e in &errors {
            assert_eq!(e.file, file);
            assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}", e.line);
            let message = e.problem.to_string();
            assert!(message.len() < 2_000, "{} bytes", message.len());
        }
    }
});
