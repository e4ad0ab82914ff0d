// init's steps as getStats() reports them: in ms since the page created the
// worker. The worker reports its steps on its own clock (`timeOrigin`: when
// its thread started); the page adds the steps only it sees.

/** Wall-clock ms: the page's and the worker's `performance.now()` have different origins. */
export const wallClock = () => performance.timeOrigin + performance.now();

/** @typedef {{ workerCreatedAt: number, initCalledAt: number, initAnsweredAt: number }} PageMarks */

/**
 * The worker's `steps` (ms since `timeOrigin`) and the page's `marks` (wall
 * clock), each in ms since the page created the worker, to 0.1 ms.
 * @param {PageMarks} marks
 * @param {{ timeOrigin: number } & Record<string, number>} steps
 * @returns {Record<string, number>}
 */
export function sincePageCreatedWorker(marks, { timeOrigin, ...steps }) {
  const since = (/** @type {number} */ at) => Math.round((at - marks.workerCreatedAt) * 10) / 10;
  /** @type {Record<string, number>} */
  const timings = { workerStarted: since(timeOrigin) };
  for (const [step, ms] of Object.entries(steps)) timings[step] = since(timeOrigin + ms);
  timings.initCalled = since(marks.initCalledAt);
  timings.initAnswered = since(marks.initAnsweredAt);
  return timings;
}
