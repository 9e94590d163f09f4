//! Fuzz target: see `corridor::fuzzing::vn_text`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corridor::fuzzing::vn_text(data));
