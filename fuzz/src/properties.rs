//! The properties every input keeps, from `test-support/src/properties.rs`:
//! `check_parse`, `check_compile`, `check_fmt` (each panics when its
//! property breaks) and `meaning`.
pub use irsa_test_support::properties::*;
