// A credentials provider's answers as the worker takes them: numbers as
// strings, absent fields as null, and what can't be a credential refused
// with a stable id, told once until the provider answers usable ones again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { askProvider, checkCredentials, createCredentialsCheck } from '../../web/credentials.js';

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

test('a refusal is told once, and kept until a usable answer', () => {
  const told = [];
  const check = createCredentialsCheck({ onRefused: (problem) => told.push(problem) });
  assert.equal(check.read({ clientId: {} }), undefined);
  assert.equal(check.read({ clientId: {} }), undefined);
  assert.equal(told.length, 1);
  assert.equal(check.problem(), told[0]);
  assert.deepEqual(check.read({ clientId: 'c', token: null }), { clientId: 'c', token: null });
  assert.equal(check.problem(), null);
});

test('a provider that throws synchronously rejects like one that fails later', async () => {
  const provider = {
    getCredentials() {
      throw new Error('no user yet');
    },
  };
  await assert.rejects(askProvider(provider), { message: 'no user yet' });
});
