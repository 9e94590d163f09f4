//! Fuzz target: see `corridor::fuzzing::ogr_read`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corridor::fuzzing::ogr_read(data));
