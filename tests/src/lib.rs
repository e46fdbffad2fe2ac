//! The integration tests of irsa live in `tests/tests/`, their data in
//! `tests/cases/`; what they share with the other test crates and the
//! fuzzers (running the binary, sandboxes, cases, schemas, properties) is
//! in the `irsa-test-support` crate (`test-support/`).
