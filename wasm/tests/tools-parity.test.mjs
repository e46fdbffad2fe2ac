// Parity of the playground's second module (irsa-wasm-tools) with the
// native binary: `verify` gives the same codes, messages, lines, columns,
// help and notes as `irsa verify --message-format json` on every case under
// tests/cases/verify/ (an export that cannot be read: the same V001, at the
// same place in it), and `importYaml` gives the same `.irsa` text and the same
// diagnostics as `irsa import --message-format json` on every case under
// tests/cases/import/.
//
// Run by `cargo xtask ci` (after `cargo xtask wasm`), with IRSA_BIN set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const tools = require(path.join(root, 'target', 'wasm', 'tools', 'nodejs', 'irsa_tools.js'));
const bin = process.env.IRSA_BIN ?? path.join(root, 'target', 'debug', 'irsa');
assert.ok(fs.existsSync(bin), `no irsa binary at ${bin}`);

function native(args, cwd) {
  const run = spawnSync(bin, [...args, '--message-format', 'json'], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const diagnostics = run.stderr.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  return { code: run.status, stdout: run.stdout, diagnostics };
}

/** A diagnostic without its file name (the wasm's source has none). */
const unfiled = ({ file, ...rest }) => rest;

/** `# args: --aws roles.json --kubernetes k8s.yaml` → [{ kind, name }]. */
function exportsOf(source) {
  const header = source.split('\n').find((l) => l.startsWith('# args:'));
  assert.ok(header, 'a verify case names its exports');
  const words = header.slice('# args:'.length).trim().split(/\s+/);
  const exports = [];
  for (let i = 0; i < words.length; i += 2) {
    assert.match(words[i], /^--(aws|kubernetes)$/, header);
    exports.push({ kind: words[i].slice(2), name: words[i + 1] });
  }
  return exports;
}

const verifyDir = path.join(root, 'tests', 'cases', 'verify');
const verifyCases = fs.readdirSync(verifyDir).sort();

test('verify in wasm reports what irsa verify --message-format json does, on every verify case', () => {
  assert.ok(verifyCases.length >= 20, `only ${verifyCases.length} verify cases`);
  let findings = 0;
  let unreadable = 0;
  for (const name of verifyCases) {
    const dir = path.join(verifyDir, name);
    const source = fs.readFileSync(path.join(dir, 'file.irsa'), 'utf8');
    const exports = exportsOf(source).map((e) => ({ ...e, text: fs.readFileSync(path.join(dir, e.name), 'utf8') }));
    const args = ['verify', 'file.irsa', ...exports.flatMap((e) => [`--${e.kind}`, e.name])];
    const expected = native(args, dir);
    const result = tools.verify(source, exports);
    const inFile = expected.diagnostics.filter((d) => d.file === 'file.irsa');
    const inExports = expected.diagnostics.filter((d) => d.file !== 'file.irsa');
    assert.deepEqual(result.diagnostics.map(unfiled), inFile.map(unfiled), name);
    assert.deepEqual(
      result.unreadable.map((u) => ({ code: 'V001', file: u.name, line: u.line, column: u.column, message: `cannot read this export: ${u.message}` })),
      inExports.map((d) => ({ code: d.code, file: d.file, line: d.line, column: d.column, message: d.message })),
      name,
    );
    findings += result.diagnostics.filter((d) => d.code.startsWith('V')).length;
    unreadable += result.unreadable.length;
  }
  assert.ok(findings > 20, `only ${findings} findings compared`);
  assert.ok(unreadable >= 1, 'no unreadable export compared');
});

test('verify in wasm: notes are kept, and an export of either kind may be given', () => {
  const dir = path.join(verifyDir, 'subject-renamed');
  const source = fs.readFileSync(path.join(dir, 'file.irsa'), 'utf8');
  const text = fs.readFileSync(path.join(dir, 'roles.json'), 'utf8');
  const { diagnostics } = tools.verify(source, [{ name: 'roles.json', kind: 'aws', text }]);
  const v005 = diagnostics.find((d) => d.code === 'V005');
  assert.ok(v005, JSON.stringify(diagnostics));
  assert.ok(v005.notes?.length > 0, 'V005 has notes');
  // The same roles given as Kubernetes: nothing of them is read as roles.
  const wrongKind = tools.verify(source, [{ name: 'roles.json', kind: 'kubernetes', text }]);
  assert.ok(!wrongKind.diagnostics.some((d) => d.code === 'V005'));
  assert.throws(() => tools.verify(source, [{ name: 'x', kind: 'gcp', text }]), /gcp/);
});

const importDir = path.join(root, 'tests', 'cases', 'import');
const importCases = fs.readdirSync(importDir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

test('importYaml in wasm writes what irsa import does, with the same diagnostics, on every import case', () => {
  assert.ok(importCases.length >= 20, `only ${importCases.length} import cases`);
  let imported = 0;
  for (const name of importCases) {
    const expected = native(['import', name], importDir);
    const result = tools.importYaml([{ name, text: fs.readFileSync(path.join(importDir, name), 'utf8') }]);
    assert.equal(result.source, expected.code === 0 ? expected.stdout : null, name);
    assert.deepEqual(result.diagnostics, expected.diagnostics, name);
    if (result.source !== null) imported += 1;
  }
  assert.ok(imported >= 10, `only ${imported} cases imported`);
});

test('importYaml in wasm of several inputs: diagnostics name their input', () => {
  const list = fs.readFileSync(path.join(importDir, 'kubectl-list.json'), 'utf8');
  const result = tools.importYaml([{ name: 'a.yaml', text: 'kind: [' }, { name: 'b.json', text: list }]);
  assert.equal(result.source, null);
  assert.ok(result.diagnostics.some((d) => d.file === 'a.yaml' && d.code === 'I005'), JSON.stringify(result.diagnostics));
});
