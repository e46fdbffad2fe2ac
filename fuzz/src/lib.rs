//! The properties the fuzz targets check. `tests/tests/fuzz_regressions.rs`
//! includes the same file to replay every finding and the seed corpus.
pub mod properties;
