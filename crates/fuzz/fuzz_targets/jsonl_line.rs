//! A line of interchange format v1, and the dates and days a user types:
//! never a panic; what is accepted reads back from its canonical form.
#![no_main]

use annals_model::{parse_day, v1, Date, KnownAt};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(parsed) = v1::parse_line(text) {
        let canonical = v1::to_line(&parsed.event);
        let again = v1::parse_line(&canonical).expect("a canonical line reads back");
        assert_eq!(again.event, parsed.event, "{canonical}");
    }
    if let Ok(date) = text.parse::<Date>() {
        assert!(date.earliest() <= date.latest(), "{text}");
        assert_eq!(date.to_string().parse::<Date>().as_ref(), Ok(&date), "{text}");
    }
    let _ = parse_day(text);
    let _ = text.parse::<KnownAt>();
});
