// The error ids are one catalog, src/error_ids.h: the JavaScript mirror is
// equal to it, every id the code raises is in it, every id in it is asserted
// exactly by some test, and docs/errors.md explains each and no other.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_IDS } from '../../web/error-ids.js';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

/** Every file under `folder` (relative to the root) whose name ends in one of `endings`. */
function filesUnder(folder, endings) {
  return readdirSync(new URL(folder, root), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && endings.some((ending) => entry.name.endsWith(ending)))
    .map((entry) => `${entry.parentPath ?? entry.path}/${entry.name}`.slice(new URL(root).pathname.length));
}

/** src/error_ids.h: [constant name, id, meaning] for each id, in order. */
function headerCatalog() {
  const text = read('src/error_ids.h');
  return [...text.matchAll(/^\/\/\/ (.+)\ninline constexpr std::string_view k(\w+) =\s*"([^"]+)";$/gm)].map(
    ([, meaning, name, id]) => ({ name, id, meaning }),
  );
}

const catalog = new Set(Object.values(ERROR_IDS));
const SOURCE_ENDINGS = ['.js', '.mjs', '.ts', '.mts', '.cpp', '.h', '.def', '.cmake'];

// An id: 'tep.' then an area and a name (or, for tep.argument, an area
// alone). An area followed by '.' is the start of an id built at run time
// (`tep.worker.${code}`, 'tep.config.<field>'), checked apart below.
const ID = /(?<![\w.-])tep\.[a-z_]+(?:\.[A-Za-z_]+)?(?![\w-])/g;

/** The ids written out in `text`, and the prefixes of ids built at run time. */
function idsIn(text) {
  const ids = [];
  const prefixes = [];
  for (const match of text.matchAll(ID)) {
    const end = match.index + match[0].length;
    const areaOnly = match[0].split('.').length === 2;
    if (areaOnly && text[end] === '.') prefixes.push(`${match[0]}.`);
    else ids.push(match[0]);
  }
  return { ids, prefixes };
}

test('the JavaScript catalog is the C++ header, name for name and in the same order', () => {
  const header = headerCatalog();
  assert.ok(header.length >= 40, `${header.length} ids read from src/error_ids.h`);
  const mirrored = header.map(({ name, id }) => [name[0].toLowerCase() + name.slice(1), id]);
  assert.deepEqual(Object.entries(ERROR_IDS), mirrored);
  assert.ok(Object.isFrozen(ERROR_IDS));
  assert.equal(new Set(header.map(({ id }) => id)).size, header.length, 'no id is listed twice');
  for (const { id, meaning } of header) {
    assert.match(id, /^tep\.[a-z_]+(\.[A-Za-z_]+)?$/, id);
    assert.ok(meaning.length > 10, `${id} has a meaning`);
  }
});

test('every id written out in src/, web/ and worker/ is in the catalog', () => {
  const files = ['src/', 'web/', 'worker/'].flatMap((folder) => filesUnder(folder, SOURCE_ENDINGS));
  assert.ok(files.length > 50, `${files.length} files read`);
  const unknown = [];
  for (const file of files) {
    const { ids, prefixes } = idsIn(read(file));
    for (const id of ids) if (!catalog.has(id)) unknown.push(`${file}: ${id}`);
    for (const prefix of prefixes) {
      if (![...catalog].some((id) => id.startsWith(prefix))) unknown.push(`${file}: ${prefix}…`);
    }
  }
  assert.deepEqual(unknown, []);
});

test('every id built at run time from a code is in the catalog', () => {
  const text = (folder) =>
    filesUnder(folder, ['.js'])
      .map((file) => read(file))
      .join('\n');
  const web = text('web/');
  const worker = text('worker/');
  // InitError(code, …) raises tep.init.<code>.
  const initCodes = [...web.matchAll(/new InitError\(\s*'(\w+)'/g)].map((match) => match[1]);
  assert.ok(initCodes.length >= 4, `${initCodes.length} InitError codes found`);
  for (const code of initCodes) assert.ok(catalog.has(`tep.init.${code}`), `tep.init.${code}`);
  // An error the worker throws with a code is answered as tep.worker.<code>.
  const workerCodes = [...worker.matchAll(/\bcode: '(\w+)'/g)].map((match) => match[1]);
  assert.ok(workerCodes.length >= 3, `${workerCodes.length} worker codes found`);
  for (const code of workerCodes) assert.ok(catalog.has(`tep.worker.${code}`), `tep.worker.${code}`);
  // IllegalArgumentError(message, field) raises tep.config.<field>.
  const fields = [
    ...web.matchAll(/IllegalArgumentError\((?:[^()]|\([^()]*\))*?,\s*'(\w+)',?\s*\)/g),
    ...web.matchAll(/checkUrl\([^()]*, '(\w+)'\)/g),
  ].map((match) => match[1]);
  assert.ok(fields.length >= 4, `${fields.length} config fields found`);
  for (const field of fields) assert.ok(catalog.has(`tep.config.${field}`), `tep.config.${field}`);
});

test('every id of the catalog is asserted exactly by some test', () => {
  const tests = filesUnder('tests/', ['.mjs', '.js', '.cpp']).filter((file) => !file.includes('/artifacts/'));
  const asserted = new Set();
  for (const file of tests) {
    // Whole: between quotes or brackets, not the start of a longer id.
    for (const match of read(file).matchAll(/(?<=['"`[])tep\.[a-z_]+(?:\.[A-Za-z_]+)?(?=['"`\]])/g)) {
      asserted.add(match[0]);
    }
  }
  const unasserted = [...catalog].filter((id) => !asserted.has(id));
  assert.deepEqual(unasserted, []);
});

test('docs/errors.md has a row for every id of the catalog, and for no other', () => {
  const rows = [...read('docs/errors.md').matchAll(/^\| `(tep\.[^`]+)` \|/gm)].map((match) => match[1]);
  assert.deepEqual([...rows].sort(), [...catalog].sort());
  assert.equal(new Set(rows).size, rows.length, 'no id has two rows');
});
