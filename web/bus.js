// The outage bus, as @tidal-music/event-producer has it: CustomEvents named
// 'eventProducerEventBus' on the page's global object (a private EventTarget
// where there is none, as in Node), whose detail is an OutageStartError,
// the OutageEndMessage or a CredentialsError.

const BUS_EVENT = 'eventProducerEventBus';

/**
 * The bus on `target`: `emit(detail)` tells every listener, `bus(listener)`
 * subscribes one.
 * @param {{ target?: EventTarget }} [where]
 */
export function createBus({
  target = typeof globalThis.addEventListener === 'function' ? globalThis : new EventTarget(),
} = {}) {
  /**
   * Tells every bus listener `detail`.
   * @param {unknown} detail
   */
  function emit(detail) {
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
  function bus(listener) {
    target.addEventListener(BUS_EVENT, /** @type {EventListener} */ (listener));
    return () => target.removeEventListener(BUS_EVENT, /** @type {EventListener} */ (listener));
  }
  bus.bus = bus;

  return { emit, bus };
}
