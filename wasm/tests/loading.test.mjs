// The playground under harder conditions, in real headless Chromium: a slow
// network (the compile time limit must not start before the wasm is
// loaded), a failed wasm download (a retry), the output tabs of the
// example with the most files at 1280 and 1024 px (inside the panel, none
// under another), and the output's highlighting.
//
// Run by `cargo xtask ci` after `cargo xtask playground`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root, site, serveSite, launchChromium } from './support.mjs';

const require = createRequire(import.meta.url);
const irsa = require(path.join(root, 'target', 'wasm', 'nodejs', 'irsa.js'));

let server;
let browser;
let base;

before(async () => {
  assert.ok(fs.existsSync(path.join(site, 'playground', 'index.html')), 'run `cargo xtask playground` first');
  ({ server, base } = await serveSite());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function newPage(width = 1280, height = 800) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

async function waitForCompile(page, previous, timeout = 30000) {
  await page.waitForFunction((p) => document.body.dataset.compiled && document.body.dataset.compiled !== p, previous, { timeout });
  return page.evaluate(() => document.body.dataset.compiled);
}

const status = (page) => page.locator('#status').textContent();
const workerStarts = (page) => page.evaluate(() => window.playground.compiler.starts);

test('over 400 kbit/s with 150 ms latency the default example compiles, with one worker', async () => {
  const { context, page, errors } = await newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const bytesPerSecond = (400 * 1000) / 8;
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond,
  });
  const wasmBytes = fs.statSync(path.join(site, 'playground', 'irsa_bg.wasm')).size;
  const started = Date.now();
  await page.goto(base, { timeout: 120000 });
  // The download is counted, in KiB of the whole.
  await page.waitForFunction(() => /^Loading compiler… \d+ of \d+ KiB$/.test(document.getElementById('status').textContent),
    null, { timeout: 120000, polling: 50 });
  await waitForCompile(page, '', 180000);
  const seconds = (Date.now() - started) / 1000;
  // The throttling held: the wasm alone takes this long at 400 kbit/s,
  // longer than the 3 s time limit.
  assert.ok(seconds > wasmBytes / bytesPerSecond, `loaded in ${seconds} s`);
  assert.ok(seconds > 3, `loaded in ${seconds} s`);
  assert.equal(await status(page), 'Compiled');
  assert.match(await page.locator('#output').textContent(), /name: spin-sa-echo/);
  assert.equal(await workerStarts(page), 1, 'the worker was never restarted');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a failed wasm download says so, and Retry loads it', async () => {
  const { context, page, errors } = await newPage();
  let blocked = true;
  let requests = 0;
  await context.route('**/irsa_bg.wasm', (route) => {
    // The page's downloads; the service worker may also precache the
    // module, whenever it installs.
    if (!route.request().serviceWorker()) requests += 1;
    return blocked ? route.abort('failed') : route.continue();
  });
  await page.goto(base);
  await page.waitForSelector('#retry', { state: 'visible' });
  assert.match(await status(page), /^Could not load the compiler \(.+\)$/);
  assert.equal(await page.evaluate(() => document.body.dataset.compiled), undefined);
  assert.equal(requests, 1);

  blocked = false;
  await page.click('#retry');
  await waitForCompile(page, '');
  assert.ok(await page.locator('#retry').isHidden());
  assert.equal(await status(page), 'Compiled');
  assert.match(await page.locator('#output').textContent(), /name: spin-sa-echo/);
  assert.equal(requests, 2);
  assert.equal(await workerStarts(page), 2);
  assert.deepEqual(errors, []);
  await context.close();
});

/** The example and --iam form with the most output tabs (files + stream + explain). */
function mostTabs() {
  const dir = path.join(root, 'dsl-examples');
  let best = null;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.irsa'))) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const iam of ['', 'ack', 'crossplane', 'terraform', 'cloudformation']) {
      const result = irsa.compile(source, { component: false, iam: iam || undefined });
      if (!result.ok) continue;
      const tabs = result.files.length + 2;
      if (!best || tabs > best.tabs) best = { example: file.replace(/\.irsa$/, ''), iam, tabs };
    }
  }
  return best;
}

test('every output tab lies inside the output panel, none under another or under the buttons', async () => {
  const most = mostTabs();
  assert.ok(most.tabs >= 5, JSON.stringify(most));
  for (const [width, height] of [[1280, 800], [1024, 768]]) {
    const { context, page, errors } = await newPage(width, height);
    await page.goto(base);
    let compiled = await waitForCompile(page, '');
    await page.selectOption('#examples', most.example);
    compiled = await waitForCompile(page, compiled);
    if (most.iam) {
      await page.selectOption('#iam', most.iam);
      compiled = await waitForCompile(page, compiled);
    }
    const tabs = page.locator('#tabs [role=tab]');
    assert.equal(await tabs.count(), most.tabs, `${width} px`);
    const pane = await page.locator('.output-pane').boundingBox();
    const buttons = [await page.locator('#copy').boundingBox(), await page.locator('#download').boundingBox()];
    const boxes = [];
    for (let i = 0; i < most.tabs; i++) boxes.push({ label: await tabs.nth(i).textContent(), box: await tabs.nth(i).boundingBox() });
    const overlap = (a, b) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
    for (const { label, box } of boxes) {
      const where = `${label} at ${width} px: ${JSON.stringify(box)} in ${JSON.stringify(pane)}`;
      assert.ok(box.x >= pane.x && box.x + box.width <= pane.x + pane.width + 0.5, where);
      assert.ok(box.y >= pane.y && box.y + box.height <= pane.y + pane.height, where);
      for (const button of buttons) assert.ok(!overlap(box, button), `${where} overlaps a button`);
      for (const other of boxes) if (other.label !== label) assert.ok(!overlap(box, other.box), `${where} overlaps ${other.label}`);
      // Nothing covers it: a click at its middle reaches it.
      const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.textContent, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
      assert.equal(hit, label, where);
    }
    // The last tab works like the first.
    await tabs.nth(most.tabs - 1).click();
    assert.equal(await page.locator('#tabs [role=tab][aria-selected=true]').textContent(), boxes.at(-1).label);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('YAML and JSON output is highlighted, and its text is exactly the output', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(base);
  let compiled = await waitForCompile(page, '');
  await page.selectOption('#examples', 'trust-policies');
  compiled = await waitForCompile(page, compiled);
  const expected = await page.evaluate(() => window.playground.view.state.doc.toString());
  const result = irsa.compile(expected, { component: false });
  assert.equal(await page.locator('#output').textContent(), result.stream);
  const keys = await page.locator('#output .tok-property').allTextContents();
  assert.ok(keys.includes('apiVersion') && keys.includes('kind'), keys.slice(0, 10).join(', '));
  assert.ok((await page.locator('#output .tok-string').allTextContents()).includes('ServiceAccount'));

  const policy = result.files.find((f) => f.path.endsWith('.json'));
  await page.click(`#tabs [role=tab]:has-text("${policy.path}")`);
  assert.equal(await page.locator('#output').textContent(), policy.content);
  assert.ok((await page.locator('#output .tok-property').allTextContents()).includes('"Version"'));
  assert.ok((await page.locator('#output .tok-string').allTextContents()).includes('"sts:AssumeRoleWithWebIdentity"'));

  // explain is plain text.
  await page.click('#tabs [role=tab]:has-text("explain")');
  assert.equal(await page.locator('#output span').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the editor highlights .irsa from the grammar: keywords, services, ARNs, and what the compiler rejects', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(base);
  const compiled = await waitForCompile(page, '');
  await page.evaluate((text) => {
    const view = window.playground.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, 'namespace spinnaker # ns\nservice echo, clouddrivr -> role arn:aws:iam::123456789012:role/x {\n  sts-regional-endpoints true\n}\n');
  await waitForCompile(page, compiled);
  const text = (cls) => page.locator(`.cm-content .${cls}`).allTextContents();
  assert.deepEqual(await text('tok-keyword'), ['namespace', 'service', 'role']);
  assert.deepEqual(await text('tok-service'), ['echo']);
  assert.deepEqual(await text('tok-invalid'), ['clouddrivr']);
  assert.deepEqual(await text('tok-arn'), ['arn:aws:iam::123456789012:role/x']);
  assert.deepEqual(await text('tok-property'), ['sts-regional-endpoints']);
  assert.deepEqual(await text('tok-constant'), ['true']);
  assert.deepEqual(await text('tok-comment'), ['# ns']);
  assert.deepEqual(await text('tok-arrow'), ['->']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('hover and completion come from the analysis in the wasm, at UTF-16 offsets', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(base);
  let compiled = await waitForCompile(page, '');
  assert.deepEqual(await page.evaluate(() => window.playground.compiler.features), { hover: true, complete: true });
  // Characters outside the BMP before the hover point: CodeMirror's offsets
  // and the wasm's must agree in UTF-16 code units.
  const source = '# Team café 🚀 roles\nnamespace spinnaker\nservice echo -> role arn:aws:iam::123456789012:role/echo\n';
  await page.evaluate((text) => {
    const view = window.playground.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, source);
  compiled = await waitForCompile(page, compiled);

  // Hover on the service: its ServiceAccount.
  // On the last character of the name: an offset counted otherwise would miss it.
  const at = source.indexOf('echo') + 3;
  const point = await page.evaluate((pos) => {
    const c = window.playground.view.coordsAtPos(pos);
    return { x: (c.left + c.right) / 2, y: (c.top + c.bottom) / 2 };
  }, at);
  await page.mouse.move(point.x, point.y);
  const tooltip = page.locator('.cm-tooltip-hover');
  await tooltip.waitFor({ timeout: 5000 });
  const text = await tooltip.textContent();
  assert.match(text, /echo/);
  assert.match(text, /spin-sa-echo/);
  assert.ok((await tooltip.locator('strong, code').count()) > 0, 'the Markdown is rendered');
  await page.screenshot({ path: path.join(root, 'target', 'playground-e2e', 'hover.png') });
  await page.mouse.move(0, 0);
  await tooltip.waitFor({ state: 'detached' });

  // Hover on a keyword: its syntax (a code block) and what it does.
  const keyword = await page.evaluate((pos) => {
    const c = window.playground.view.coordsAtPos(pos);
    return { x: (c.left + c.right) / 2, y: (c.top + c.bottom) / 2 };
  }, source.indexOf('namespace') + 1);
  await page.mouse.move(keyword.x, keyword.y);
  await tooltip.waitFor({ timeout: 5000 });
  assert.equal(await tooltip.locator('pre').textContent(), 'namespace NAME');
  assert.match(await tooltip.locator('p').first().textContent(), /namespace of the SpinnakerService/);
  await page.mouse.move(0, 0);

  // Completion: a statement at the start of a line, then a service name.
  await page.evaluate(() => {
    const view = window.playground.view;
    view.dispatch({ selection: { anchor: view.state.doc.length } });
    view.focus();
  });
  await page.keyboard.type('serv');
  const list = page.locator('.cm-tooltip-autocomplete');
  await list.waitFor({ timeout: 5000 });
  assert.ok((await list.locator('li').allTextContents()).some((t) => t.startsWith('service')));
  // CodeMirror takes Enter as a newline within 75 ms of the list's last
  // update (its interactionDelay), as for a fast typist.
  await page.waitForTimeout(150);
  await page.keyboard.press('Enter');
  await page.keyboard.type(' clouddr');
  await page.waitForFunction(() => [...document.querySelectorAll('.cm-tooltip-autocomplete li')]
    .some((li) => li.textContent.startsWith('clouddriver-caching')), null, { timeout: 5000 });
  const options = await list.locator('li').allTextContents();
  assert.ok(options.some((t) => t.startsWith('clouddriver')), options.join(', '));
  await page.waitForTimeout(150);
  await page.keyboard.press('Enter');
  const doc = await page.evaluate(() => window.playground.view.state.doc.toString());
  assert.match(doc, /\nservice clouddriver\S*$/);
  assert.deepEqual(errors, []);
  await context.close();
});
