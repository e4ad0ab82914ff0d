// What a JetStream stream holds, read by the tests over a connection of their
// own (not through the consumer under test): every message's sequence, its
// message id (Nats-Msg-Id) and the event it carries.
import { connect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';

// The messages are on the server: only a dead connection makes a read wait this long.
const READ_TIMEOUT_MS = 10000;

/** Resolves to [{ seq, msgId, event }] in stream order. */
export async function streamContents(servers, stream) {
  const nc = await connect({ servers });
  try {
    const { state } = await (await jetstreamManager(nc)).streams.info(stream);
    const messages = [];
    if (state.messages === 0) return messages;
    const reader = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const fetched = await reader.fetch({ max_messages: state.messages, expires: READ_TIMEOUT_MS });
    for await (const message of fetched) {
      messages.push({ seq: message.seq, msgId: message.headers?.get('Nats-Msg-Id'), event: message.json() });
      if (message.seq >= state.last_seq) break;
    }
    return messages;
  } finally {
    await nc.close();
  }
}

/** Creates `stream` (subjects <stream>.>) with extra settings, as an operator would before any consumer starts. */
export async function createStream(servers, stream, settings = {}) {
  const nc = await connect({ servers });
  try {
    await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`${stream}.>`], ...settings });
  } finally {
    await nc.close();
  }
}
