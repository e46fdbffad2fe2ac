// The playground's hover and completion (wasm `hover`, `complete`) are the
// editor's: at offsets all over every example and a file with non-ASCII
// text, the wasm answers equal what `irsa lsp` answers over stdio, and the
// UTF-16 offsets slice JavaScript strings at the hovered word.
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
const irsa = require(path.join(root, 'target', 'wasm', 'nodejs', 'irsa.js'));
const bin = process.env.IRSA_BIN ?? path.join(root, 'target', 'debug', 'irsa');
assert.ok(fs.existsSync(bin), `no irsa binary at ${bin}`);

const NON_ASCII = `# réglage 😀 — ünïcödé
account 123456789012
namespace spinnaker
oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE0123456789ABCDEF0123456789
role spinnaker-managed {
  description "rôle géré"
}
service * -> role spinnaker-managed # 😀 the default
service echo -> role arn:aws:iam::123456789012:role/echo as echo-sa {
  identity 
}
service igor as echo-sa
`;

function frame(message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

function frames(output) {
  const messages = [];
  let rest = output;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    const length = Number(/Content-Length: (\d+)/.exec(rest.subarray(0, end).toString())[1]);
    messages.push(JSON.parse(rest.subarray(end + 4, end + 4 + length).toString('utf8')));
    rest = rest.subarray(end + 4 + length);
  }
  return messages;
}

/** UTF-16 offset ↔ LSP position (UTF-16 characters), as JavaScript counts. */
function position(source, offset) {
  const before = source.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}
function offset(source, { line, character }) {
  let start = 0;
  for (let i = 0; i < line; i++) start = source.indexOf('\n', start) + 1;
  return start + character;
}

/** Asks `irsa lsp` for hover and completion at each offset, in one session. */
function lsp(source, offsets) {
  const uri = 'file:///parity.irsa';
  const messages = [
    { jsonrpc: '2.0', id: 0, method: 'initialize', params: { capabilities: {} } },
    { jsonrpc: '2.0', method: 'initialized', params: {} },
    { jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'irsa', version: 1, text: source } } },
  ];
  offsets.forEach((at, index) => {
    const params = { textDocument: { uri }, position: position(source, at) };
    messages.push({ jsonrpc: '2.0', id: 2 * index + 1, method: 'textDocument/hover', params });
    messages.push({ jsonrpc: '2.0', id: 2 * index + 2, method: 'textDocument/completion', params });
  });
  messages.push({ jsonrpc: '2.0', id: -1, method: 'shutdown' }, { jsonrpc: '2.0', method: 'exit' });
  const run = spawnSync(bin, ['lsp'], { input: Buffer.concat(messages.map(frame)), timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr?.toString());
  const byId = new Map(frames(run.stdout).filter((m) => 'id' in m).map((m) => [m.id, m]));
  return offsets.map((_, index) => ({ hover: byId.get(2 * index + 1).result, completion: byId.get(2 * index + 2).result }));
}

const sources = [
  ['non-ASCII', NON_ASCII],
  ...fs.readdirSync(path.join(root, 'dsl-examples'))
    .filter((f) => f.endsWith('.irsa'))
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(root, 'dsl-examples', f), 'utf8')]),
];

test('wasm hover and complete answer as irsa lsp does', () => {
  let hovers = 0;
  let completions = 0;
  for (const [name, source] of sources) {
    const offsets = [];
    for (let at = 0; at <= source.length; at += 3) offsets.push(at);
    const answers = lsp(source, offsets);
    offsets.forEach((at, index) => {
      const { hover, completion } = answers[index];
      const wasmHover = irsa.hover(source, at);
      if (hover === null) {
        assert.equal(wasmHover, null, `${name}@${at}`);
      } else {
        assert.deepEqual(wasmHover, {
          from: offset(source, hover.range.start),
          to: offset(source, hover.range.end),
          markdown: hover.contents.value,
        }, `${name}@${at}`);
        hovers += 1;
      }
      const wasmCompletion = irsa.complete(source, at);
      assert.deepEqual(wasmCompletion.options.map((o) => o.label), completion.items.map((i) => i.label), `${name}@${at}`);
      assert.deepEqual(wasmCompletion.options.map((o) => o.detail), completion.items.map((i) => i.detail), `${name}@${at}`);
      if (completion.items.length > 0) {
        const range = completion.items[0].textEdit.range;
        assert.equal(wasmCompletion.from, offset(source, range.start), `${name}@${at}`);
        assert.equal(wasmCompletion.to, offset(source, range.end), `${name}@${at}`);
        completions += 1;
      }
    });
  }
  assert.ok(hovers > 100, `${hovers} hovers`);
  assert.ok(completions > 100, `${completions} completions`);
});

test('UTF-16 offsets slice JavaScript strings at the word', () => {
  const at = NON_ASCII.indexOf('echo ->') + 2;
  const hover = irsa.hover(NON_ASCII, at);
  assert.equal(NON_ASCII.slice(hover.from, hover.to), 'echo');
  assert.match(hover.markdown, /ServiceAccount: `echo-sa`/);
  const role = irsa.hover(NON_ASCII, NON_ASCII.indexOf('spinnaker-managed #') + 3);
  assert.equal(NON_ASCII.slice(role.from, role.to), 'spinnaker-managed');
  assert.match(role.markdown, /IRSA: `system:serviceaccount:spinnaker:spin-sa`/);
  const identity = NON_ASCII.indexOf('identity ') + 'identity '.length;
  const completion = irsa.complete(NON_ASCII, identity);
  assert.deepEqual(completion.options, [
    { label: 'irsa', kind: 'value' },
    { label: 'pod-identity', kind: 'value' },
    { label: 'both', kind: 'value' },
  ]);
  assert.equal(completion.from, identity);
  assert.equal(completion.to, identity);
  const partial = irsa.complete('# 😀\nservice ec', 16);
  assert.equal('# 😀\nservice ec'.slice(partial.from, partial.to), 'ec');
  assert.ok(partial.options.some((o) => o.label === 'echo' && o.kind === 'service' && o.detail === 'reached by `*`'));
  assert.equal(irsa.hover(NON_ASCII, 1), null);
});
