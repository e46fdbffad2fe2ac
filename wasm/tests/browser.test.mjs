// The playground end to end, in real headless Chromium (Debian's, driven by
// playwright-core): load, pick an example, break it and see the underline
// and the problem, fix it, share a link, format; pick each IAM form and see
// its files in the tabs and the zip. Keeps a screenshot in
// target/playground-e2e/.
//
// Run by `cargo xtask ci` after `cargo xtask playground`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root, site, serveSite, launchChromium } from './support.mjs';

const artifacts = path.join(root, 'target', 'playground-e2e');

let server;
let browser;
let base;

before(async () => {
  assert.ok(fs.existsSync(path.join(site, 'playground', 'index.html')), 'run `cargo xtask playground` first');
  ({ server, base } = await serveSite());
  browser = await launchChromium();
  fs.mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function openPage(url = base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}

const editorText = (page) => page.evaluate(() => window.playground.view.state.doc.toString());
const output = (page) => page.locator('#output').textContent();

async function waitForCompile(page, previous) {
  await page.waitForFunction((p) => document.body.dataset.compiled && document.body.dataset.compiled !== p, previous);
  return page.evaluate(() => document.body.dataset.compiled);
}

async function replaceSource(page, source) {
  await page.evaluate((text) => {
    const view = window.playground.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, source);
}

test('the playground works end to end', async () => {
  const { page, errors } = await openPage();

  // First load: section 1's example, already compiled.
  let compiled = await waitForCompile(page, '');
  assert.match(await editorText(page), /service echo -> role arn:aws:iam::000000000000:role\/my-spinnaker-echo-role/);
  assert.match(await output(page), /name: spin-sa-echo/);
  assert.equal(await page.locator('#status').textContent(), 'Compiled');

  // Pick an example from the menu.
  await page.selectOption('#examples', 'trust-policies');
  compiled = await waitForCompile(page, compiled);
  assert.match(await output(page), /namespace: spinnaker/);
  const tabs = await page.locator('#tabs [role=tab]').allTextContents();
  assert.ok(tabs.includes('trust-policies/rosco-baker.json'), tabs.join(', '));
  await page.click('#tabs [role=tab]:has-text("trust-policies/rosco-baker.json")');
  assert.match(await output(page), /"sts:AssumeRoleWithWebIdentity"/);
  await page.click('#tabs [role=tab]:has-text("explain")');
  assert.match(await output(page), /SERVICEACCOUNT/);
  await page.click('#tabs [role=tab]:has-text("stream.yaml")');

  // A typo: underlined in the editor, listed in the problems.
  const good = await editorText(page);
  await page.locator('.cm-content').click();
  await replaceSource(page, good.replace('service clouddriver', 'service clouddrivr'));
  compiled = await waitForCompile(page, compiled);
  await page.waitForSelector('.cm-lintRange-error');
  const problem = page.locator('#problems tr.problem').first();
  assert.equal(await problem.getAttribute('data-code'), 'E040');
  assert.match(await problem.textContent(), /unknown service `clouddrivr`.*did you mean `clouddriver`\?/);
  assert.match(await page.locator('#status').textContent(), /1 error/);
  assert.match(await output(page), /No output/);
  await page.locator('.cm-lintRange-error').first().hover();
  await page.waitForSelector('.cm-tooltip-lint');
  assert.match(await page.locator('.cm-tooltip-lint').textContent(), /E040: unknown service/);
  await page.screenshot({ path: path.join(artifacts, 'playground-error.png') });

  // Clicking the problem puts the cursor on it.
  await problem.click();
  const cursorLine = await page.evaluate(() => {
    const view = window.playground.view;
    return view.state.doc.lineAt(view.state.selection.main.head).number;
  });
  assert.equal(cursorLine, good.split('\n').findIndex((l) => l.startsWith('service clouddriver')) + 1);

  // Fixed: the output is back.
  await replaceSource(page, good);
  compiled = await waitForCompile(page, compiled);
  assert.equal(await page.locator('.cm-lintRange-error').count(), 0);
  assert.equal(await page.locator('#problems tr').count(), 0);
  assert.match(await output(page), /serviceAccountName: spin-sa-clouddriver/);

  // Share: a new page opened on the link gets the same source.
  const edited = `${good}# shared from the test é\n`;
  await replaceSource(page, edited);
  compiled = await waitForCompile(page, compiled);
  await page.click('#share');
  await page.waitForFunction(() => document.body.dataset.shareLink);
  const link = await page.evaluate(() => document.body.dataset.shareLink);
  assert.match(link, /#src=[A-Za-z0-9_-]+$/);
  const { page: other, errors: otherErrors } = await openPage(link);
  await waitForCompile(other, '');
  assert.equal(await editorText(other), edited);
  assert.deepEqual(otherErrors, []);

  // Format.
  await replaceSource(page, 'namespace   spinnaker\nservice  *->role arn:aws:iam::123456789012:role/x\n');
  compiled = await waitForCompile(page, compiled);
  await page.click('#format');
  await page.waitForFunction(() => window.playground.view.state.doc.toString().includes('* -> role'));
  assert.equal(await editorText(page), 'namespace spinnaker\nservice * -> role arn:aws:iam::123456789012:role/x\n');

  await page.setViewportSize({ width: 1024, height: 768 });
  await page.selectOption('#examples', 'armory-irsa-guide');
  await waitForCompile(page, compiled);
  await page.screenshot({ path: path.join(artifacts, 'playground.png') });
  assert.deepEqual(errors, []);
});

test('the IAM selector writes the managed roles in each form, in the tabs and the zip', async () => {
  const { page, errors } = await openPage();
  let compiled = await waitForCompile(page, '');
  await replaceSource(page, [
    'namespace spinnaker',
    'account 123456789012',
    'oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
    'role spinnaker {',
    '  policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    '}',
    'service * -> role spinnaker',
    '',
  ].join('\n'));
  compiled = await waitForCompile(page, compiled);
  const tabs = () => page.locator('#tabs [role=tab]').allTextContents();
  assert.ok(!(await tabs()).includes('iam.yaml'), 'no --iam, no iam.yaml');
  assert.match(await output(page), /^apiVersion: v1\nkind: ServiceAccount\n/);

  // ACK: the Role leads the stream and is iam.yaml.
  await page.selectOption('#iam', 'ack');
  compiled = await waitForCompile(page, compiled);
  assert.ok((await tabs()).includes('iam.yaml'), (await tabs()).join(', '));
  assert.match(await output(page), /^apiVersion: iam\.services\.k8s\.aws\/v1alpha1\nkind: Role\n/);
  await page.click('#tabs [role=tab]:has-text("iam.yaml")');
  assert.match(await output(page), /assumeRolePolicyDocument: /);

  // Crossplane: the tab stays selected and shows the new form.
  await page.selectOption('#iam', 'crossplane');
  compiled = await waitForCompile(page, compiled);
  assert.equal(await page.locator('#tabs [role=tab][aria-selected=true]').textContent(), 'iam.yaml');
  assert.match(await output(page), /kind: RolePolicyAttachment\n/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const archive = fs.readFileSync(await download.path()).toString('latin1');
  assert.ok(archive.includes('iam.yaml') && archive.includes('kind: RolePolicyAttachment'), 'iam.yaml is in the zip');

  // Terraform: files only; the stream has no IAM objects.
  await page.selectOption('#iam', 'terraform');
  compiled = await waitForCompile(page, compiled);
  assert.ok((await tabs()).includes('iam/main.tf.json'), (await tabs()).join(', '));
  assert.ok(!(await tabs()).includes('iam.yaml'));
  await page.click('#tabs [role=tab]:has-text("stream.yaml")');
  assert.match(await output(page), /^apiVersion: v1\nkind: ServiceAccount\n/);

  await page.selectOption('#iam', '');
  await waitForCompile(page, compiled);
  assert.ok(!(await tabs()).some((t) => t.startsWith('iam')), (await tabs()).join(', '));
  assert.deepEqual(errors, []);
});

test('every example of the book opens in the playground', async () => {
  assert.ok(fs.existsSync(path.join(site, 'book', 'index.html')), 'run `cargo xtask book` first');
  const { page, errors } = await openPage(base.replace('/playground/', '/book/language.html'));
  const examples = await page.locator('code.language-irsa').count();
  assert.ok(examples >= 8, `${examples} examples`);
  await page.waitForFunction((n) => document.querySelectorAll('a.try-it').length === n, examples);
  // Highlighted from the language's grammar, the text unchanged.
  const first = page.locator('code.language-irsa').first();
  assert.ok((await first.locator('span.hljs-keyword').allTextContents()).includes('service'));
  assert.ok((await page.locator('code.language-irsa span.hljs-title').count()) > 0, 'service names');
  assert.ok((await page.locator('code.language-irsa span.hljs-link').count()) > 0, 'ARNs');
  assert.equal(await page.locator('code.language-irsa span.irsa-invalid').count(), 0);
  const source = await page.locator('code.language-irsa').nth(3).textContent();
  await page.locator('a.try-it').nth(3).click();
  await page.waitForURL(/\/playground\/#src=/);
  await waitForCompile(page, '');
  assert.equal(await editorText(page), source);
  assert.deepEqual(errors, []);
});

test('works offline once loaded', async () => {
  const { page, errors } = await openPage();
  await waitForCompile(page, '');
  // The service worker caches every file on install and claims the page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15000 });
  await page.context().setOffline(true);
  await page.reload();
  await waitForCompile(page, '');
  assert.match(await output(page), /name: spin-sa-echo/);
  assert.deepEqual(errors, []);
});

test('a pathological input cannot freeze the page', async () => {
  const { page, errors } = await openPage();
  const compiled = await waitForCompile(page, '');
  await replaceSource(page, `service echo -> role x ${'{'.repeat(200000)}\n`);
  await waitForCompile(page, compiled);
  assert.match(await page.locator('#status').textContent(), /error/);
  // The page still answers.
  assert.equal(await page.evaluate(() => 1 + 1), 2);
  assert.deepEqual(errors, []);
});
