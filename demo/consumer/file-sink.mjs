// The file sink: accepted events in one JSON-lines file on this machine
// (event-store.mjs), each id stored once however often it is sent. A
// confirmation means the event was appended and fsync'ed on this disk. The
// ids live in this process's memory, so one consumer process owns the file.
import { EventStore } from './event-store.mjs';

/** A sink (event-sink.mjs) over the JSON-lines file in `dataDir`. */
export function createFileSink(dataDir) {
  const store = new EventStore(dataDir);
  return {
    description: { kind: 'file', path: store.path },

    async storeAll(events) {
      const fresh = [];
      const outcomes = events.map((event) => {
        if (store.has(event.id) || fresh.some((e) => e.id === event.id)) return { id: event.id, outcome: 'duplicate' };
        fresh.push(event);
        return { id: event.id, outcome: 'stored' };
      });
      store.addAll(fresh); // durable before the confirmation leaves
      return outcomes;
    },

    async counts() {
      const accepted = store.events.length;
      return { accepted, byName: { ...store.byName }, authenticated: store.authenticated, end: accepted };
    },

    async page(after, limit) {
      const events = store.events.slice(after, after + limit);
      return { events, next: after + events.length };
    },

    async clear() {
      store.clear();
    },

    async close() {},
  };
}
