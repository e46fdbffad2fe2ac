// The wasm compile latency in Chromium (for `cargo xtask bench`): the median
// of 50 compiles of a source, in a page, through the web build's API.
// Prints one line: `median_ms=…`.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [webDir, sourceFile] = process.argv.slice(2);
const source = fs.readFileSync(sourceFile, 'utf8');
const server = http.createServer((request, response) => {
  const name = path.basename(new URL(request.url, 'http://x').pathname) || 'index.html';
  if (name === 'index.html') {
    response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><script type="module">import init, * as irsa from "./irsa.js"; await init(); window.irsa = irsa;</script>');
    return;
  }
  const file = path.join(webDir, name);
  if (!fs.existsSync(file)) { response.writeHead(404).end(); return; }
  response.writeHead(200, { 'Content-Type': name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
  fs.createReadStream(file).pipe(response);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForFunction(() => window.irsa);
const median = await page.evaluate((text) => {
  for (let i = 0; i < 10; i++) window.irsa.compile(text);
  const times = [];
  for (let i = 0; i < 50; i++) {
    const start = performance.now();
    const result = window.irsa.compile(text);
    times.push(performance.now() - start);
    if (!result.ok) throw new Error('the source does not compile');
  }
  times.sort((a, b) => a - b);
  return (times[24] + times[25]) / 2;
}, source);
console.log(`median_ms=${median}`);
await browser.close();
server.close();
