// No credential leaves the consumer: every answer and the data file carry a
// fingerprint of the token, which still tells which token was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenFingerprint } from '../../demo/consumer/redaction.mjs';
import { consumerPerTest, entry, formBody, postBatch, postControl } from './running-consumer.mjs';

const testConsumer = consumerPerTest();

// A token with characters that form encoding changes, so every spelling of it is looked for.
const freshToken = () => `sécret/${randomUUID()}+token=`;
const spellings = (token) => [
  token,
  encodeURIComponent(token),
  new URLSearchParams({ t: token }).toString().slice(2),
  JSON.stringify(token).slice(1, -1),
];

// The event headers the producer sends: the token under `authorization`, as @tidal-music/event-producer does.
const signedHeaders = (token) => JSON.stringify({ 'client-id': 'c', authorization: token, 'app-name': 'test' });

async function everythingShown(url) {
  const paths = [
    '/consumer/stats',
    '/consumer/events?after=0&limit=1000',
    '/consumer/requests?limit=200',
    '/consumer/nothing-here',
  ];
  const answers = await Promise.all(
    paths.map(async (path) => {
      const res = await fetch(url + path);
      return `${path} ${JSON.stringify([...res.headers])} ${await res.text()}`;
    }),
  );
  return answers.join('\n');
}

test('no answer of the consumer contains the bearer token, in any spelling', async () => {
  await testConsumer.inProcess();
  const { url } = testConsumer.running;
  const token = freshToken();
  const answers = [];
  const keep = async (res) => answers.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
  await keep(await postBatch(url, [entry('signed', 'play', undefined, signedHeaders(token))], { token }));
  await keep(
    await postBatch(url, [entry('capitalised', 'play', undefined, JSON.stringify({ Authorization: token }))], {
      token,
    }),
  );
  await keep(
    await postBatch(url, [entry('public', 'play', undefined, signedHeaders(token))], {
      token,
      path: '/api/public/event-batch',
    }),
  );
  await keep(await postBatch(url, [entry('unreadable', 'play', undefined, `{"authorization":"${token}"`)], { token }));
  await keep(
    await postBatch(url, [entry('twice'), entry('twice', 'play', undefined, signedHeaders(token))], { token }),
  );
  await postControl(url, { mode: 'error', status: 500, count: 1 });
  await keep(await postBatch(url, [entry('refused', 'play', undefined, signedHeaders(token))], { token }));
  const shown = `${answers.join('\n')}\n${await everythingShown(url)}`;
  for (const spelling of spellings(token))
    assert.equal(shown.includes(spelling), false, `the token appears as ${spelling}`);
  assert.equal(shown.includes(tokenFingerprint(token)), true, 'the fingerprint is shown in its place');
});

test('the fingerprint of the token given to the producer identifies the stored event and the request that carried it', async () => {
  await testConsumer.inProcess();
  const { url } = testConsumer.running;
  const token = freshToken();
  const body = formBody([entry('identified', 'play', undefined, signedHeaders(token))]);
  await postBatch(url, body, { token });
  const [event] = (await (await fetch(`${url}/consumer/events`)).json()).events;
  assert.equal(event.authenticated, true);
  assert.deepEqual(event.headers, { 'client-id': 'c', authorization: tokenFingerprint(token), 'app-name': 'test' });
  assert.notEqual(tokenFingerprint(token), tokenFingerprint(freshToken()), 'two tokens have two fingerprints');
  const [request] = (await (await fetch(`${url}/consumer/requests`)).json()).requests;
  assert.equal(request.authorization, `Bearer ${tokenFingerprint(token)}`);
  const shownHeaders = new URLSearchParams(request.body).get(
    'SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue',
  );
  assert.deepEqual(JSON.parse(shownHeaders), event.headers);
  assert.equal(request.body.split('&').length, body.split('&').length, 'every other field is kept');
});

test('a request without a token is shown without one', async () => {
  await testConsumer.inProcess();
  await postBatch(testConsumer.running.url, [entry('anonymous')], { path: '/api/public/event-batch' });
  const [request] = (await (await fetch(`${testConsumer.running.url}/consumer/requests`)).json()).requests;
  assert.equal(request.authorization, null);
  const [event] = (await (await fetch(`${testConsumer.running.url}/consumer/events`)).json()).events;
  assert.equal(event.headers.authorization, undefined);
});

test('the data file holds fingerprints, not tokens', async () => {
  await testConsumer.inProcess();
  const token = freshToken();
  await postBatch(testConsumer.running.url, [entry('on-disk', 'play', undefined, signedHeaders(token))], { token });
  const file = readFileSync(join(testConsumer.dataDir, 'events.jsonl'), 'utf8');
  for (const spelling of spellings(token)) assert.equal(file.includes(spelling), false, spelling);
  assert.equal(file.includes(tokenFingerprint(token)), true);
});

test('events stored with their token by an earlier consumer are shown redacted after a restart', async () => {
  const token = freshToken();
  const stored = {
    id: 'old',
    name: 'play',
    body: '{}',
    headers: { authorization: token },
    authenticated: true,
    endpoint: 'authenticated',
    receivedAt: 0,
  };
  writeFileSync(join(testConsumer.dataDir, 'events.jsonl'), `${JSON.stringify(stored)}\n`);
  await testConsumer.inProcess();
  const shown = await everythingShown(testConsumer.running.url);
  for (const spelling of spellings(token)) assert.equal(shown.includes(spelling), false, spelling);
  const [event] = (await (await fetch(`${testConsumer.running.url}/consumer/events`)).json()).events;
  assert.equal(event.headers.authorization, tokenFingerprint(token));
});

test('a fingerprint already stored is kept, not fingerprinted again', async () => {
  await testConsumer.inProcess();
  const token = freshToken();
  await postBatch(testConsumer.running.url, [entry('kept-fingerprint', 'play', undefined, signedHeaders(token))], {
    token,
  });
  await testConsumer.running.stop();
  await testConsumer.inProcess();
  const [event] = (await (await fetch(`${testConsumer.running.url}/consumer/events`)).json()).events;
  assert.equal(event.headers.authorization, tokenFingerprint(token));
});

test('an event whose name mentions authorization is shown by its name', async () => {
  await testConsumer.inProcess();
  const body = formBody([entry('named', 'authorization_failed')]);
  await postBatch(testConsumer.running.url, body, { token: freshToken() });
  const [request] = (await (await fetch(`${testConsumer.running.url}/consumer/requests`)).json()).requests;
  assert.equal(request.body, body);
});
