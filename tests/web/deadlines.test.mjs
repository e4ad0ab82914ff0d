// The time limits that depend on each other keep their order: each wait
// outlasts the work it waits for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEADLINES as d } from '../../web/deadlines.js';

test("the worker waits for the page's answer to the leaving batch longer than that request may take", () => {
  assert.ok(d.leavingAnswerMs > d.collectorRequestMs);
});

test('a flush can see a credentials refresh and its request through within its budget', () => {
  assert.ok(d.flushBudgetMs >= d.credentialsAfterRefusalMs + d.collectorRequestMs);
  assert.ok(d.flushBudgetMs >= d.leavingAnswerMs, 'a flush may wait on the leaving batch the page sent');
});

test("the page's waits outlast the worker's work: flush's budget, init's provider, a hand-over's provider", () => {
  assert.ok(d.flushReplyMs >= 1.5 * d.flushBudgetMs, "flush's reply comes after its budget and the store's write");
  assert.ok(d.initMs > d.credentialsAtInitMs, 'init waits for the provider and then for the worker');
  assert.ok(d.initReplyMs > d.initMs, "init's own time limit ends first: the app hears tep.init.timeout");
  assert.ok(d.replyMs > d.credentialsPerHandOverMs);
  assert.ok(d.pageHiddenReplyMs >= d.flushReplyMs, 'pageHidden waits for the same durable write as flush');
});

test('without Web Locks, a ping goes again before a silent worker is given up', () => {
  assert.ok(d.replyMs >= d.pingIntervalMs);
});
