// Writes the npm package into dist/: the page entry and the worker, each one
// minified ES module, core.wasm beside them, and the types; and the service
// worker, also an ES module. esbuild bundles and minifies, then terser
// minifies again: its compressor (two passes: the second finds what the
// first's inlining exposed) takes another ~0.45 KB off the page entry and
// ~1.2 KB off the worker, gzipped. The worker
// includes the Emscripten module (build/wasm/module/core.mjs, from CMake):
// one file for the browser to fetch instead of two in sequence before the
// worker can start.
import { build } from 'esbuild';
import { minify } from 'terser';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const wasmModule = new URL('../build/wasm/module/', import.meta.url);
await mkdir(dist, { recursive: true });

// The worker's `import createCore from './core.mjs'` is the module CMake built.
const coreModule = {
  name: 'core-module',
  setup(build) {
    build.onResolve({ filter: /^\.\/core\.mjs$/ }, () => ({ path: fileURLToPath(new URL('core.mjs', wasmModule)) }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * Bundles `options.entryPoints` into `outfile`, minified.
 * @param {import('esbuild').BuildOptions & { outfile: string }} options
 */
async function bundle({ outfile, ...options }) {
  const { outputFiles } = await build({ ...common, ...options, write: false });
  const { code } = await minify(outputFiles[0].text, {
    module: true,
    ecma: 2020,
    compress: { passes: 2 },
    format: { comments: false },
  });
  // A minifier that gave nothing back must fail the build, not ship an empty file.
  if (code === undefined) throw new Error(`terser returned no code for ${outfile}`);
  await writeFile(outfile, code);
}
// The page's hand-off to the service worker is imported by index.js only
// once an app opts in (init({ serviceWorker: true })): it stays its own file,
// ./service-worker-handoff.js beside index.js in dist/ as in web/, so an
// app that does not opt in downloads none of it.
const handoffApart = {
  name: 'service-worker-handoff-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/service-worker-handoff\.js$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    );
  },
};
await bundle({ entryPoints: ['web/index.js'], outfile: 'dist/index.js', plugins: [handoffApart] });
await bundle({ entryPoints: ['web/service-worker-handoff.js'], outfile: 'dist/service-worker-handoff.js' });
// core.mjs finds core.wasm with new URL('core.wasm', import.meta.url): beside worker.js.
await bundle({
  entryPoints: ['worker/producer-worker.js'],
  outfile: 'dist/worker.js',
  plugins: [coreModule],
});
// The service worker (worker/service-worker.js) runs the same worker code and
// core: its own bundle beside worker.js, finding core.wasm the same way.
await bundle({
  entryPoints: ['worker/service-worker.js'],
  outfile: 'dist/service-worker.js',
  plugins: [coreModule],
});
await copyFile(new URL('core.wasm', wasmModule), new URL('core.wasm', dist));
await copyFile(new URL('../web/index.d.ts', import.meta.url), new URL('index.d.ts', dist));
