//! `verify`'s properties, from `test-support/src/verify_properties.rs`.
pub use irsa_test_support::verify_properties::*;
