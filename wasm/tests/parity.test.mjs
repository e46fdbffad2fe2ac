// Parity: the WebAssembly build gives byte-identical streams and files and
// identical diagnostics to the native `irsa` binary, for every example,
// every test input and generated inputs (valid and invalid), without
// `--iam` and with each form (`irsa compile --iam FORM -o DIR`).
//
// Run by `cargo xtask ci` (after `cargo xtask wasm`), with IRSA_BIN set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const irsa = require(path.join(root, 'target', 'wasm', 'nodejs', 'irsa.js'));
const bin = process.env.IRSA_BIN ?? path.join(root, 'target', 'debug', 'irsa');
assert.ok(fs.existsSync(bin), `no irsa binary at ${bin}`);

function native(args, source) {
  const run = spawnSync(bin, args, { input: source, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function readTree(dir) {
  const files = [];
  const walk = (current) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push({ path: path.relative(dir, full), content: fs.readFileSync(full, 'utf8') });
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function irsaFiles(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.irsa')).sort().map((f) => path.join(dir, f));
}

// A small deterministic PRNG (mulberry32), so generated inputs are the same every run.
function prng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MUTATIONS = [
  (lines, r) => { lines.splice(Math.floor(r() * lines.length), 1); },
  (lines, r) => { const i = Math.floor(r() * lines.length); lines.splice(i, 0, lines[i]); },
  (lines, r) => { const i = Math.floor(r() * lines.length); lines[i] = lines[i].replace(/e/, 'é'); },
  (lines, r) => { const i = Math.floor(r() * lines.length); lines[i] = lines[i].replace(/echo|gate|orca|rosco/, 'ehco'); },
  (lines, r) => { const i = Math.floor(r() * lines.length); lines[i] = lines[i].replace(/\d/, ''); },
  (lines, r) => { const i = Math.floor(r() * lines.length); lines[i] += ' {'; },
  (lines, r) => { lines.splice(Math.floor(r() * lines.length), 0, '}'); },
  (lines, r) => { const i = Math.floor(r() * lines.length); lines[i] = lines[i].replace('->', ' -> '); },
  (lines, r) => { const i = Math.floor(r() * lines.length); lines[i] = lines[i].replace(' ', '\t  '); },
  (lines, r) => { lines.splice(Math.floor(r() * lines.length), 0, '  token-expiration ' + Math.floor(r() * 100000)); },
  (lines, r) => { lines.splice(Math.floor(r() * lines.length), 0, 'service igor -> role arn:aws:iam::123456789012:role/r' + Math.floor(r() * 3) + ' as spin-shared'); },
  (lines, r) => { const i = Math.floor(r() * lines.length); lines[i] = lines[i].replace(/"([^"]*)"/, '"$1\\q"'); },
  (lines) => { lines.push('oidc oidc.eks.us-east-1.amazonaws.com/id/ABC'); },
  (lines) => { lines.unshift('\uFEFF'); },
  // Manage a role the file binds (section 10), so that --iam has something to write.
  (lines) => {
    const bound = lines.map((line) => /->\s*role\s+([^\s#{}]+)/.exec(line)).find(Boolean);
    if (!bound) return;
    lines.push(`role ${bound[1]} {`, '  policy arn:aws:iam::aws:policy/ReadOnlyAccess', '  tag "team" "spin"', '}');
    // A managed role's trust policy needs `oidc` and `namespace`.
    if (!lines.some((line) => line.startsWith('oidc '))) lines.push('oidc oidc.eks.us-east-1.amazonaws.com/id/ABC');
    if (!lines.some((line) => line.startsWith('namespace '))) lines.push('namespace spinnaker');
  },
];

function generatedInputs(bases, count) {
  const random = prng(20261128);
  const inputs = [];
  for (let n = 0; n < count; n++) {
    const base = bases[n % bases.length];
    const lines = base.split('\n');
    const steps = 1 + Math.floor(random() * 3);
    for (let s = 0; s < steps; s++) MUTATIONS[Math.floor(random() * MUTATIONS.length)](lines, random);
    inputs.push({ name: `generated-${n}`, source: lines.join(random() < 0.2 ? '\r\n' : '\n') });
  }
  return inputs;
}

function allInputs() {
  const files = [
    ...irsaFiles(path.join(root, 'dsl-examples')),
    ...irsaFiles(path.join(root, 'tests', 'cases', 'diagnostics')),
  ];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const inputs = [];
  for (const file of files) {
    try {
      inputs.push({ name: path.relative(root, file), source: decoder.decode(fs.readFileSync(file)) });
    } catch {
      // Not UTF-8: a JavaScript string cannot carry it, so it has no wasm counterpart.
    }
  }
  const examples = irsaFiles(path.join(root, 'dsl-examples')).map((f) => fs.readFileSync(f, 'utf8'));
  return [...inputs, ...generatedInputs(examples, 240)];
}

/** `--iam FORM` (none first); the first three are in the stream, the others in files only. */
const FORMS = [undefined, 'ack', 'crossplane', 'terraform', 'cloudformation'];
const IN_STREAM = new Set([undefined, 'ack', 'crossplane']);

test('compile: same stream, files and diagnostics natively and in wasm, with each --iam form', (t) => {
  const inputs = allInputs();
  assert.ok(inputs.length >= 300, `only ${inputs.length} inputs`);
  let valid = 0;
  let invalid = 0;
  const iamObjects = new Map(FORMS.map((form) => [form, 0]));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'irsa-parity-'));
  for (const [index, { name, source }] of inputs.entries()) {
    // The stream of each form that has one (`--iam terraform|cloudformation`
    // needs -o: their stream is the one without --iam).
    const streams = new Map();
    for (const form of FORMS.filter((f) => IN_STREAM.has(f))) {
      const iam = form ? ['--iam', form] : [];
      const run = native(['compile', '--message-format', 'json', ...iam, '-'], source);
      streams.set(form, { ...run, diagnostics: run.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line)) });
    }
    for (const form of FORMS) {
      for (const component of [false, true]) {
        const what = `${name} (${[form && `--iam ${form}`, component && '--component'].filter(Boolean).join(' ') || 'no flags'})`;
        const wasm = irsa.compile(source, form ? { component, iam: form } : { component });
        const flags = [...(form ? ['--iam', form] : []), ...(component ? ['--component'] : [])];
        const dir = path.join(tmp, `${index}-${form}-${component}`);
        const written = native(['compile', '--message-format', 'json', '-o', dir, ...flags, '-'], source);
        const diagnostics = written.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line));
        assert.deepEqual(wasm.diagnostics, diagnostics, `${what}: diagnostics`);
        assert.equal(wasm.ok, written.code === 0, `${what}: ok`);
        const stream = streams.get(IN_STREAM.has(form) ? form : undefined);
        if (IN_STREAM.has(form)) {
          assert.deepEqual(stream.diagnostics, diagnostics, `${what}: diagnostics with and without -o`);
          assert.equal(stream.code, written.code, `${what}: exit code of -o`);
        } else if (wasm.ok) {
          assert.equal(stream.code, 0, `${what}: compiles without --iam`);
        }
        assert.equal(wasm.stream, wasm.ok ? stream.stdout : '', `${what}: stream`);
        const files = [...wasm.files].sort((a, b) => a.path.localeCompare(b.path));
        assert.deepEqual(files, readTree(dir), `${what}: files`);
        if (!form && !component) wasm.ok ? valid++ : invalid++;
        if (!component && files.some((f) => f.path === 'iam.yaml' || f.path.startsWith('iam/'))) {
          iamObjects.set(form, iamObjects.get(form) + 1);
        }
      }
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.ok(valid >= 30 && invalid >= 100, `valid ${valid}, invalid ${invalid}`);
  t.diagnostic(`valid ${valid}, invalid ${invalid}; inputs with IAM output: ${FORMS.slice(1).map((f) => `${f} ${iamObjects.get(f)}`).join(', ')}`);
  assert.equal(iamObjects.get(undefined), 0, 'no IAM output without --iam');
  for (const form of FORMS.slice(1)) {
    assert.ok(iamObjects.get(form) >= 5, `only ${iamObjects.get(form)} inputs with --iam ${form} output`);
  }
});

test('compile: an unknown --iam form is an error, as on the command line', () => {
  assert.throws(() => irsa.compile('service * -> role arn:aws:iam::123456789012:role/r\n', { iam: 'pulumi' }), /unknown iam form `pulumi`/);
  assert.equal(native(['compile', '--iam', 'pulumi', '-'], '').code, 2);
});

test('format and explain: same text natively and in wasm', () => {
  for (const { name, source } of allInputs()) {
    const formatted = irsa.format(source);
    const fmt = native(['fmt', '-'], source);
    assert.equal(formatted.ok, fmt.code === 0, `${name}: fmt ok`);
    assert.equal(formatted.formatted, fmt.code === 0 ? fmt.stdout : '', `${name}: fmt`);
    const explained = irsa.explain(source);
    const explain = native(['explain', '-'], source);
    assert.equal(explained.ok, explain.code === 0, `${name}: explain ok`);
    assert.equal(explained.text, explain.code === 0 ? explain.stdout : '', `${name}: explain`);
  }
});

test('version is the crate version', () => {
  const toml = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
  assert.equal(irsa.version(), /\nversion = "([^"]+)"/.exec(toml)[1]);
});
