//! `cargo bench -p irsa`: each stage of the compiler on a realistic install
//! of all 20 services. `cargo xtask bench` runs the whole-program
//! comparisons and prints the budget table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use irsa::EmitOptions;
use irsa::services::KNOWN_SERVICES;

fn main() {
    divan::main();
}

/// A production-like install: every known service, defaults, labels,
/// trust policies.
fn install() -> String {
    let mut source = String::from(
        "spinnaker spinnaker-prod\nnamespace spinnaker\naccount 123456789012\narmory 2.32.1\n\
oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\n\n\
defaults {\n  sts-regional-endpoints true\n  token-expiration 1h\n  label \"team\" \"platform\"\n}\n\n\
service * -> role spinnaker/core\n",
    );
    for (index, service) in KNOWN_SERVICES.iter().enumerate() {
        source.push_str(&format!(
            "service {service} -> role spinnaker/{service}-{index}"
        ));
        if index % 4 == 0 {
            source.push_str(
                " {\n  token-expiration 2h\n  annotation \"example.com/owner\" \"team-a\"\n}\n",
            );
        } else {
            source.push('\n');
        }
    }
    source
}

#[divan::bench]
fn parse(bencher: divan::Bencher<'_, '_>) {
    let source = install();
    bencher.bench(|| irsa::syntax::parse(divan::black_box(&source)));
}

#[divan::bench]
fn parse_and_validate(bencher: divan::Bencher<'_, '_>) {
    let source = install();
    bencher.bench(|| irsa::analyze(divan::black_box(&source)));
}

#[divan::bench]
fn emit(bencher: divan::Bencher<'_, '_>) {
    let install = irsa::analyze(&install()).install.unwrap();
    bencher.bench(|| irsa::emit::emit(divan::black_box(&install), EmitOptions::default()));
}

#[divan::bench]
fn compile(bencher: divan::Bencher<'_, '_>) {
    let source = install();
    bencher.bench(|| irsa::compile(divan::black_box(&source), EmitOptions::default()));
}
