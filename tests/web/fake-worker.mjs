// A stand-in for the page's Worker in Node tests: it keeps what the page
// posts, and posts notices or fails to load when a test says so.
export function fakeWorker() {
  const listeners = new Map();
  const fire = (type, event) => (listeners.get(type) ?? []).forEach((listener) => listener(event));
  return {
    posted: [],
    terminated: false,
    postMessage(message) {
      this.posted.push(message);
    },
    terminate() {
      this.terminated = true;
    },
    addEventListener(type, listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    /** The worker posts `data` to the page. */
    notice: (data) => fire('message', { data }),
    /** The worker's script fails to load. */
    fail: () => fire('error', { preventDefault() {} }),
  };
}
