// The tab's store id survives a reload in sessionStorage; storage that is
// missing or throws means a new store each load, never an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rememberedStoreId, rememberStoreId } from '../../web/store-id.js';

test('an id remembered is the one found after a reload', () => {
  const items = new Map();
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v) };
  assert.equal(rememberedStoreId(storage), undefined);
  rememberStoreId('abc', storage);
  assert.equal(rememberedStoreId(storage), 'abc');
});

test('blocked or missing storage: no id, and no error', () => {
  const blocked = {
    getItem() {
      throw new Error('SecurityError');
    },
    setItem() {
      throw new Error('SecurityError');
    },
  };
  assert.equal(rememberedStoreId(blocked), undefined);
  rememberStoreId('abc', blocked);
  assert.equal(rememberedStoreId(null), undefined);
  rememberStoreId('abc', null);
});
