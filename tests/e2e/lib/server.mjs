// Local HTTPS server that replays fixture sites under their real host names.
// Chromium reaches it through --host-resolver-rules and trusts its throwaway
// certificate through --ignore-certificate-errors-spki-list (see browser.mjs).

import { createServer } from 'node:https';
import { X509Certificate, createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const SITES_DIR = path.join(FIXTURES_DIR, 'sites');

/** The other streaming services (issue 11) and a google.com stand-in, each with its subdomains. */
export const SERVICE_HOSTS = ['youtube.com', 'disneyplus.com', 'primevideo.com', 'max.com', 'hbomax.com', 'google.com'];

export const CERT_NAMES = [
  'netflix.com', '*.netflix.com', 'example.org', '*.example.org',
  ...SERVICE_HOSTS.flatMap((h) => [h, `*.${h}`]),
  'localhost', '127.0.0.1',
];

export const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; frame-src 'self'";

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

// ---------------------------------------------------------------- certificate

async function makeCertificate(dir) {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const san = CERT_NAMES.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '7',
    '-subj', '/CN=streamfix-e2e', '-addext', `subjectAltName=${san}`,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'extendedKeyUsage=serverAuth',
  ]);
  const [key, cert] = await Promise.all([readFile(keyFile), readFile(certFile)]);
  return { key, cert, spki: spkiHash(cert) };
}

/** base64(sha256(SubjectPublicKeyInfo)) — the form --ignore-certificate-errors-spki-list wants. */
export function spkiHash(certPem) {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

// ---------------------------------------------------------------- route helpers

/** Handler answering `status` with an optional body and headers. */
export function statusRoute(status, body = '', headers = {}) {
  return (req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  };
}

/** Handler sending `size` bytes (or the given Buffer/string) at about `bytesPerSec`. */
export function throttledRoute({ size = 1 << 20, body, bytesPerSec = 256 * 1024, headers = {}, tickMs = 50 } = {}) {
  const payload = body !== undefined ? Buffer.from(body) : Buffer.alloc(size, 0x61);
  return (req, res) => {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': payload.length,
      'cache-control': 'no-store',
      ...headers,
    });
    const perTick = Math.max(1, Math.round((bytesPerSec * tickMs) / 1000));
    let offset = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      const chunk = payload.subarray(offset, offset + perTick);
      offset += chunk.length;
      if (offset >= payload.length) {
        clearInterval(timer);
        res.end(chunk);
      } else {
        res.write(chunk);
      }
    }, tickMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** Handler serving a body with a given Cache-Control (and other headers). */
export function cachedRoute(body, { cacheControl = 'max-age=31536000', contentType = 'text/javascript; charset=utf-8', headers = {} } = {}) {
  return (req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'cache-control': cacheControl, ...headers });
    res.end(body);
  };
}

/** Handler serving a fixture file (relative to tests/fixtures/sites/) with extra headers / status. */
export function fixtureRoute(relPath, { status, headers = {} } = {}) {
  return async (req, res, ctx) => {
    const file = path.join(SITES_DIR, relPath);
    await sendFile(res, file, ctx, { status, headers });
  };
}

// ---------------------------------------------------------------- static files

const isNetflixHost = (host) => host === 'netflix.com' || host.endsWith('.netflix.com');

/** tests/fixtures/sites/<host>/, else the closest parent domain's folder (www.x.netflix.com → netflix.com). */
export function siteDirFor(host) {
  const labels = host.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const dir = path.join(SITES_DIR, labels.slice(i).join('.'));
    if (existsSync(dir) && statSync(dir).isDirectory()) return dir;
  }
  return null;
}

function resolveFile(siteDir, pathname) {
  let rel;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const base = path.join(siteDir, path.normalize(rel));
  if (!base.startsWith(siteDir)) return null;
  const candidates = rel.endsWith('/')
    ? [path.join(base, 'index.html')]
    : [base, `${base}.html`, path.join(base, 'index.html')];
  return candidates.find((f) => existsSync(f) && statSync(f).isFile() && !f.endsWith('.headers.json')) ?? null;
}

async function readSidecar(file) {
  const sidecar = `${file}.headers.json`;
  if (!existsSync(sidecar)) return {};
  return JSON.parse(await readFile(sidecar, 'utf8'));
}

function defaultHeaders(file, host) {
  const ext = path.extname(file);
  const headers = {
    'content-type': MIME[ext] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
  };
  if (ext === '.html' && isNetflixHost(host)) headers['content-security-policy'] = STRICT_CSP;
  return headers;
}

/** Sends a file with default headers, then its sidecar's, then `extra`'s. A null header value removes it. */
async function sendFile(res, file, ctx, { status, headers: extra = {} } = {}) {
  const { status: sidecarStatus, ...sidecarHeaders } = await readSidecar(file);
  const merged = { ...defaultHeaders(file, ctx.host), ...lower(sidecarHeaders), ...lower(extra) };
  for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
  const body = await readFile(file);
  res.writeHead(status ?? sidecarStatus ?? 200, merged);
  res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

const lower = (obj) => Object.fromEntries(Object.entries(obj).map(([k, v]) => [k.toLowerCase(), v]));

// ---------------------------------------------------------------- server

function routeMatches(route, host, pathname) {
  const hostOk = route.host === '*' || route.host === host ||
    (route.host.startsWith('*.') && (host.endsWith(route.host.slice(1)) || host === route.host.slice(2)));
  if (!hostOk) return false;
  return route.path.endsWith('*') ? pathname.startsWith(route.path.slice(0, -1)) : route.path === pathname;
}

/**
 * Starts the fixture server on 127.0.0.1 (random port).
 * @returns {Promise<{port:number, spki:string, close():Promise<void>, setRoute(host:string, path:string, handler:Function):void,
 *   removeRoute(host:string, path:string):void, reset():void, requests:Array, requestCount(host?:string, path?:string):number,
 *   url(host:string, path?:string):string}>}
 */
export async function startServer() {
  const certDir = await mkdtemp(path.join(tmpdir(), 'streamfix-cert-'));
  const { key, cert, spki } = await makeCertificate(certDir);
  let routes = [];
  const requests = [];

  const handle = async (req, res) => {
    const host = (req.headers.host ?? 'localhost').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url, `https://${host}`);
    const ctx = { req, host, url, pathname: url.pathname };
    requests.push({ host, path: url.pathname, search: url.search, method: req.method, headers: req.headers, time: Date.now() });

    // Latest route wins, so a test can override an earlier setRoute.
    const route = routes.findLast((r) => routeMatches(r, host, url.pathname));
    if (route) return route.handler(req, res, ctx);

    const siteDir = siteDirFor(host);
    const file = siteDir && resolveFile(siteDir, url.pathname);
    if (!file) return statusRoute(404, `no fixture for ${host}${url.pathname}\n`)(req, res);
    return sendFile(res, file, ctx);
  };

  const server = createServer({ key, cert }, (req, res) => {
    Promise.resolve(handle(req, res)).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fixture server error: ${err.stack}\n`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    port,
    spki,
    requests,
    /** Overrides static files for `host` ('*' and '*.netflix.com' allowed) and `path` (exact, or prefix ending in '*'). */
    setRoute(host, routePath, handler) {
      routes.push({ host: host.toLowerCase(), path: routePath, handler });
    },
    removeRoute(host, routePath) {
      routes = routes.filter((r) => !(r.host === host.toLowerCase() && r.path === routePath));
    },
    /** Drops every programmatic route and the request log. */
    reset() {
      routes = [];
      requests.length = 0;
    },
    /** Number of logged requests, optionally filtered by host and exact path. */
    requestCount(host, reqPath) {
      return requests.filter((r) => (!host || r.host === host) && (!reqPath || r.path === reqPath)).length;
    },
    url: (host, p = '/') => `https://${host}${p}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      await rm(certDir, { recursive: true, force: true });
    },
  };
}
