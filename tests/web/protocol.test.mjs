// The protocol is defined once: docs/protocol.md's tables name exactly the
// actions, notices and fields of web/protocol.js, and the shape checks
// accept every message built with those fields and refuse others.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Action, Notice, NOTICE_FIELDS, REQUEST_FIELDS, noticeProblem, requestProblem } from '../../web/protocol.js';

const documented = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const section = documented.slice(documented.indexOf('## Page ⇄ worker protocol'), documented.indexOf('## Wire format'));

/** The rows of the table whose header starts with `firstHeader`: name → backticked names in the fields column. */
function tableRows(firstHeader) {
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${firstHeader} `));
  const rows = new Map();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [, name, fields] = line.split('|').map((cell) => cell.trim());
    // Top-level fields only: a parenthesis describes a field's own contents.
    const topLevel = fields.replace(/\([^)]*\)/g, '');
    rows.set(
      name.replaceAll('`', ''),
      [...topLevel.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]),
    );
  }
  return rows;
}

test("docs/protocol.md's action table lists every action with exactly its fields", () => {
  const rows = tableRows('action');
  assert.deepEqual([...rows.keys()].sort(), Object.values(Action).sort());
  for (const [action, fields] of Object.entries(REQUEST_FIELDS)) assert.deepEqual(rows.get(action), fields, action);
});

test("docs/protocol.md's notice table lists every notice with exactly its fields", () => {
  const rows = tableRows('notice (worker → page)');
  assert.deepEqual([...rows.keys()].sort(), Object.values(Notice).sort());
  for (const [notice, fields] of Object.entries(NOTICE_FIELDS)) assert.deepEqual(rows.get(notice), fields, notice);
});

test('REQUEST_FIELDS names an entry for each action, NOTICE_FIELDS for each notice', () => {
  assert.deepEqual(Object.keys(REQUEST_FIELDS).sort(), Object.values(Action).sort());
  assert.deepEqual(Object.keys(NOTICE_FIELDS).sort(), Object.values(Notice).sort());
});

const siteConsent = {
  seq: 3,
  writer: 'w',
  blocked: { PERFORMANCE: false, TARGETING: true },
  purgedBefore: { PERFORMANCE: null, TARGETING: Infinity },
};

test('well-formed requests pass the check; unknown actions and wrong fields do not', () => {
  const good = [
    { action: 'prepare', storeId: 'abc' },
    {
      id: 1,
      action: 'init',
      config: { core: {}, tlConsumerUri: 'u', tlPublicConsumerUri: 'p' },
      credentials: null,
      consent: siteConsent,
      aliveLock: 'l',
    },
    {
      action: 'events',
      seq: 3,
      events: ['{}'],
      unserialisable: [{ name: 'n', problem: 'p', reason: 'consent', count: 2 }],
    },
    { id: 2, action: 'consent', consent: siteConsent },
    { action: 'events', events: ['{}'], blocked: { PERFORMANCE: false, TARGETING: true } },
    { action: 'credentials', requestId: 1, credentials: { clientId: 'c', token: null } },
    { id: 3, action: 'online', online: false },
    { id: 4, action: 'ping' },
  ];
  for (const message of good) assert.equal(requestProblem(message), null, JSON.stringify(message));
  assert.match(requestProblem({ action: 'format-disk' }), /unknown action/);
  assert.match(requestProblem({ action: 'events', events: [1] }), /malformed/);
  assert.match(requestProblem({ action: 'events', seq: -1, events: [] }), /malformed/);
  assert.match(requestProblem({ id: 1, action: 'online', online: 'yes' }), /malformed/);
  // A consent with a category left undecided is no consent the worker can apply.
  const undecided = { ...siteConsent, blocked: { PERFORMANCE: null, TARGETING: true } };
  assert.match(requestProblem({ id: 5, action: 'consent', consent: undecided }), /malformed/);
});

test('well-formed notices pass the check; others do not', () => {
  for (const message of [
    { type: 'reply', id: 1, result: {} },
    { type: 'bus', outage: true, reason: 'storage' },
    { type: 'accepted', seq: 9 },
    { type: 'credentials-request', requestId: 2, subStatus: '11003' },
  ]) {
    assert.equal(noticeProblem(message), null, JSON.stringify(message));
  }
  assert.match(noticeProblem({ type: 'bus', outage: 'yes' }), /malformed/);
  assert.match(noticeProblem({ type: 'accepted' }), /malformed/);
  assert.match(noticeProblem({ type: 'elsewhere' }), /unknown notice/);
});
