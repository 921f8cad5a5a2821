//! Hostile input: malformed JSONL and ACLED files are refused with a
//! line-numbered error and leave the log unchanged (issue 6).
