// Accepted events, durably: one JSON line per event, appended and flushed
// before the collector answers, reloaded on start.
import {
  appendFileSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { redactHeaders } from './redaction.mjs';

export class EventStore {
  constructor(dataDir) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'events.jsonl');
    this.events = [];
    this.ids = new Set();
    this.byName = {};
    this.authenticated = 0;
    if (existsSync(this.path)) this.#load();
  }

  #load() {
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const event = JSON.parse(line);
        // Files written before the consumer redacted credentials hold tokens.
        if (event && typeof event === 'object') event.headers = redactHeaders(event.headers);
        this.#remember(event);
      } catch {
        // A torn last line from a crash mid-append: the event was never confirmed.
      }
    }
  }

  #remember(event) {
    this.events.push(event);
    this.ids.add(event.id);
    this.byName[event.name] = (this.byName[event.name] ?? 0) + 1;
    if (event.authenticated) this.authenticated++;
  }

  has(id) {
    return this.ids.has(id);
  }

  /** Appends the events and flushes them to disk before returning. */
  addAll(events) {
    if (!events.length) return;
    const fd = openSync(this.path, 'a');
    try {
      appendFileSync(fd, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    events.forEach((e) => this.#remember(e));
  }

  clear() {
    if (existsSync(this.path)) truncateSync(this.path, 0);
    this.events = [];
    this.ids = new Set();
    this.byName = {};
    this.authenticated = 0;
  }
}
