// The spec's event size limit, checked on the page for events surely over
// it: an event of hundreds of MB would otherwise be copied into the worker's
// wasm memory (which never shrinks) and parsed before the core refuses it;
// a worker that ends on it is replaced, and the replacement is handed the
// same event. The core measures every event that crosses exactly.

/** Events of this many bytes or more are refused (kMaxEventBytes in src/submitter.h). */
export const MAX_EVENT_BYTES = 20480;

/**
 * True if the event `event`, serialised as `json`, is surely MAX_EVENT_BYTES
 * or more as the core measures it: its message body is `json` without the
 * consentCategory member, with more added, and every UTF-16 code unit of it
 * is at least one byte of UTF-8. Cheap for every event: small ones are told
 * by their length alone.
 * @param {unknown} event
 * @param {string} json
 */
export function isSurelyTooLarge(event, json) {
  if (json.length < MAX_EVENT_BYTES) return false;
  try {
    // What JSON.stringify wrote for the category: `"consentCategory":<value>,`.
    const category = /** @type {{ consentCategory?: unknown }} */ (event)?.consentCategory;
    const member = JSON.stringify({ consentCategory: category }).length - 1;
    return json.length - member >= MAX_EVENT_BYTES;
  } catch {
    return false; // a getter that throws: the core judges the event
  }
}
