// The outage bus, as @tidal-music/event-producer has it: CustomEvents named
// 'eventProducerEventBus' on the page's global object (a private EventTarget
// where there is none, as in Node), whose detail is an OutageStartError,
// the OutageEndMessage or a CredentialsError.

const BUS_EVENT = 'eventProducerEventBus';
// Where the bus's events go: chosen once, when the module loads.
const target = typeof globalThis.addEventListener === 'function' ? globalThis : new EventTarget();

/**
 * Tells every bus listener `detail`.
 * @param {unknown} detail
 */
export function emit(detail) {
  const event =
    typeof CustomEvent === 'function'
      ? new CustomEvent(BUS_EVENT, { detail })
      : Object.assign(new Event(BUS_EVENT), { detail });
  target.dispatchEvent(event);
}

/**
 * Subscribes to outage messages: the listener receives an event whose
 * `detail` is an OutageStartError or OutageEndMessage. Returns an
 * unsubscribe function. Also callable as `bus.bus(listener)`.
 * @param {(event: CustomEvent) => void} listener
 */
export function bus(listener) {
  target.addEventListener(BUS_EVENT, /** @type {EventListener} */ (listener));
  return () => target.removeEventListener(BUS_EVENT, /** @type {EventListener} */ (listener));
}
bus.bus = bus;
