// What sendEvent makes of the app's event: the JSON that crosses to the
// worker, or the reason it can't (counted as a validation failure once a
// worker runs). Nothing an app passes makes it throw.
import { isSurelyTooLarge, MAX_EVENT_BYTES } from './event-size.js';
import { ERROR_IDS } from './error-ids.js';

/**
 * The event's name for the counters, from an event that may throw on any access.
 * @param {any} event
 */
function nameOf(event) {
  try {
    return typeof event?.name === 'string' ? event.name : '';
  } catch {
    return '';
  }
}

/**
 * `event` serialised, or why it is refused on the page.
 * @param {unknown} event
 * @returns {{ json: string, refused?: undefined } | { refused: import('./protocol.js').RefusedEvent, json?: undefined }}
 */
export function serialiseEvent(event) {
  let json;
  try {
    json = JSON.stringify(event);
    if (typeof json !== 'string') throw new TypeError('the event is not an object');
  } catch (error) {
    const why = /** @type {{ message?: unknown } | undefined} */ (error)?.message;
    return { refused: { name: nameOf(event), problem: `[${ERROR_IDS.eventNotSerialisable}] ${why}` } };
  }
  if (isSurelyTooLarge(event, json)) {
    const problem = `[${ERROR_IDS.eventTooLarge}] event '${nameOf(event)}' is ${MAX_EVENT_BYTES} bytes or more`;
    return { refused: { name: nameOf(event), problem } };
  }
  return { json };
}
