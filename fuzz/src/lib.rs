//! The properties the fuzz targets check. They live in the test-support
//! crate (`test-support/src/properties.rs`), where the integration tests
//! replay them over every kept input and the property tests run them on
//! generated text.
pub mod export_properties;
pub mod properties;
pub mod verify_properties;
