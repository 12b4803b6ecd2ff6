// What the fixture sites store (tests/fixtures/sites/*/static/site-data.js), read from
// inside the site: shared by the Chromium (Playwright) and Firefox (puppeteer) suites, whose
// `page.evaluate(fn, arg)` and `page.url()` agree.

/** Every kind of site data the fixture pages write, read from inside the site. */
export async function inventory(page, server, { cacheName, cachedScript }) {
  const host = new URL(page.url()).host;
  const before = server.requestCount(host, cachedScript);
  const items = await page.evaluate(async ({ cacheName, cachedScript }) => {
    const dbs = (await indexedDB.databases()).map((d) => d.name);
    let marker = null;
    if (dbs.includes('fixture-db')) {
      marker = await new Promise((resolve) => {
        const open = indexedDB.open('fixture-db');
        open.onsuccess = () => {
          try {
            const get = open.result.transaction('kv').objectStore('kv').get('marker');
            get.onsuccess = () => { resolve(get.result ?? null); open.result.close(); };
            get.onerror = () => resolve(null);
          } catch {
            resolve(null);
          }
        };
        open.onerror = () => resolve(null);
      });
    }
    const cache = (await caches.has(cacheName)) ? await (await caches.open(cacheName)).match('/fixture-cache-entry') : null;
    await fetch(cachedScript); // served from the HTTP cache if it is still there
    return {
      cookie: document.cookie.match(/fixtureCookie=([^;]*)/)?.[1] ?? null,
      local: localStorage.getItem('fixtureLocal'),
      indexedDB: marker,
      cacheStorage: cache ? await cache.text() : null,
      serviceWorker: (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope),
    };
  }, { cacheName, cachedScript });
  items.httpCached = server.requestCount(host, cachedScript) === before;
  return items;
}

export const NETFLIX = { cacheName: 'nf-fixture-v1', cachedScript: '/static/cached.js' };
export const EXAMPLE = { cacheName: 'example-v1', cachedScript: '/cached.js' };
/** All six kinds present (cookie, localStorage, IndexedDB, Cache Storage, one service worker, HTTP cache). */
export const PRESENT = (inv) => inv.cookie === 'present' && inv.local === 'present' && inv.indexedDB === 'present' &&
  inv.cacheStorage === 'present' && inv.serviceWorker.length === 1 && inv.httpCached;
