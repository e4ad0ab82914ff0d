// TIDAL's package pings api.tidal.com ("TrueTime") at import and at init and
// warns on every event until it has read a Date header from it. Tests and the
// bench answer the ping locally (the network here reaches no such host),
// which puts it in its production state, synchronised. This package never
// makes that call.

/** The answer to the ping, { status, headers, body }: now in its Date header, readable cross-origin. */
export function trueTimePingAnswer() {
  return {
    status: 200,
    headers: {
      date: new Date().toUTCString(),
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'Date',
    },
    body: '',
  };
}

/** A playwright route handler for the ping. */
export function answerTrueTimePing(route) {
  return route.fulfill(trueTimePingAnswer());
}
