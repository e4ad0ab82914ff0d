// init's steps in getStats(): the worker's, on its own clock, and the
// page's, all counted from when the page created the worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sincePageCreatedWorker } from '../../web/init-timings.js';

test("the worker's steps and the page's are counted from the worker's creation, to 0.1 ms", () => {
  const marks = { workerCreatedAt: 1000, initCalledAt: 1050.04, initAnsweredAt: 1200 };
  const timings = sincePageCreatedWorker(marks, { timeOrigin: 1010, scriptEvaluated: 5.56, replied: 150 });
  assert.deepEqual(timings, {
    workerStarted: 10,
    scriptEvaluated: 15.6,
    replied: 160,
    initCalled: 50,
    initAnswered: 200,
  });
});
