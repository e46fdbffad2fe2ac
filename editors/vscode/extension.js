// The irsa extension's client: highlighting comes from the grammar alone;
// everything else (diagnostics, hover, completion, formatting, go to
// definition, quick fixes, symbols) from `irsa lsp`, which this starts.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client = null;

/**
 * The server binary: `irsa.server.path` as a path (absolute, `~/…`, or
 * relative to the first workspace folder), or a name looked up on PATH.
 * null when no such executable exists.
 */
function resolveServer(setting, env = process.env, folder = null, home = os.homedir()) {
  let name = (setting || 'irsa').trim();
  if (name === '~' || name.startsWith('~/') || name.startsWith('~\\')) name = path.join(home, name.slice(1));
  const isExecutable = (file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  const extensions = process.platform === 'win32' ? ['', '.exe', '.cmd'] : [''];
  if (name.includes('/') || name.includes('\\')) {
    const file = path.isAbsolute(name) || !folder ? name : path.join(folder, name);
    return extensions.map((e) => file + e).find(isExecutable) ?? null;
  }
  for (const dir of (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean)) {
    const found = extensions.map((e) => path.join(dir, name + e)).find(isExecutable);
    if (found) return found;
  }
  return null;
}

async function start(context) {
  const config = vscode.workspace.getConfiguration('irsa');
  const setting = config.get('server.path') || 'irsa';
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null;
  const command = resolveServer(setting, process.env, folder);
  if (!command) {
    const choice = await vscode.window.showErrorMessage(
      `irsa: cannot start the language server: no executable \`${setting}\` ` +
        (setting.includes('/') || setting.includes('\\') ? 'at that path' : 'on PATH') +
        '. Install irsa (`cargo install --path compiler` in its repository) or set `irsa.server.path`. ' +
        'Highlighting works without it.',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'irsa.server.path');
    }
    return;
  }
  const serverOptions = { command, args: ['lsp'], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'irsa' },
      { scheme: 'untitled', language: 'irsa' },
    ],
  };
  client = new LanguageClient('irsa', 'irsa', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    vscode.window.showErrorMessage(
      `irsa: \`${command} lsp\` did not start: ${error?.message ?? error}. ` +
        'An irsa older than the `lsp` command cannot serve the editor: update it.',
    );
    client = null;
  }
}

async function stop() {
  const running = client;
  client = null;
  if (running) await running.stop().catch(() => {});
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('irsa.restartServer', async () => {
      await stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('irsa.server.path')) {
        await stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate, resolveServer };
