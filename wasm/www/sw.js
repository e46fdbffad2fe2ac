// Offline once loaded: every file of the first load is cached on install
// and served from the cache first; the tools module (verify and import,
// ON_DEMAND) is cached when the page first fetches it, never before. ASSETS,
// ON_DEMAND and VERSION are filled in by `cargo xtask playground`.
const VERSION = '__VERSION__';
const ASSETS = __ASSETS__;
const ON_DEMAND = __ON_DEMAND__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== VERSION).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  const onDemand = ON_DEMAND.some((file) => url.pathname.endsWith(`/${file}`));
  event.respondWith(
    caches.match(event.request, { ignoreSearch: true }).then((hit) => hit ?? fetch(event.request).then((response) => {
      if (onDemand && response.ok) {
        const copy = response.clone();
        caches.open(VERSION).then((cache) => cache.put(event.request, copy));
      }
      return response;
    })),
  );
});
