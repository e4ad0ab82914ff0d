// What the consumer stores accepted events in: a sink. The consumer checks a
// batch, hands the entries it accepts to its sink, and answers the producer
// with what the sink reports for each one; the inspection endpoints read
// counts and events back from the sink. Two sinks implement it: the JSON-lines
// file on this machine (file-sink.mjs) and a NATS JetStream stream
// (jetstream-sink.mjs).
//
// A sink:
//   description                   { kind: 'file', path } or { kind: 'jetstream', stream, servers }
//   storeAll(events)              → Promise<EntryOutcome[]>, one per event, in order; resolves only
//                                   once every 'stored' event is durable by the sink's own terms
//   counts()                      → Promise<{ accepted, byName, authenticated, end }> of what it
//                                   holds; `end` is the position after its latest event
//   page(after, limit)            → Promise<{ events, next }>: up to `limit` events after position
//                                   `after` (0: from the start); `next` continues the walk
//   clear()                       → Promise<void>: forgets every event (the demo's reset)
//   close()                       → Promise<void>
// counts, page and clear reject with SinkUnavailableError when the sink can't
// be reached.

/**
 * @typedef {{ id: string, name: string, body: string, headers: object | null, authenticated: boolean,
 *   endpoint: string, receivedAt: number }} StoredEvent
 * @typedef {{ id: string, outcome: 'stored' | 'duplicate' }
 *   | { id: string, outcome: 'refused', senderFault: boolean, code: string, message: string }
 *   | { id: string, outcome: 'unavailable', message: string }} EntryOutcome
 *   'duplicate': the sink already held an event with this id (stored once, confirmed again);
 *   'refused': the sink will not store this event (senderFault: the event itself is at fault,
 *   so the producer drops it; otherwise the producer sends it again later);
 *   'unavailable': the sink could not be asked; nothing is known of this event.
 */

/** The sink can't be reached now; the consumer answers 503 with Retry-After. */
export class SinkUnavailableError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'SinkUnavailableError';
  }
}
