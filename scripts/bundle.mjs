// Writes the npm package's JavaScript into dist/ beside core.mjs/core.wasm:
// the page entry and the worker, each one minified ES module.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

const dist = new URL('../dist/', import.meta.url);
await mkdir(dist, { recursive: true });

const common = { bundle: true, format: 'esm', minify: true, target: 'es2020', logLevel: 'warning', legalComments: 'none' };
await build({ ...common, entryPoints: ['web/index.js'], outfile: 'dist/index.js' });
// The worker imports the Emscripten module at run time, beside itself.
await build({ ...common, entryPoints: ['worker/producer-worker.js'], outfile: 'dist/worker.js', external: ['./core.mjs'] });
await copyFile(new URL('../web/index.d.ts', import.meta.url), new URL('index.d.ts', dist));
