// The JetStream sink: each accepted event is a message of one NATS JetStream
// stream, published with its entry Id as its message id (Nats-Msg-Id), so the
// stream's duplicate window stores a re-sent event once. A confirmation means
// the stream's leader, and with replicas a majority of its nodes, acknowledged
// the message. The process keeps nothing that must survive it: counts and
// events are read back from the stream, so any number of consumer processes
// can publish to one stream side by side.
//
// Subjects: <stream>.<authenticated|anonymous>.<event name>, so the stream's
// own per-subject counts give the counts by name without reading the events.
import { connect } from '@nats-io/transport-node';
import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { SinkUnavailableError } from './event-sink.mjs';

/** The stream, its duplicate window and its replicas, unless told otherwise. */
export const JETSTREAM_DEFAULTS = {
  stream: 'tep-events',
  // The window in which a re-sent event is stored once. A producer sends an
  // event again when the answer to its batch was lost: after its 10 s request
  // timeout and its backoff, which grows to maxBackoffMs (60 s by default)
  // while the collector keeps failing, or after a Retry-After (the producer
  // caps those at 10 min). Ten minutes covers a lost answer followed by a
  // few minutes of outage; JetStream keeps every id of the window in memory
  // (some 100 B each), about 60 MB at a steady 1,000 events/s.
  duplicateWindowMs: 10 * 60 * 1000,
  // One copy: the demo's single node. A cluster of three takes --replicas 3.
  replicas: 1,
};

// How long one publish waits for JetStream's acknowledgement: well inside
// the producer's 10 s request timeout, so the producer hears a 503 rather
// than giving up on its own; long enough for a cluster to elect a new stream
// leader after a node died (a few seconds).
const PUBLISH_TIMEOUT_MS = 5000;
// Between two attempts to reach the servers while none answers: the consumer
// answers 503 meanwhile, so a short wait costs nothing.
const RECONNECT_WAIT_MS = 500;
// How long the walk of /consumer/events waits for messages the stream
// reported holding: they are on the server, so only a lost connection takes long.
const READ_TIMEOUT_MS = 5000;
// An event name becomes one subject token, percent-encoded; names whose
// token would be longer are cut and end in "…", so a subject stays far below
// NATS's 4 KiB control line whatever the producer sends.
const LONGEST_NAME_TOKEN = 200;
const ELLIPSIS_TOKEN = '%E2%80%A6';

const NANOSECONDS_PER_MS = 1_000_000;

/** The subject token for an event name: [A-Za-z0-9_-] as is, every other byte as %XX. */
export function subjectTokenOf(name) {
  const encode = (text) =>
    [...Buffer.from(text, 'utf8')]
      .map((byte) =>
        /[A-Za-z0-9_-]/.test(String.fromCharCode(byte))
          ? String.fromCharCode(byte)
          : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('');
  const whole = encode(name);
  if (whole.length <= LONGEST_NAME_TOKEN) return whole;
  let cut = '';
  for (const character of name) {
    const longer = cut + encode(character);
    if (longer.length + ELLIPSIS_TOKEN.length > LONGEST_NAME_TOKEN) break;
    cut = longer;
  }
  return cut + ELLIPSIS_TOKEN;
}

/** The event name a subject token stands for. */
export function nameOfSubjectToken(token) {
  return decodeURIComponent(token);
}

/** What the producer hears of one publish that failed. */
function failedOutcome(id, error) {
  if (error instanceof JetStreamApiError) {
    const { code, err_code: errCode, description } = error.apiError();
    // 503: the stream can't store it now (no leader or quorum, or full with
    // discard: new): ask again later.
    if (code === 503) return { id, outcome: 'unavailable', message: description };
    // 400: this message can't be stored, however often it comes (too large
    // for the stream, say): the producer drops it. Any other refusal is the
    // stream's, not the event's: the producer keeps it and tries again.
    return { id, outcome: 'refused', senderFault: code === 400, code: `JetStream.${errCode}`, message: description };
  }
  // No answer in time, no responders, or no connection: nothing is known.
  return { id, outcome: 'unavailable', message: error?.message ?? String(error) };
}

/**
 * A sink (event-sink.mjs) publishing to `stream` on the NATS servers
 * `servers` (nats://host:port URLs of one cluster). The stream is created with
 * `duplicateWindowMs` and `replicas` if it does not exist; an existing one is
 * used as it is. Until the servers answer and the stream is there, the sink
 * is unavailable (the consumer answers 503); it keeps trying to reach them.
 */
export function createJetStreamSink({
  servers,
  stream = JETSTREAM_DEFAULTS.stream,
  duplicateWindowMs = JETSTREAM_DEFAULTS.duplicateWindowMs,
  replicas = JETSTREAM_DEFAULTS.replicas,
  log = () => {},
}) {
  let connection = null;
  let manager = null;
  let client = null;
  let connected = false; // as the client's status last said
  let streamReady = false;
  let closed = false;
  let lastProblem = 'not connected yet';

  async function ensureStream() {
    try {
      await manager.streams.info(stream);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      await manager.streams.add({
        name: stream,
        subjects: [`${stream}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        num_replicas: replicas,
        duplicate_window: duplicateWindowMs * NANOSECONDS_PER_MS,
      });
      log(`consumer: created JetStream stream ${stream} (${replicas} replica(s))`);
    }
  }

  async function watchStatus(nc) {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        lastProblem = `lost the connection to ${status.server ?? 'the NATS server'}`;
        log(`consumer: ${lastProblem}`);
      } else if (status.type === 'reconnect') {
        connected = true;
        log(`consumer: connected again to ${status.server ?? 'NATS'}`);
      }
    }
  }

  // Notes what keeps the sink unavailable; the log has each new reason once.
  function unavailableBecause(problem) {
    if (problem !== lastProblem) log(`consumer: ${problem}; trying again`);
    lastProblem = problem;
  }
  const pause = () => new Promise((resolve) => setTimeout(resolve, RECONNECT_WAIT_MS));

  // Reaches the servers, then JetStream and the stream, trying again until it can or close() is called.
  async function reach() {
    while (!closed && !connection) {
      try {
        const nc = await connect({
          servers,
          name: 'tep-consumer',
          maxReconnectAttempts: -1, // a consumer outlives any outage of the servers
          reconnectTimeWait: RECONNECT_WAIT_MS,
        });
        if (closed) return await nc.close();
        connection = nc;
        connected = true;
        watchStatus(nc).catch(() => {});
      } catch (error) {
        unavailableBecause(`no NATS server answers at ${servers.join(', ')} (${error.message})`);
        await pause();
      }
    }
    // From here the client reconnects by itself; JetStream may still be
    // getting ready (a new cluster elects its leaders), or not enabled.
    while (!closed && !streamReady) {
      try {
        manager ??= await jetstreamManager(connection);
        await ensureStream();
        client = jetstream(connection, { timeout: PUBLISH_TIMEOUT_MS });
        streamReady = true;
        log(`consumer: publishing to JetStream stream ${stream} at ${servers.join(', ')}`);
      } catch (error) {
        unavailableBecause(`JetStream stream ${stream}: ${error.message}`);
        await pause();
      }
    }
  }
  const reached = reach();

  function available() {
    if (!connected || !streamReady || connection.isClosed()) throw new SinkUnavailableError(lastProblem);
  }

  const subjectOf = (event) =>
    `${stream}.${event.authenticated ? 'authenticated' : 'anonymous'}.${subjectTokenOf(event.name)}`;

  return {
    description: { kind: 'jetstream', stream, servers: [...servers] },

    async storeAll(events) {
      try {
        available();
      } catch (error) {
        return events.map((event) => ({ id: event.id, outcome: 'unavailable', message: error.message }));
      }
      // All at once: JetStream acknowledges each, in any order; the answer waits for every one.
      const results = await Promise.allSettled(
        events.map((event) => client.publish(subjectOf(event), JSON.stringify(event), { msgID: event.id })),
      );
      return results.map((result, i) =>
        result.status === 'fulfilled'
          ? { id: events[i].id, outcome: result.value.duplicate ? 'duplicate' : 'stored' }
          : failedOutcome(events[i].id, result.reason),
      );
    },

    async counts() {
      available();
      let info;
      try {
        info = await manager.streams.info(stream, { subjects_filter: `${stream}.>` });
      } catch (error) {
        throw new SinkUnavailableError(`stream ${stream}: ${error.message}`, { cause: error });
      }
      const byName = {};
      let authenticated = 0;
      for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
        const [, kind, token] = subject.split('.');
        const name = nameOfSubjectToken(token);
        byName[name] = (byName[name] ?? 0) + count;
        if (kind === 'authenticated') authenticated += count;
      }
      return { accepted: info.state.messages, byName, authenticated, end: info.state.last_seq };
    },

    // `after` is a stream sequence: the events from after + 1 on.
    async page(after, limit) {
      available();
      try {
        const { state } = await manager.streams.info(stream);
        const start = Math.max(after + 1, state.first_seq);
        if (state.messages === 0 || start > state.last_seq) return { events: [], next: after };
        const wanted = Math.min(limit, state.last_seq - start + 1);
        const reader = await client.consumers.get(stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: start,
        });
        const events = [];
        let next = after;
        const messages = await reader.fetch({ max_messages: wanted, expires: READ_TIMEOUT_MS });
        for await (const message of messages) {
          events.push(message.json());
          next = message.seq;
          if (events.length >= wanted || message.seq >= state.last_seq) break;
        }
        return { events, next };
      } catch (error) {
        throw new SinkUnavailableError(`reading stream ${stream}: ${error.message}`, { cause: error });
      }
    },

    async clear() {
      available();
      await manager.streams.purge(stream);
    },

    async close() {
      closed = true;
      await reached.catch(() => {});
      await connection?.close().catch(() => {});
    },
  };
}
