//! Fuzz target: see `corridor::fuzzing::mbtiles_read`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corridor::fuzzing::mbtiles_read(data));
