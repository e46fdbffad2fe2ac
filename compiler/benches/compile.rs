//! `cargo bench -p irsa`: each stage of the compiler on a realistic install
//! of all 20 services. `cargo xtask bench` runs the whole-program
//! comparisons and prints the budget table.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use irsa::EmitOptions;
use irsa::services::KNOWN_SERVICES;

fn main() {
    // `cargo xtask bench` asks for one number on the release build: the
    // median cost of compiling a file against only serializing its output.
    if let Some(file) = std::env::var_os("IRSA_BENCH_COMPILE_VS_EMIT") {
        compile_vs_emit(std::path::Path::new(&file));
        return;
    }
    divan::main();
}

/// Prints `compile_ns=… analyze_ns=… emit_ns=…`: medians of 2,000 runs each.
fn compile_vs_emit(file: &std::path::Path) {
    use std::hint::black_box;
    use std::time::{Duration, Instant};
    let source = std::fs::read_to_string(file).unwrap();
    let install = irsa::analyze(&source).install.unwrap();
    let median = |f: &mut dyn FnMut()| {
        let mut samples: Vec<Duration> = (0..2_000)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect();
        samples.sort();
        samples[samples.len() / 2]
    };
    let compile = median(&mut || {
        black_box(irsa::compile(black_box(&source), EmitOptions::default()).unwrap());
    });
    let analyze = median(&mut || {
        black_box(irsa::analyze(black_box(&source)));
    });
    let emit = median(&mut || {
        black_box(irsa::emit::emit(black_box(&install), EmitOptions::default()).unwrap());
    });
    println!(
        "compile_ns={} analyze_ns={} emit_ns={}",
        compile.as_nanos(),
        analyze.as_nanos(),
        emit.as_nanos()
    );
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
