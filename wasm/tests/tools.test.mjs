// The Verify and Import YAML panels, in real headless Chromium: the first
// load never requests the tools module; Verify with the subject-renamed
// case's roles.json underlines V005 on the line the native `irsa verify`
// names, with its note; an export cut off shows V001 against the export;
// Import of a case's YAML puts what `irsa import` prints into the editor;
// both panels fit at 1280×800.
//
// Run by `cargo xtask ci` after `cargo xtask playground`, with IRSA_BIN set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root, site, serveSite, launchChromium } from './support.mjs';

const bin = process.env.IRSA_BIN ?? path.join(root, 'target', 'debug', 'irsa');
const cases = path.join(root, 'tests', 'cases');
const TOOLS = /irsa_tools(_bg\.wasm|\.js)$/;

let server;
let browser;
let base;
// Every path the server was asked for: the service worker's own fetches
// (its install precaches) are not all reported to the browser context.
const served = [];

before(async () => {
  assert.ok(fs.existsSync(path.join(site, 'playground', 'irsa_tools_bg.wasm')), 'run `cargo xtask playground` first');
  assert.ok(fs.existsSync(bin), `no irsa binary at ${bin}`);
  ({ server, base } = await serveSite((pathname) => served.push(pathname)));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A page at 1280×800 that records every URL requested (page, worker, service worker). */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const requested = [];
  context.on('request', (request) => requested.push(request.url()));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(base);
  await page.waitForFunction(() => document.body.dataset.compiled, null, { timeout: 30000 });
  return { context, page, errors, requested };
}

async function setSource(page, text) {
  const before = await page.evaluate(() => document.body.dataset.compiled);
  await page.evaluate((t) => {
    const { view } = window.playground;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
  }, text);
  await page.waitForFunction((p) => document.body.dataset.compiled !== p, before, { timeout: 30000 });
}

function nativeJson(args, cwd) {
  const run = spawnSync(bin, [...args, '--message-format', 'json'], { cwd, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, diagnostics: run.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

/** Whether an element lies inside the viewport, with no horizontal overflow of its panel. */
async function inViewport(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is not shown`);
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= 1280 && box.y + box.height <= 800;
}

test('the first load never requests the tools module; opening Verify does, once', async () => {
  const { context, page, errors, requested } = await openPage();
  // Let the service worker install and cache the first load's files.
  await page.evaluate(() => navigator.serviceWorker?.ready);
  await page.waitForTimeout(500);
  assert.ok(requested.some((u) => u.endsWith('/irsa_bg.wasm')), 'the compiler was loaded');
  assert.deepEqual(requested.filter((u) => TOOLS.test(u)), [], 'no tools module on first load');
  assert.ok(served.some((p) => p.endsWith('/irsa_bg.wasm')), 'the server saw the first load');
  assert.ok(served.some((p) => p.endsWith('/sw.js')), 'the service worker was installed');
  assert.deepEqual(served.filter((p) => TOOLS.test(p)), [], 'nor any fetch of it, the service worker\'s included');
  assert.equal(await page.evaluate(() => document.body.dataset.toolsLoaded), undefined);

  await page.click('#mode-verify');
  await page.waitForFunction(() => document.body.dataset.toolsLoaded === 'true', null, { timeout: 30000 });
  const fetched = requested.filter((u) => TOOLS.test(u));
  assert.ok(fetched.some((u) => u.endsWith('/irsa_tools_bg.wasm')), JSON.stringify(fetched));
  assert.ok(served.some((p) => p.endsWith('/irsa_tools_bg.wasm')), 'the server saw the tools module');
  await page.click('#mode-import');
  await page.click('#mode-verify');
  assert.equal(requested.filter((u) => u.endsWith('/irsa_tools_bg.wasm') && !u.includes('sw.js')).length, fetched.filter((u) => u.endsWith('_bg.wasm')).length,
    'opening the panels again fetches nothing more');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Verify with the subject-renamed roles.json underlines V005 on its line, with its note', async () => {
  const dir = path.join(cases, 'verify', 'subject-renamed');
  const source = fs.readFileSync(path.join(dir, 'file.irsa'), 'utf8');
  const roles = fs.readFileSync(path.join(dir, 'roles.json'), 'utf8');
  const expected = nativeJson(['verify', 'file.irsa', '--aws', 'roles.json'], dir).diagnostics.find((d) => d.code === 'V005');
  assert.ok(expected?.notes?.length, 'the native V005 has a note');

  const { context, page, errors } = await openPage();
  await setSource(page, source);
  await page.click('#mode-verify');
  await page.fill('#exports .export:first-child textarea', roles);
  await page.fill('#exports .export:first-child .export-name', 'roles.json');
  assert.equal(await page.locator('#exports .export:first-child .detected').textContent(), 'AWS');
  await page.waitForSelector('#findings li[data-code="V005"]', { timeout: 30000 });

  const item = page.locator('#findings li[data-code="V005"]').first();
  assert.equal(await item.getAttribute('data-line'), String(expected.line));
  assert.match(await item.textContent(), new RegExp(`line ${expected.line}:${expected.column}: `));
  assert.equal(await item.locator('.notes li').first().textContent(), expected.notes[0]);
  // Underlined on that source line, as compile's diagnostics are.
  const underlined = await page.evaluate(() => [...document.querySelectorAll('.cm-line')]
    .filter((line) => line.querySelector('.cm-lintRange-error'))
    .map((line) => line.textContent));
  assert.deepEqual(underlined, [source.split('\n')[expected.line - 1]]);
  // The status counts it, and clicking the finding moves the cursor there.
  assert.match(await page.locator('#verify-status').textContent(), /error/);
  await item.click();
  const cursorLine = await page.evaluate(() => {
    const { view } = window.playground;
    return view.state.doc.lineAt(view.state.selection.main.head).number;
  });
  assert.equal(cursorLine, expected.line);

  // The finding follows the source: fixing the ServiceAccount's name in the
  // trust policy's terms is not possible here, so remove the binding.
  const without = source.split('\n').filter((_, i) => i !== expected.line - 1).join('\n');
  const verified = await page.evaluate(() => document.body.dataset.verified);
  await setSource(page, without);
  await page.waitForFunction((v) => document.body.dataset.verified !== v, verified, { timeout: 30000 });
  assert.equal(await page.locator('#findings li[data-code="V005"]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an export that cannot be read shows V001 against the export', async () => {
  const dir = path.join(cases, 'verify', 'export-truncated');
  const source = fs.readFileSync(path.join(dir, 'file.irsa'), 'utf8');
  const roles = fs.readFileSync(path.join(dir, 'roles.json'), 'utf8');
  const expected = nativeJson(['verify', 'file.irsa', '--aws', 'roles.json'], dir).diagnostics.find((d) => d.code === 'V001');
  assert.ok(expected);

  const { context, page, errors } = await openPage();
  await setSource(page, source);
  await page.click('#mode-verify');
  await page.fill('#exports .export:first-child .export-name', 'roles.json');
  await page.fill('#exports .export:first-child textarea', roles);
  const error = page.locator('#exports .export:first-child .export-error');
  await error.waitFor({ state: 'visible', timeout: 30000 });
  assert.equal(await error.textContent(), `V001 at line ${expected.line}, column ${expected.column}: ${expected.message}`);
  assert.match(await page.locator('#findings li[data-code="V001"]').textContent(), /roles\.json:/);
  assert.match(await page.locator('#verify-status').textContent(), /cannot be read: nothing verified/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Import of a case\'s YAML puts what irsa import prints into the editor, and warnings are listed', async () => {
  const dir = path.join(cases, 'import');
  const { context, page, errors } = await openPage();
  await page.click('#mode-import');
  for (const name of ['as-names.yaml', 'extra-service-settings.yaml']) {
    const yaml = fs.readFileSync(path.join(dir, name), 'utf8');
    const expected = nativeJson(['import', name], dir);
    assert.equal(expected.code, 0, name);
    const count = await page.evaluate(() => document.body.dataset.imported);
    await page.fill('#import-input', yaml);
    const compiled = await page.evaluate(() => document.body.dataset.compiled);
    await page.click('#import-run');
    await page.waitForFunction((c) => document.body.dataset.imported !== c, count, { timeout: 30000 });
    await page.waitForFunction((c) => document.body.dataset.compiled !== c, compiled, { timeout: 30000 });
    assert.equal(await page.evaluate(() => window.playground.view.state.doc.toString()), expected.stdout, name);
    const listed = await page.locator('#import-diagnostics li').evaluateAll((items) => items.map((i) => i.dataset.code));
    assert.deepEqual(listed, expected.diagnostics.map((d) => d.code), name);
    // The imported file compiles.
    assert.equal(await page.locator('#status').textContent(), 'Compiled', name);
  }
  // An error: the editor is left alone.
  const before = await page.evaluate(() => window.playground.view.state.doc.toString());
  const count = await page.evaluate(() => document.body.dataset.imported);
  await page.fill('#import-input', fs.readFileSync(path.join(dir, 'no-spinnakerservice.yaml'), 'utf8'));
  await page.click('#import-run');
  await page.waitForFunction((c) => document.body.dataset.imported !== c, count, { timeout: 30000 });
  assert.equal(await page.evaluate(() => window.playground.view.state.doc.toString()), before);
  assert.equal(await page.locator('#import-diagnostics li[data-code="I001"]').count(), 1);
  assert.match(await page.locator('#import-status').textContent(), /Not imported/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('both panels fit at 1280×800', async () => {
  const { context, page, errors } = await openPage();
  await page.click('#mode-verify');
  for (const selector of ['#mode-verify', '#exports textarea', '#add-export', '#findings']) {
    assert.ok(await inViewport(page, selector), `${selector} in the viewport`);
  }
  await page.click('#mode-import');
  for (const selector of ['#mode-import', '#import-input', '#import-run']) {
    assert.ok(await inViewport(page, selector), `${selector} in the viewport`);
  }
  const overflow = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    pageHeight: document.documentElement.scrollHeight - document.documentElement.clientHeight,
    panel: ['verify-panel', 'import-panel'].map((id) => {
      const p = document.getElementById(id);
      return p.scrollWidth - p.clientWidth;
    }),
  }));
  assert.deepEqual(overflow, { page: 0, pageHeight: 0, panel: [0, 0] });
  // The editor keeps its half of the page.
  const editor = await page.locator('#editor').boundingBox();
  assert.ok(editor.width >= 600, `editor ${editor.width} px wide`);
  assert.deepEqual(errors, []);
  await context.close();
});
