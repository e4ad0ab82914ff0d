// The worker's in-memory files, which the core's queue lives in: what the
// core writes reads back byte for byte, and every change is reported once
// for the next IndexedDB sync, so nothing changed is left out of storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryFolders } from '../../worker/memory-folders.js';

const bytes = (text) => new TextEncoder().encode(text);
const text = (view) => (view === undefined ? undefined : new TextDecoder().decode(view));

test('appends accumulate in order across many small writes and read back exactly', () => {
  const folders = createMemoryFolders();
  let expected = '';
  for (let i = 0; i < 1000; i++) {
    const record = `record-${i};`;
    folders.append('/q', 'seg-1.log', bytes(record));
    expected += record;
  }
  assert.equal(text(folders.contents('/q', 'seg-1.log')), expected);
  assert.equal(folders.contents('/q', 'seg-1.log').length, expected.length);
});

test('the bytes appended or written are copied, so the caller may reuse its buffer', () => {
  const folders = createMemoryFolders();
  const buffer = bytes('abc');
  folders.append('/q', 'a', buffer);
  folders.write('/q', 'b', buffer);
  buffer.set(bytes('xyz'));
  assert.equal(text(folders.contents('/q', 'a')), 'abc');
  assert.equal(text(folders.contents('/q', 'b')), 'abc');
});

test('write replaces a file, remove deletes it, and a missing file reads as undefined', () => {
  const folders = createMemoryFolders();
  folders.append('/q', 'state', bytes('old and long'));
  folders.write('/q', 'state', bytes('new'));
  assert.equal(text(folders.contents('/q', 'state')), 'new');
  folders.remove('/q', 'state');
  assert.equal(folders.contents('/q', 'state'), undefined);
  assert.equal(folders.contents('/nowhere', 'state'), undefined);
  assert.doesNotThrow(() => folders.remove('/q', 'never-there'));
});

test('folders are separate: the same name in two folders is two files', () => {
  const folders = createMemoryFolders();
  folders.write('/tab-a', 'state', bytes('a'));
  folders.write('/tab-b', 'state', bytes('b'));
  assert.deepEqual(folders.list('/tab-a'), ['state']);
  assert.equal(text(folders.contents('/tab-a', 'state')), 'a');
  assert.equal(text(folders.contents('/tab-b', 'state')), 'b');
  folders.drop('/tab-b');
  assert.deepEqual(folders.list('/tab-b'), []);
  assert.equal(text(folders.contents('/tab-a', 'state')), 'a');
});

test('every changed file is reported once, removals included, and only for its folder', () => {
  const folders = createMemoryFolders();
  folders.append('/q', 'seg-1.log', bytes('x'));
  folders.append('/q', 'seg-1.log', bytes('y'));
  folders.write('/q', 'counters.json', bytes('{}'));
  folders.remove('/q', 'seg-0.log');
  folders.write('/other', 'state', bytes('s'));
  assert.deepEqual(folders.takeChanged('/q').sort(), ['counters.json', 'seg-0.log', 'seg-1.log']);
  assert.deepEqual(folders.takeChanged('/q'), []);
  folders.append('/q', 'seg-1.log', bytes('z'));
  assert.deepEqual(folders.takeChanged('/q'), ['seg-1.log']);
  assert.deepEqual(folders.takeChanged('/other'), ['state']);
});

test('files loaded from storage are readable and appendable but are not changes', () => {
  const folders = createMemoryFolders();
  folders.fill('/q', [{ name: 'seg-1.log', contents: bytes('stored') }, { name: 'state', contents: bytes('s') }]);
  assert.deepEqual(folders.list('/q').sort(), ['seg-1.log', 'state']);
  assert.deepEqual(folders.takeChanged('/q'), []);
  folders.append('/q', 'seg-1.log', bytes('+new'));
  assert.equal(text(folders.contents('/q', 'seg-1.log')), 'stored+new');
  assert.deepEqual(folders.takeChanged('/q'), ['seg-1.log']);
});
