// What the Chromium tests share: the built site served on 127.0.0.1 and a
// headless Chromium (Debian's, through playwright-core), both started by
// the test and stopped by it.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const root = path.resolve(import.meta.dirname, '..', '..');
/** Where `cargo xtask playground` puts the site (`target/playground/`). */
export const site = path.join(root, 'target');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' };

/**
 * Serves `site` on a free port of 127.0.0.1, with sizes (progress needs
 * them). `onRequest` sees every path asked for, the service worker's own
 * fetches included. Returns the server and the playground's URL.
 */
export async function serveSite(onRequest = () => {}) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    onRequest(url.pathname);
    let file = path.join(site, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(site)) { response.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { response.writeHead(404).end(); return; }
    response.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': fs.statSync(file).size,
    });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}/playground/` };
}

/** Headless Chromium, `$CHROMIUM` or /usr/bin/chromium. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
