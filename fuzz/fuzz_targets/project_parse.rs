//! Fuzz target: see `corridor::fuzzing::project_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corridor::fuzzing::project_parse(data));
