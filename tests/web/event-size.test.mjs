// The page's check of the event size limit: it refuses only events the core
// would surely refuse, and reads nothing more than their length to tell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSurelyTooLarge, MAX_EVENT_BYTES } from '../../web/event-size.js';

const judged = (event) => isSurelyTooLarge(event, JSON.stringify(event));

test('an event of megabytes is surely too large', () => {
  assert.equal(judged({ name: 'huge', consentCategory: 'NECESSARY', payload: 'x'.repeat(8 << 20) }), true);
});

test('an event under the limit is not, nor one whose length over it comes from its consent category', () => {
  assert.equal(judged({ name: 'small', consentCategory: 'NECESSARY', payload: { n: 1 } }), false);
  // The body leaves the category out: the rest is under the limit.
  const category = 'C'.repeat(200);
  const event = { name: 'n', consentCategory: category, payload: 'x'.repeat(MAX_EVENT_BYTES - 100) };
  assert.ok(JSON.stringify(event).length >= MAX_EVENT_BYTES);
  assert.equal(judged(event), false);
});

test('the first length the body alone reaches the limit with is surely too large', () => {
  const event = { name: 'n', consentCategory: 'NECESSARY', payload: '' };
  const rest = JSON.stringify({ name: 'n', payload: '' }).length;
  event.payload = 'x'.repeat(MAX_EVENT_BYTES - rest);
  assert.equal(judged(event), true);
  event.payload = event.payload.slice(1);
  assert.equal(judged(event), false);
});

test('an event whose category getter throws is left to the core', () => {
  let reads = 0;
  const event = {
    name: 'n',
    payload: 'x'.repeat(MAX_EVENT_BYTES * 2),
    get consentCategory() {
      if (reads++ > 0) throw new Error('read once');
      return 'NECESSARY';
    },
  };
  assert.equal(judged(event), false);
});
