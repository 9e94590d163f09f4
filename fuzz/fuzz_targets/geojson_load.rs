//! Fuzz target: see `corridor::fuzzing::geojson_load`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corridor::fuzzing::geojson_load(data));
