//! `cargo xtask bench`: the performance budget table. Whole-program numbers
//! on the release binary, side by side with what teams write instead (a
//! Python + PyYAML generator and a go-jsonnet template, producing the same
//! YAML from the same data, checked equal), written to
//! target/bench/report.md. Fails when a target is missed.

mod verify;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{command_output, gzipped_size, install, root, run_command, wasm};

fn bench_dir() -> PathBuf {
    root().join("target").join("bench")
}

/// Where every generator writes its output: a tmpfs when there is one, so
/// that the numbers measure the generators and not the disk's I/O budget
/// (a cloud disk slows down after a few hundred thousand file creations).
fn output_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.join("irsa-bench")
    } else {
        bench_dir()
    }
}

/// Writes `count` installs as `.irsa` files and as JSON data for the
/// other generators.
fn generate(count: usize) -> Result<(PathBuf, PathBuf), String> {
    let irsa_dir = bench_dir().join(format!("installs-{count}"));
    let data_dir = bench_dir().join(format!("data-{count}"));
    if irsa_dir
        .join(format!("install-{:05}.irsa", count - 1))
        .exists()
    {
        return Ok((irsa_dir, data_dir));
    }
    for dir in [&irsa_dir, &data_dir] {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    for index in 0..count {
        let account = format!("{:012}", 100_000_000_000u64 + index as u64 * 7919);
        let namespace = format!("spinnaker-{index}");
        let mut source = format!(
            "spinnaker spinnaker\nnamespace {namespace}\naccount {account}\noidc oidc.eks.us-east-1.amazonaws.com/id/{:032X}\n\ndefaults {{\n  sts-regional-endpoints true\n}}\n\nservice * -> role spinnaker\n",
            index
        );
        let mut bindings = vec![serde_json::json!({"service": "*", "role": "spinnaker"})];
        for (offset, service) in irsa::services::KNOWN_SERVICES
            .iter()
            .take(9)
            .enumerate()
            .filter(|(o, _)| (index + o) % 3 != 0)
        {
            let role = format!("spinnaker-{service}-{offset}");
            source.push_str(&format!("service {service} -> role {role}\n"));
            bindings.push(serde_json::json!({"service": service, "role": role}));
        }
        let data = serde_json::json!({"name": "spinnaker", "namespace": namespace, "account": account, "bindings": bindings});
        std::fs::write(irsa_dir.join(format!("install-{index:05}.irsa")), source)
            .map_err(|e| e.to_string())?;
        std::fs::write(
            data_dir.join(format!("install-{index:05}.json")),
            data.to_string(),
        )
        .map_err(|e| e.to_string())?;
    }
    Ok((irsa_dir, data_dir))
}

/// The 1,000 installs again, each role declared with `role` (a policy, a
/// session length, a tag), for `--iam`.
fn generate_managed(count: usize) -> Result<PathBuf, String> {
    let (plain, _) = generate(count)?;
    let dir = bench_dir().join(format!("managed-{count}"));
    if dir.join(format!("install-{:05}.irsa", count - 1)).exists() {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for index in 0..count {
        let name = format!("install-{index:05}.irsa");
        let source = std::fs::read_to_string(plain.join(&name)).map_err(|e| e.to_string())?;
        let roles: Vec<&str> = source
            .lines()
            .filter_map(|line| line.split(" -> role ").nth(1))
            .collect();
        let mut managed = String::new();
        for role in roles {
            managed.push_str(&format!(
                "role {role} {{\n  policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n  max-session 2h\n  tag \"team\" \"platform\"\n}}\n"
            ));
        }
        std::fs::write(dir.join(&name), format!("{source}{managed}")).map_err(|e| e.to_string())?;
    }
    Ok(dir)
}

/// Runs a command once, returning its wall time and peak memory (KiB), via
/// GNU time.
fn measure(command: &mut Command) -> Result<(Duration, u64), String> {
    measure_exiting(command, 0)
}

/// [`measure`], for a command that must exit with `code`.
pub fn measure_exiting(command: &mut Command, code: i32) -> Result<(Duration, u64), String> {
    // Earlier runs' files must not be written back during this one.
    let _ = Command::new("sync").status();
    let report = bench_dir().join("time.txt");
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let mut time = Command::new("/usr/bin/time");
    let stderr = bench_dir().join("stderr.txt");
    if code != 0 {
        // A refusal's message (with its source line) is not the bench's
        // output; it is kept for the error when the refusal is not one.
        let file = std::fs::File::create(&stderr).map_err(|e| e.to_string())?;
        time.stdout(Stdio::null()).stderr(file);
    }
    let started = Instant::now();
    let status = time
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    if status.code() != Some(code) {
        let said = std::fs::read_to_string(&stderr).unwrap_or_default();
        let tail: String = said.chars().take(2000).collect();
        return Err(format!(
            "{command:?} exited with {status}, not {code}: {tail}"
        ));
    }
    // GNU time writes "Command exited with non-zero status N" first.
    let report = std::fs::read_to_string(&report).map_err(|e| e.to_string())?;
    let peak = report
        .trim()
        .lines()
        .last()
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| format!("no peak memory in GNU time's report: {report:?}"))?;
    Ok((elapsed, peak))
}

fn median_of(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn median_run(runs: usize, mut command: impl FnMut() -> Command) -> Result<Duration, String> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let output = command().output().map_err(|e| e.to_string())?;
        samples.push(started.elapsed());
        if !output.status.success() {
            return Err("a timed command failed".to_owned());
        }
    }
    Ok(median_of(samples))
}

fn compile_all(irsa: &Path, dir: &Path, out: &Path) -> Command {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut command = Command::new(irsa);
    command.arg("compile").args(files).arg("-o").arg(out);
    command
}

/// How every contender is timed, the same way: one warm-up run, then the
/// median wall time of `runs` runs, each into an emptied output directory.
/// Returns that median and the largest peak memory (KiB) seen.
fn timed(
    runs: usize,
    out: &Path,
    command: impl Fn() -> Command,
) -> Result<(Duration, u64), String> {
    let mut samples = Vec::with_capacity(runs);
    let mut peak = 0;
    for run in 0..=runs {
        let _ = std::fs::remove_dir_all(out);
        let (elapsed, memory) = measure(&mut command())?;
        peak = peak.max(memory);
        if run > 0 {
            samples.push(elapsed);
        }
    }
    Ok((median_of(samples), peak))
}

pub fn run() -> Result<(), String> {
    let irsa = root().join("target").join("release").join("irsa");
    run_command(Command::new("cargo").current_dir(root()).args([
        "build",
        "--release",
        "--locked",
        "-p",
        "irsa",
    ]))?;
    install::ensure_apt_packages("GNU time", &["time"])?;
    if command_output(Command::new("python3").args(["-c", "import yaml, _gojsonnet"])).is_err() {
        run_command(Command::new("python3").args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "pyyaml",
            "gojsonnet",
        ]))?;
    }
    std::fs::create_dir_all(bench_dir()).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(output_dir()).map_err(|e| e.to_string())?;
    let mut rows: Vec<(String, String, String, bool)> = Vec::new();

    // Throughput and scaling, one process for all files.
    let (small, small_data) = generate(1_000)?;
    let (large, _) = generate(10_000)?;
    let out_1k = output_dir().join("out-1000");
    let out_10k = output_dir().join("out-10000");
    let (t1k, mem1k) = timed(5, &out_1k, || compile_all(&irsa, &small, &out_1k))?;
    // The file system's own cost: `cp -r` of that output tree, timed alike
    // on the same file system right after.
    let copy_1k = output_dir().join("copy-1000");
    let (t_copy, _) = timed(5, &copy_1k, || {
        let mut command = Command::new("cp");
        command.arg("-r").arg(&out_1k).arg(&copy_1k);
        command
    })?;
    let (t10k, mem10k) = timed(3, &out_10k, || compile_all(&irsa, &large, &out_10k))?;
    let per_second = 1_000.0 / t1k.as_secs_f64();
    rows.push((
        "installs per second (1,000 files, one process)".into(),
        format!("{per_second:.0}"),
        "—".into(),
        true,
    ));
    let scaling = t10k.as_secs_f64() / t1k.as_secs_f64();
    rows.push((
        "time 10,000 files ÷ 1,000 files".into(),
        format!("{scaling:.2}"),
        "≤ 11".into(),
        scaling <= 11.0,
    ));
    let vs_copy = t1k.as_secs_f64() / t_copy.as_secs_f64();
    rows.push((
        format!("1,000 installs -o DIR: irsa {t1k:.2?} ÷ cp -r of its output {t_copy:.2?}"),
        format!("{vs_copy:.2}"),
        "≤ 1.5".into(),
        vs_copy <= 1.5,
    ));
    // Roles as code: the same installs with every role managed, with and
    // without `--iam terraform`.
    let managed = generate_managed(1_000)?;
    let out_managed = output_dir().join("managed-1000");
    let (t_plain, _) = timed(5, &out_managed, || {
        compile_all(&irsa, &managed, &out_managed)
    })?;
    let (t_terraform, _) = timed(5, &out_managed, || {
        let mut command = compile_all(&irsa, &managed, &out_managed);
        command.args(["--iam", "terraform"]);
        command
    })?;
    let iam_ratio = t_terraform.as_secs_f64() / t_plain.as_secs_f64();
    rows.push((
        format!(
            "1,000 installs with managed roles: --iam terraform {t_terraform:.2?} ÷ without {t_plain:.2?}"
        ),
        format!("{iam_ratio:.2}"),
        "≤ 1.3".into(),
        iam_ratio <= 1.3,
    ));
    rows.push((
        "peak memory, 1,000 / 10,000 files".into(),
        format!("{} / {} MiB", mem1k / 1024, mem10k / 1024),
        "—".into(),
        true,
    ));

    // Compile against serializing only the same output: measured in the
    // bench binary, which is built like the release binary (this xtask is
    // a debug build).
    let sample = small.join("install-00001.irsa");
    let medians = command_output(
        Command::new("cargo")
            .current_dir(root())
            .args([
                "bench", "--quiet", "--locked", "-p", "irsa", "--bench", "compile",
            ])
            .env("IRSA_BENCH_COMPILE_VS_EMIT", &sample),
    )?;
    let nanos = |key: &str| -> Result<Duration, String> {
        medians
            .split_whitespace()
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            .and_then(|n| n.parse().ok())
            .map(Duration::from_nanos)
            .ok_or_else(|| format!("no {key} in the bench output: {medians}"))
    };
    let (compile_time, emit_time) = (nanos("compile_ns")?, nanos("emit_ns")?);
    let ratio = compile_time.as_secs_f64() / emit_time.as_secs_f64();
    rows.push((
        format!("compile ÷ serialize only ({compile_time:.0?} ÷ {emit_time:.0?})"),
        format!("{ratio:.2}"),
        "≤ 2".into(),
        ratio <= 2.0,
    ));

    rows.push(verify::row(&irsa)?);
    // `irsa import` of a 5,000-object `kubectl get -o yaml` List.
    let list = crate::bench_import::generate(&bench_dir())?;
    let imported = crate::bench_import::measure(&irsa, &list, &bench_dir().join("imported.irsa"))?;
    rows.push((
        format!(
            "irsa import of a {}-object kubectl List",
            crate::bench_import::OBJECTS
        ),
        format!("{:.0} ms", imported.as_secs_f64() * 1000.0),
        format!("≤ {} ms", crate::bench_import::TARGET.as_millis()),
        imported <= crate::bench_import::TARGET,
    ));
    rows.push(crate::bench_import::hostile_row(&irsa, &bench_dir())?);

    // Start-up: one file against `cat` of the same file.
    let file = small.join("install-00001.irsa");
    let one = median_run(50, || {
        let mut c = Command::new(&irsa);
        c.arg("compile").arg(&file);
        c
    })?;
    let cat = median_run(50, || {
        let mut c = Command::new("cat");
        c.arg(&file);
        c
    })?;
    let startup = one.as_secs_f64() / cat.as_secs_f64();
    rows.push((
        format!("one file: irsa ÷ cat ({one:.1?} ÷ {cat:.1?})"),
        format!("{startup:.2}"),
        "≤ 3".into(),
        startup <= 3.0,
    ));

    // What teams write instead, on the same 1,000 installs.
    let generators = root().join("xtask").join("bench").join("generators.py");
    let template = root().join("xtask").join("bench").join("template.jsonnet");
    let python_out = output_dir().join("python-1000");
    let jsonnet_out = output_dir().join("jsonnet-1000");
    let generator = |mode: &str, args: &[&Path]| {
        let mut command = Command::new("python3");
        command.arg(&generators).arg(mode).args(args);
        command
    };
    let (t_python, _) = timed(3, &python_out, || {
        generator("python", &[&small_data, &python_out])
    })?;
    let (t_jsonnet, _) = timed(3, &jsonnet_out, || {
        generator("jsonnet", &[&small_data, &jsonnet_out, &template])
    })?;
    for other in [&python_out, &jsonnet_out] {
        run_command(&mut generator("check", &[&small_data, &out_1k, other]))?;
    }
    let vs_jsonnet = t_jsonnet.as_secs_f64() / t1k.as_secs_f64();
    let vs_python = t_python.as_secs_f64() / t1k.as_secs_f64();
    rows.push((
        format!("1,000 installs: irsa {t1k:.2?}, go-jsonnet {t_jsonnet:.2?}"),
        format!("{vs_jsonnet:.0}× faster"),
        "≥ 20×".into(),
        vs_jsonnet >= 20.0,
    ));
    rows.push((
        format!("1,000 installs: irsa {t1k:.2?}, Python + PyYAML {t_python:.2?}"),
        format!("{vs_python:.0}× faster"),
        "≥ 50×".into(),
        vs_python >= 50.0,
    ));

    // Editors: `irsa lsp`, the diagnostics of a large file after a change.
    let lsp_latency = crate::lsp_bench::diagnostics_latency(&irsa)?;
    rows.push((
        format!(
            "irsa lsp: diagnostics of a {}-line file after a one-character change (median of 200)",
            crate::lsp_bench::LINES
        ),
        format!("{:.2} ms", lsp_latency.as_secs_f64() * 1000.0),
        "≤ 5 ms".into(),
        lsp_latency <= Duration::from_millis(5),
    ));

    // The browser.
    let web_wasm = wasm::build()?;
    install::ensure_node_modules()?;
    install::ensure_chromium()?;
    let largest = largest_example()?;
    let latency = command_output(
        Command::new("node")
            .current_dir(root().join("wasm"))
            .arg(root().join("wasm").join("bench").join("latency.mjs"))
            .arg(wasm::web_dir())
            .arg(&largest),
    )?;
    let median: f64 = latency
        .trim()
        .strip_prefix("median_ms=")
        .and_then(|m| m.parse().ok())
        .ok_or(format!("latency: {latency}"))?;
    let name = largest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    rows.push((
        format!("wasm compile in Chromium, {name} (median of 50)"),
        format!("{median:.3} ms"),
        "≤ 1 ms".into(),
        median <= 1.0,
    ));
    let size = gzipped_size(&web_wasm)?;
    rows.push((
        "wasm size, gzipped".into(),
        format!("{} KiB", size / 1024),
        "≤ 150 KiB".into(),
        size <= 150 * 1024,
    ));

    let report = table(&rows);
    print!("{report}");
    std::fs::write(bench_dir().join("report.md"), &report).map_err(|e| e.to_string())?;
    if rows.iter().all(|row| row.3) {
        Ok(())
    } else {
        Err("a performance target is missed".to_owned())
    }
}

fn largest_example() -> Result<PathBuf, String> {
    let dir = root().join("dsl-examples");
    std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "irsa"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .ok_or_else(|| "no example".to_owned())
}

fn table(rows: &[(String, String, String, bool)]) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut out = format!(
        "Machine: {cpu}, {cores} cores; outputs written to {}. Whole-program times: one warm-up run, then the median of 5 runs (irsa, 1,000 files; `cp -r` of its output) or 3 (irsa, 10,000 files; Python; go-jsonnet).\n\n| measure | result | target | |\n| --- | --- | --- | --- |\n",
        output_dir().display()
    );
    for (measure, result, target, met) in rows {
        let _ = writeln!(
            out,
            "| {measure} | {result} | {target} | {} |",
            if *met { "✓" } else { "✗ missed" }
        );
    }
    out
}
