// The client without VS Code: `vscode` and the language client are stubbed,
// so that what the extension does with the setting is checked — which
// binary it runs (`irsa lsp`), and the error a user sees when there is none.
//
// Run by `cargo xtask ci` (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Loads extension.js with stubs; returns it and what it did. */
function loadExtension(settings) {
  const calls = { errors: [], clients: [], commands: [] };
  const vscode = {
    workspace: {
      getConfiguration: () => ({ get: (key) => settings[key] }),
      workspaceFolders: settings.folder ? [{ uri: { fsPath: settings.folder } }] : undefined,
      onDidChangeConfiguration: () => ({ dispose() {} }),
    },
    window: { showErrorMessage: async (message, ...actions) => { calls.errors.push({ message, actions }); } },
    commands: {
      registerCommand: (name) => { calls.commands.push(name); return { dispose() {} }; },
      executeCommand: () => {},
    },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      calls.clients.push({ id, serverOptions, clientOptions });
    }
    async start() { calls.started = true; }
    async stop() {}
  }
  const stubs = { vscode, 'vscode-languageclient/node': { LanguageClient, TransportKind: { stdio: 0 } } };
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request in stubs ? stubs[request] : load.call(this, request, ...rest);
  };
  try {
    const file = require.resolve('../extension.js');
    delete require.cache[file];
    return { extension: require(file), calls };
  } finally {
    Module._load = load;
  }
}

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'irsa-vscode-'));
}

function executable(dir, name) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\n');
  fs.chmodSync(file, 0o755);
  return file;
}

test('the server is irsa on PATH, a path, ~/…, or a path relative to the workspace', () => {
  const { extension } = loadExtension({});
  const bin = tempDir();
  const irsa = executable(bin, 'irsa');
  fs.writeFileSync(path.join(bin, 'not-executable'), '');
  const env = { PATH: ['/nonexistent', bin].join(path.delimiter) };
  const cases = [
    [undefined, env, null, irsa],
    ['irsa', env, null, irsa],
    ['irsa', { PATH: '/nonexistent' }, null, null],
    [irsa, {}, null, irsa],
    ['./irsa', {}, bin, irsa],
    ['~/irsa', {}, null, irsa],
    [path.join(bin, 'missing'), env, null, null],
    [path.join(bin, 'not-executable'), env, null, null],
    ['not-executable', env, null, null],
  ];
  for (const [setting, pathEnv, folder, expected] of cases) {
    assert.equal(extension.resolveServer(setting, pathEnv, folder, bin), expected, `${setting}`);
  }
  assert.equal(cases.length, 9);
});

test('with irsa found, the client runs `irsa lsp` for .irsa documents', async () => {
  const bin = tempDir();
  const irsa = executable(bin, 'irsa');
  const { extension, calls } = loadExtension({ 'server.path': irsa });
  await extension.activate({ subscriptions: [] });
  assert.deepEqual(calls.errors, []);
  assert.equal(calls.clients.length, 1);
  const { serverOptions, clientOptions } = calls.clients[0];
  assert.equal(serverOptions.command, irsa);
  assert.deepEqual(serverOptions.args, ['lsp']);
  assert.ok(clientOptions.documentSelector.every((s) => s.language === 'irsa'));
  assert.ok(calls.started);
  assert.ok(calls.commands.includes('irsa.restartServer'));
});

test('without irsa, a clear error names the setting and nothing starts', async () => {
  const { extension, calls } = loadExtension({ 'server.path': '/nonexistent/irsa' });
  await extension.activate({ subscriptions: [] });
  assert.equal(calls.clients.length, 0);
  assert.equal(calls.errors.length, 1);
  const { message, actions } = calls.errors[0];
  assert.match(message, /cannot start the language server: no executable `\/nonexistent\/irsa` at that path/);
  assert.match(message, /irsa\.server\.path/);
  assert.match(message, /Highlighting works without it/);
  assert.deepEqual(actions, ['Open Settings']);
});
