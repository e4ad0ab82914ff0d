// The outage shared between the tabs of an origin: announcements reach the
// other tabs, and a tab that joins during an outage hears of it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { outageChannel } from '../../worker/outage-channel.js';
import { storePathOf } from '../../worker/store-names.js';

// BroadcastChannel delivers in a later task.
const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

function tab(id) {
  const heard = [];
  const state = { outage: false };
  const channel = outageChannel(storePathOf(id), {
    onRemoteChange: (change) => {
      heard.push(change);
      state.outage = change;
    },
    inOutage: () => state.outage,
  });
  return { heard, state, channel };
}

test("one tab's announcements reach the others, never itself", async (t) => {
  const a = tab('a');
  const b = tab('b');
  t.after(() => [a, b].forEach(({ channel }) => channel.close()));
  a.channel.publish(true);
  await settled();
  a.channel.publish(false);
  await settled();
  assert.deepEqual(b.heard, [true, false]);
  assert.deepEqual(a.heard, []);
});

test('a tab that joins during an outage is told of it by the tab in it', async (t) => {
  const failing = tab('failing');
  await settled();
  failing.state.outage = true;
  const joining = tab('joining');
  t.after(() => [failing, joining].forEach(({ channel }) => channel.close()));
  await settled();
  assert.deepEqual(joining.heard, [true]);
});

test('a tab that joins when no tab is in an outage hears nothing', async (t) => {
  const a = tab('a');
  await settled();
  const joining = tab('joining');
  t.after(() => [a, joining].forEach(({ channel }) => channel.close()));
  await settled();
  assert.deepEqual(joining.heard, []);
  assert.deepEqual(a.heard, [], 'a question is not an announcement');
});

test('messages of another shape are ignored and counted', async (t) => {
  const a = tab('a');
  const stranger = new BroadcastChannel('tep-outage');
  t.after(() => {
    a.channel.close();
    stranger.close();
  });
  for (const data of [{ outage: 'yes', from: storePathOf('x') }, { outage: true }, 'text', { asking: 1, from: '/x' }])
    stranger.postMessage(data);
  await settled();
  assert.deepEqual(a.heard, []);
  assert.equal(a.channel.rejected(), 4);
});
