// The grammar on real files, with the engine VS Code runs (vscode-textmate
// on Oniguruma): every dsl-example tokenizes without an `invalid` scope; and
// the playground's and the book's interpreter (book/irsa-highlight.js) gives
// the same scopes, character by character, on those files and on the
// `# SYNTAX TEST` files (which hold the invalid cases too).
//
// Run by `cargo xtask ci` (node --test) after `cargo xtask vscode`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');
const { tokenizeLine } = require('../../../book/irsa-highlight.js');

const here = import.meta.dirname;
const root = path.resolve(here, '..', '..', '..');
const grammarFile = path.join(here, '..', 'syntaxes', 'irsa.tmLanguage.json');
const grammarJson = JSON.parse(fs.readFileSync(grammarFile, 'utf8'));

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => (scopeName === 'source.irsa'
      ? vsctm.parseRawGrammar(fs.readFileSync(grammarFile, 'utf8'), grammarFile)
      : null),
  });
  return registry.loadGrammar('source.irsa');
}

/** Each character's scopes (root left out), joined, per vscode-textmate. */
function textmateScopes(grammar, lines) {
  let state = vsctm.INITIAL;
  return lines.map((line) => {
    const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
    state = ruleStack;
    const chars = [];
    for (const token of tokens) {
      for (let i = token.startIndex; i < Math.min(token.endIndex, line.length); i++) {
        chars.push(token.scopes.slice(1).join(' '));
      }
    }
    return chars;
  });
}

function interpreterScopes(lines) {
  return lines.map((line) => {
    const chars = [];
    for (const token of tokenizeLine(grammarJson, line)) {
      for (let i = token.from; i < token.to; i++) chars.push(token.scopes.join(' '));
    }
    return chars;
  });
}

const examplesDir = path.join(root, 'dsl-examples');
const examples = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.irsa')).sort()
  .map((f) => path.join(examplesDir, f));
const syntaxTests = fs.readdirSync(here).filter((f) => f.endsWith('.test.irsa')).sort()
  .map((f) => path.join(here, f));
const linesOf = (file) => fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/);

test('every dsl-example tokenizes without an invalid scope', async () => {
  const grammar = await loadGrammar();
  assert.ok(examples.length >= 20, `${examples.length} examples`);
  let lines = 0;
  for (const file of examples) {
    textmateScopes(grammar, linesOf(file)).forEach((chars, n) => {
      lines += 1;
      const bad = chars.findIndex((scopes) => scopes.includes('invalid'));
      assert.equal(bad, -1, `${path.relative(root, file)}:${n + 1}:${bad + 1}: ${chars[bad]}`);
    });
  }
  assert.ok(lines > 200, `${lines} lines`);
});

test('the syntax tests show invalid scopes where the compiler rejects (so the check above can fail)', async () => {
  const grammar = await loadGrammar();
  const invalid = textmateScopes(grammar, linesOf(path.join(here, 'invalid.test.irsa')));
  assert.ok(invalid.some((chars) => chars.some((s) => s.includes('invalid.illegal.unknown-word'))));
  assert.ok(invalid.some((chars) => chars.some((s) => s.includes('invalid.illegal.unknown-service'))));
});

test('the book and playground interpreter gives the scopes vscode-textmate gives', async () => {
  const grammar = await loadGrammar();
  let compared = 0;
  for (const file of [...examples, ...syntaxTests]) {
    const lines = linesOf(file);
    const expected = textmateScopes(grammar, lines);
    const actual = interpreterScopes(lines);
    lines.forEach((line, n) => {
      assert.deepEqual(actual[n], expected[n], `${path.relative(root, file)}:${n + 1}: ${line}`);
      compared += line.length;
    });
  }
  assert.ok(compared > 10000, `${compared} characters`);
});
