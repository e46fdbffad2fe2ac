// Parity: the WebAssembly build gives byte-identical streams and files and
// identical diagnostics to the native `irsa` binary, for every example,
// every test input and generated inputs (valid and invalid).
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

test('compile: same stream, files and diagnostics natively and in wasm', () => {
  const inputs = allInputs();
  assert.ok(inputs.length >= 300, `only ${inputs.length} inputs`);
  let valid = 0;
  let invalid = 0;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'irsa-parity-'));
  for (const [index, { name, source }] of inputs.entries()) {
    for (const component of [false, true]) {
      const wasm = irsa.compile(source, { component });
      const flags = component ? ['--component'] : [];
      const stream = native(['compile', '--message-format', 'json', '-'], source);
      const diagnostics = stream.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line));
      assert.deepEqual(wasm.diagnostics, diagnostics, `${name}: diagnostics`);
      assert.equal(wasm.ok, stream.code === 0, `${name}: ok`);
      assert.equal(wasm.stream, stream.code === 0 ? stream.stdout : '', `${name}: stream`);
      const dir = path.join(tmp, `${index}-${component}`);
      const written = native(['compile', '-o', dir, ...flags, '-'], source);
      assert.equal(written.code, stream.code, `${name}: exit code of -o`);
      const files = [...wasm.files].sort((a, b) => a.path.localeCompare(b.path));
      assert.deepEqual(files, readTree(dir), `${name}: files`);
      if (!component) wasm.ok ? valid++ : invalid++;
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.ok(valid >= 30 && invalid >= 100, `valid ${valid}, invalid ${invalid}`);
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
