// The worker's one timer, with fake timers and a fake clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWakeTimer, LONGEST_TIMEOUT_MS } from '../../worker/wake-timer.js';

function setUp(t, wakes) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const woken = [];
  let next = wakes;
  const timer = createWakeTimer({ nextWake: () => next, onWake: (now) => woken.push(now) });
  return { timer, woken, setNext: (wake) => (next = wake) };
}

test('wakes once at the time the core asked for', (t) => {
  const { timer, woken } = setUp(t, 100);
  timer.arm();
  t.mock.timers.tick(99);
  assert.deepEqual(woken, []);
  t.mock.timers.tick(1);
  assert.deepEqual(woken, [100]);
  t.mock.timers.tick(1000);
  assert.equal(woken.length, 1);
});

test('arming again for the same time keeps the timer; for another time moves it', (t) => {
  const { timer, woken, setNext } = setUp(t, 100);
  timer.arm();
  t.mock.timers.tick(50);
  timer.arm();
  t.mock.timers.tick(50);
  assert.deepEqual(woken, [100]);
  setNext(300);
  timer.arm();
  setNext(200);
  timer.arm();
  t.mock.timers.tick(100);
  assert.deepEqual(woken, [100, 200]);
  t.mock.timers.tick(200);
  assert.deepEqual(woken, [100, 200], 'the earlier timer was replaced, not added');
});

test('no wake-up wanted clears the timer', (t) => {
  const { timer, woken, setNext } = setUp(t, 100);
  timer.arm();
  setNext(-1);
  timer.arm();
  t.mock.timers.tick(1000);
  assert.deepEqual(woken, []);
});

test("a wake-up beyond setTimeout's limit waits in steps instead of firing at once", (t) => {
  const far = LONGEST_TIMEOUT_MS + 5000;
  const { timer, woken } = setUp(t, far);
  timer.arm();
  t.mock.timers.tick(0);
  assert.deepEqual(woken, [], 'not fired at once');
  t.mock.timers.tick(LONGEST_TIMEOUT_MS);
  assert.deepEqual(woken, []);
  t.mock.timers.tick(5000);
  assert.deepEqual(woken, [far]);
});
