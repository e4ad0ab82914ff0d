// Serves the package (dist/) and the demo page from the repository, with the
// content types browsers insist on for modules and wasm.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  // Required for WebAssembly.instantiateStreaming.
  '.wasm': 'application/wasm',
};

// URL prefix → folder of the repository it maps to (or an absolute path).
export const demoMounts = [
  ['/dist/', 'dist'],
  ['/demo/', 'demo/page'],
  ['/tests/browser/pages/', 'tests/browser/pages'],
  ['/node_modules/@tidal-music/', 'node_modules/@tidal-music'],
];

/**
 * A handler answering GET requests for files under `mounts` ([URL prefix,
 * folder of the repository or absolute path]); it returns false for anything
 * else. `/` is `index`.
 */
export function staticFiles(mounts = demoMounts, { index = '/demo/index.html' } = {}) {
  return async function serveStatic(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return false; // a malformed path names no file
    }
    if (path === '/' && index) path = index;
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    if (!mount) return false;
    const folder = resolve(root, mount[1]);
    const file = normalize(join(folder, path.slice(mount[0].length)));
    if (!file.startsWith(folder + sep)) return false;
    let info;
    try {
      info = await stat(file);
    } catch {
      return false;
    }
    if (!info.isFile()) return false;
    // As an app should serve the package's files: cached, and revalidated on
    // every load (no-cache + ETag), so a fresh build is always seen while an
    // unchanged file comes from the HTTP cache, and the browser keeps its
    // compiled code for the worker's script and the wasm.
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const caching = { ETag: etag, 'Cache-Control': 'no-cache' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, caching);
      res.end();
      return true;
    }
    res.writeHead(200, {
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      ...caching,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };
}
