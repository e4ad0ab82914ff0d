// The outage bus, as @tidal-music/event-producer has it: CustomEvents named
// 'eventProducerEventBus' on the page's global object (a private EventTarget
// where there is none, as in Node), whose detail is an OutageStartError or
// the OutageEndMessage.

const BUS_EVENT = 'eventProducerEventBus';
let localBus;

function busTarget() {
  if (typeof globalThis.addEventListener === 'function') return globalThis;
  localBus ??= new EventTarget();
  return localBus;
}

/** Tells every bus listener `detail` (an OutageStartError or OutageEndMessage). */
export function emit(detail) {
  const event =
    typeof CustomEvent === 'function'
      ? new CustomEvent(BUS_EVENT, { detail })
      : Object.assign(new Event(BUS_EVENT), { detail });
  busTarget().dispatchEvent(event);
}

/**
 * Subscribes to outage messages: the listener receives an event whose
 * `detail` is an OutageStartError or OutageEndMessage. Returns an
 * unsubscribe function. Also callable as `bus.bus(listener)`.
 */
export function bus(listener) {
  const target = busTarget();
  target.addEventListener(BUS_EVENT, listener);
  return () => target.removeEventListener(BUS_EVENT, listener);
}
bus.bus = bus;
