// The delivery outage is the origin's, not one tab's: every tab's worker
// shares its transitions on a BroadcastChannel. A tab that joins asks
// whether an outage is already in force, so a tab opened during one knows
// of it: its first confirmed delivery is then announced as the outage's end,
// and tabs waiting out a long backoff retry at once instead of minutes later.
//
// Messages: { outage: boolean, from } announces a change (or answers a
// question with true); { asking: true, from } is the question. `from` is the
// sender's store path. Messages of another shape are ignored and counted.
import { isStorePath } from './store-names.js';

const CHANNEL = 'tep-outage';

/**
 * Joins the origin's outage channel as the tab whose store is at `ownPath`.
 * `onRemoteChange(outage)` hears other tabs' announcements; `inOutage()`
 * says whether this tab knows of an outage in force, for tabs that ask.
 * @param {string} ownPath
 * @param {{ onRemoteChange: (outage: boolean) => void, inOutage: () => boolean }} handlers
 * @returns {{ publish: (outage: boolean) => void, rejected: () => number, close: () => void }}
 */
export function outageChannel(ownPath, { onRemoteChange, inOutage }) {
  let rejected = 0;
  if (typeof BroadcastChannel !== 'function') return { publish() {}, rejected: () => rejected, close() {} };
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = ({ data }) => {
    if (!isStorePath(data?.from) || data.from === ownPath) {
      rejected++;
    } else if (data.asking === true) {
      // Only an outage is answered: silence means none that this tab knows of.
      if (inOutage()) channel.postMessage({ outage: true, from: ownPath });
    } else if (typeof data.outage === 'boolean') {
      onRemoteChange(data.outage);
    } else {
      rejected++;
    }
  };
  channel.postMessage({ asking: true, from: ownPath });
  return {
    publish: (outage) => channel.postMessage({ outage, from: ownPath }),
    rejected: () => rejected,
    close: () => channel.close(),
  };
}
