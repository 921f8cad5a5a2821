//! Writes a synthetic log: `cargo run --release -p annals-synth --example synth -- N SEED FILE`.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [n, seed, file] = args.as_slice() else {
        eprintln!("usage: synth EVENTS SEED FILE.jsonl");
        std::process::exit(2);
    };
    let (Ok(n), Ok(seed)) = (n.parse::<u64>(), seed.parse::<u64>()) else {
        eprintln!("EVENTS and SEED must be whole numbers");
        std::process::exit(2);
    };
    let result = std::fs::File::create(file).and_then(|mut f| {
        let summary = annals_synth::write_jsonl(&mut f, n, seed)?;
        f.flush()?;
        Ok(summary)
    });
    match result {
        Ok(summary) => println!("wrote {file}: {summary}"),
        Err(e) => {
            eprintln!("cannot write {file}: {e}");
            std::process::exit(1);
        }
    }
}
