// worker/core-api.js is the worker's one caller of the wasm module's `_tep_*`
// exports, and tsc checks each call against worker/core.d.mts: a copy of it
// with a call's arguments changed (a boolean where the export takes a
// number, an argument left out) fails to type-check, naming those calls,
// and the copy as it is passes. The copy is checked with the project's
// config and strictNullChecks and noImplicitAny, as the worker is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');

let dir;
let source;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tep-core-api-types-'));
  // The copy's imports reach the worker's and the page's files where they are.
  source = (await readFile(join(root, 'worker/core-api.js'), 'utf8'))
    .replaceAll("'./", `'${join(root, 'worker')}/`)
    .replaceAll("'../web/", `'${join(root, 'web')}/`);
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { strictNullChecks: true, noImplicitAny: true },
      include: ['core-api.js', join(root, 'worker/core.d.mts')],
      exclude: [],
    }),
  );
});

after(() => rm(dir, { recursive: true, force: true }));

/** Type-checks `text` as the copy of core-api.js; resolves to the diagnostics about the copy. */
async function diagnosticsOf(text) {
  await writeFile(join(dir, 'core-api.js'), text);
  let output = '';
  try {
    await promisify(execFile)(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', dir], { cwd: dir });
  } catch (failure) {
    output = `${failure.stdout}${failure.stderr}`;
  }
  // The files it imports are checked too; only what tsc says of the copy counts here.
  return output.split('\n').filter((line) => line.startsWith('core-api.js('));
}

/**
 * Replaces the copy's call `right` with `wrong` and asserts that tsc says
 * exactly one thing of it, at the changed call's line, matching `expected`.
 */
async function assertCaught(right, wrong, expected) {
  assert.ok(source.includes(right), `core-api.js has ${right}`);
  const text = source.replace(right, wrong);
  const line = text.split('\n').findIndex((candidate) => candidate.includes(wrong)) + 1;
  const diagnostics = await diagnosticsOf(text);
  assert.equal(diagnostics.length, 1, diagnostics.join('\n'));
  assert.match(diagnostics[0], new RegExp(`^core-api\\.js\\(${line},\\d+\\)`));
  assert.match(diagnostics[0], expected);
}

test('worker/core-api.js as it is type-checks against core.d.mts', async () => {
  assert.deepEqual(await diagnosticsOf(source), []);
});

test('a boolean passed where an export takes a number fails, naming the call', () =>
  assertCaught(
    'core._tep_set_online(online ? 1 : 0, now)',
    'core._tep_set_online(online, now)',
    /TS2345: Argument of type 'boolean' is not assignable to parameter of type 'number'/,
  ));

test('an export called with an argument left out fails, naming the call', () =>
  assertCaught('core._tep_flush(now)', 'core._tep_flush()', /TS2554: Expected 1 arguments, but got 0/));

test('an export the module does not have fails, naming the call', () =>
  assertCaught(
    'core._tep_tick(now)',
    'core._tep_tock(now)',
    /TS2551: Property '_tep_tock' does not exist on type 'CoreModule'/,
  ));
