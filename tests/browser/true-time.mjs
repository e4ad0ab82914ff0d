// TIDAL's package pings api.tidal.com ("TrueTime") at import and at init and
// warns on every event until it has read a Date header from it. Tests and the
// bench answer the ping locally (the network here reaches no such host),
// which puts it in its production state, synchronised. This package never
// makes that call.

/** A playwright route handler for the ping. */
export function answerTrueTimePing(route) {
  return route.fulfill({
    status: 200,
    headers: {
      date: new Date().toUTCString(),
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'Date',
    },
    body: '',
  });
}
