//! The export readers' properties, from
//! `test-support/src/export_properties.rs`.
pub use irsa_test_support::export_properties::*;
