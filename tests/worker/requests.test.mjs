// The core's requests in flight (worker/requests.js) with a stand-in sender
// and core: the core hears the status first and the outcome after, flush
// sees each request until it settled, and failures become problems.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createRequests } from '../../worker/requests.js';

const request = {
  id: 5,
  body: 'b',
  eventCount: 1,
  publicOnly: false,
  keepalive: false,
  refreshCredentials: false,
  subStatus: '',
};
const outcome = { kind: 0, status: 200, body: '<ok/>', retryAfter: '', date: '' };

function setUp({ answered = () => {} } = {}) {
  const seen = { steps: [], problems: [] };
  let finish;
  const requests = createRequests({
    send: (sent, onAnswered) => {
      seen.steps.push(['send', sent.id]);
      return new Promise((resolve) => (finish = () => (onAnswered(200), resolve(outcome))));
    },
    core: () => ({ answered: (id, status, now) => (seen.steps.push(['answered', id, status, now]), answered()) }),
    tellOutcome: (told, result) => seen.steps.push(['outcome', told.id, result.status]),
    afterCoreCall: (urgent = false) => seen.steps.push(['after', urgent]),
    reportProblem: (message) => seen.problems.push(message),
    clock: () => 1000,
  });
  return { requests, seen, finish: () => finish() };
}

test('the core hears the status, then the outcome, which is stored at once; flush sees the request until then', async () => {
  const { requests, seen, finish } = setUp();
  requests.send(request);
  assert.equal(requests.inFlight().length, 1);
  finish();
  await Promise.all(requests.inFlight());
  assert.deepEqual(seen.steps, [
    ['send', 5],
    ['answered', 5, 200, 1000],
    ['after', false],
    ['outcome', 5, 200],
    ['after', true],
  ]);
  assert.equal(requests.inFlight().length, 0);
});

test('a failure while the core takes the status is a problem, and the outcome still reaches it', async () => {
  const { requests, seen, finish } = setUp({
    answered: () => {
      throw new Error('trap');
    },
  });
  requests.send(request);
  finish();
  await Promise.all(requests.inFlight());
  assert.deepEqual(seen.problems, ['[tep.worker.send] trap']);
  assert.deepEqual(seen.steps.at(-2), ['outcome', 5, 200]);
});

test("a request whose answer comes from elsewhere (the page's leaving batch) is in flight until it settles; a failure is a problem", async () => {
  const { requests, seen } = setUp();
  let fail;
  requests.track(9, new Promise((_, reject) => (fail = reject)));
  assert.equal(requests.inFlight().length, 1);
  fail(new Error('lost'));
  await Promise.all(requests.inFlight());
  assert.deepEqual(seen.problems, ['[tep.worker.send] Error: lost']);
  assert.equal(requests.inFlight().length, 0);
});

test('an outcome applied from elsewhere is told to the core and stored at once', () => {
  const { requests, seen } = setUp();
  requests.applyOutcome({ id: 3 }, outcome);
  assert.deepEqual(seen.steps, [
    ['outcome', 3, 200],
    ['after', true],
  ]);
});
