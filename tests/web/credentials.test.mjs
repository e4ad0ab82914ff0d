// A credentials provider's answers as the worker takes them: numbers as
// strings, absent fields as null, and what can't be a credential refused
// with a stable id, told once until the provider answers usable ones again.
// The page's one asker of the provider never waits longer than its caller
// allows (fake timers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCredentials, createCredentials } from '../../web/credentials.js';

test('strings pass, numbers become strings, absent fields are null', () => {
  assert.deepEqual(checkCredentials({ clientId: 'c', token: 't' }), { credentials: { clientId: 'c', token: 't' } });
  assert.deepEqual(checkCredentials({ clientId: 12345, token: 678 }), {
    credentials: { clientId: '12345', token: '678' },
  });
  assert.deepEqual(checkCredentials({ clientId: 'c' }), { credentials: { clientId: 'c', token: null } });
  assert.deepEqual(checkCredentials(undefined), { credentials: null });
});

test('what cannot be a credential is refused with a stable id', () => {
  assert.deepEqual(checkCredentials({ clientId: 'c', token: { jwt: 'x' } }), {
    problem:
      "[tep.credentials.invalid] the credentials provider's token is an object, not a string or a number: its answer is not used",
  });
  assert.deepEqual(checkCredentials({ clientId: true }), {
    problem:
      "[tep.credentials.invalid] the credentials provider's clientId is a boolean, not a string or a number: its answer is not used",
  });
  assert.deepEqual(checkCredentials({ clientId: NaN }), {
    problem:
      "[tep.credentials.invalid] the credentials provider's clientId is NaN, not a string or a number: its answer is not used",
  });
  assert.deepEqual(checkCredentials('token'), {
    problem:
      "[tep.credentials.invalid] the credentials provider's answer is a string, not an object: its answer is not used",
  });
  const throwing = {
    get clientId() {
      throw new Error('revoked');
    },
  };
  assert.deepEqual(checkCredentials(throwing), {
    problem:
      "[tep.credentials.invalid] the credentials provider's answer threw when read (revoked): its answer is not used",
  });
});

/** The page's asker over `provider` (a getter's value), with what it told the bus. */
function setUp(provider) {
  const told = [];
  let current = provider;
  const credentials = createCredentials({ provider: () => current, onRefused: (problem) => told.push(problem) });
  return { credentials, told, replace: (next) => (current = next) };
}

test('a refusal is told once, and kept until a usable answer', async () => {
  let answer = { clientId: {} };
  const { credentials, told } = setUp({ getCredentials: async () => answer });
  const refused = await credentials.ask({ timeoutMs: 1000 });
  assert.equal(refused.credentials, undefined);
  assert.equal(refused.error, told[0]);
  await credentials.ask({ timeoutMs: 1000 });
  assert.equal(told.length, 1);
  assert.equal(credentials.problem(), told[0]);
  answer = { clientId: 'c', token: null };
  assert.deepEqual(await credentials.ask({ timeoutMs: 1000 }), { credentials: { clientId: 'c', token: null } });
  assert.equal(credentials.problem(), null);
});

test('a provider that throws synchronously fails like one that rejects', async () => {
  for (const getCredentials of [
    () => {
      throw new Error('no user yet');
    },
    async () => {
      throw new Error('no user yet');
    },
  ]) {
    const { credentials } = setUp({ getCredentials });
    assert.deepEqual(await credentials.ask({ timeoutMs: 1000 }), { credentials: undefined, error: 'no user yet' });
  }
});

test('without a provider the answer is the logged-out form at once', async () => {
  const { credentials, replace } = setUp(undefined);
  assert.equal(credentials.hasProvider(), false);
  assert.deepEqual(await credentials.ask({ timeoutMs: 1000 }), { credentials: null });
  replace({ getCredentials: async () => ({ clientId: 'c' }) });
  assert.equal(credentials.hasProvider(), true, 'the provider in force is asked, not the first one');
});

test('a provider slower than the time allowed is given up on at that time, and its late answer changes nothing', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let answer;
  const { credentials, told } = setUp({ getCredentials: () => new Promise((resolve) => (answer = resolve)) });
  let settled;
  credentials.ask({ timeoutMs: 5000 }).then((got) => (settled = got));
  t.mock.timers.tick(4999);
  await Promise.resolve();
  assert.equal(settled, undefined);
  t.mock.timers.tick(1);
  await Promise.resolve();
  assert.deepEqual(settled, {
    credentials: undefined,
    error: 'the credentials provider did not answer within 5000 ms',
    timedOut: true,
  });
  answer({ clientId: {} });
  await Promise.resolve();
  assert.equal(settled.timedOut, true);
  assert.equal(told.length, 1, 'a late answer is still read: its refusal is told');
});

test('the collector sub-status after a 401 reaches the provider', async () => {
  const asked = [];
  const { credentials } = setUp({ getCredentials: async (...args) => (asked.push(args), { clientId: 'c' }) });
  await credentials.ask({ timeoutMs: 1000 });
  await credentials.ask({ timeoutMs: 1000, subStatus: '11003' });
  assert.deepEqual(asked, [[], ['11003']]);
});
