// The consumer's script for tests/browser/drop-in.test.mjs, shared by both
// drop-in pages: drop-in-tidal.html hands it @tidal-music/event-producer and
// drop-in-wasm.html hands it this package, so everything but the import is
// the same code. The test drives it phase by phase through window.dropIn.

/** Events of every kind an app sends, sent while the user is logged in. */
export const loggedInEvents = [
  { name: 'drop_in_plain', consentCategory: 'NECESSARY', payload: { trackId: 42, quality: 'LOSSLESS' } },
  {
    name: 'drop_in_unicode',
    consentCategory: 'PERFORMANCE',
    payload: { text: 'héllo wörld — straße, øre, 日本語, Ελληνικά', rtl: 'שלום עולם', combining: 'e\u0301' },
  },
  {
    name: 'drop_in_emoji',
    consentCategory: 'TARGETING',
    payload: { emoji: '🎵🎧', family: '👩🏽‍🎤', flags: '🇳🇴🏳️‍🌈', astral: '𝄞' },
  },
  {
    name: 'drop_in_nested',
    consentCategory: 'NECESSARY',
    payload: {
      session: {
        id: 'abc',
        steps: [
          { at: 1, actions: ['play', 'pause'] },
          { at: 2, actions: [] },
        ],
      },
      flags: { muted: false, shuffled: true, repeat: null },
      empty: {},
      list: [],
      deep: { a: { b: { c: { d: { e: 'bottom' } } } } },
    },
  },
  {
    // Numbers that a re-serialising implementation would print differently.
    name: 'drop_in_numbers',
    consentCategory: 'PERFORMANCE',
    payload: {
      zero: 0,
      negative: -17,
      fraction: 0.1 + 0.2,
      tiny: 1e-7,
      huge: 1e21,
      beyondSafe: 9007199254740993,
      float: 180.5,
    },
  },
  {
    // Characters that matter to the form encoding, to JSON and to XML.
    name: 'drop_in_escaping',
    consentCategory: 'NECESSARY',
    payload: { text: 'a+b=c&d%20e "quoted" \\ back\nnew\ttab <MessageBody>&amp;</MessageBody> /slash' },
  },
  {
    // Caller headers: app-version overrides the default one, the rest are added.
    name: 'drop_in_caller_headers',
    consentCategory: 'TARGETING',
    headers: { 'app-version': '9.9.9-override', 'x-trace-id': 'trace-ü-🎵-1' },
    payload: { withHeaders: true },
  },
  {
    // Fields beside name, consentCategory, payload and headers pass through into the body.
    name: 'drop_in_extra_fields',
    consentCategory: 'NECESSARY',
    group: 'experiments',
    version: 3,
    extra: { nested: [1, 'two', { three: 3 }] },
    payload: { withExtras: true },
  },
  {
    // Key order as JavaScript gives it: integer-like keys first.
    name: 'drop_in_key_order',
    consentCategory: 'PERFORMANCE',
    payload: { zeta: 1, alpha: 2, 10: 'ten', 2: 'two', mid: { y: 1, x: 2 } },
  },
];

/** Events sent after the user logged out: no token, the public endpoint. */
export const loggedOutEvents = [
  { name: 'drop_in_logged_out_necessary', consentCategory: 'NECESSARY', payload: { loggedIn: false } },
  { name: 'drop_in_logged_out_performance', consentCategory: 'PERFORMANCE', payload: { text: 'ciao 👋' } },
  {
    name: 'drop_in_logged_out_targeting',
    consentCategory: 'TARGETING',
    headers: { 'x-campaign': 'spring' },
    payload: { campaign: 'spring' },
  },
];

export const outageEvent = { name: 'drop_in_during_outage', consentCategory: 'NECESSARY', payload: { outage: true } };

export function exposeScenario(producer) {
  const session = { clientId: 'drop-in-client', token: 'drop-in-token' };
  // One log per subscription form; null where the library lacks the form
  // (TIDAL 2.4's `bus` is a namespace object, not a function).
  const busLogs = { busBus: null, busCall: null };
  const record = (log) => (event) =>
    busLogs[log].push({ name: event.detail?.name, errorCode: event.detail?.errorCode ?? null });

  window.dropIn = {
    busLogs,

    async init({ consumerUrl, eventBatchInterval }) {
      if (typeof producer.bus?.bus === 'function') {
        busLogs.busBus = [];
        producer.bus.bus(record('busBus'));
      }
      if (typeof producer.bus === 'function') {
        busLogs.busCall = [];
        producer.bus(record('busCall'));
      }
      await producer.init({
        appInfo: { appName: 'drop-in-app', appVersion: '2.4.1-test' },
        platform: { browserName: 'chromium', browserVersion: '120', osName: 'linux' },
        blockedConsentCategories: { NECESSARY: false, PERFORMANCE: false, TARGETING: false },
        credentialsProvider: {
          bus: () => {},
          // A logged-out user keeps the client id and has no token.
          getCredentials: async () => ({ ...session }),
        },
        tlConsumerUri: `${consumerUrl}api/event-batch`,
        tlPublicConsumerUri: `${consumerUrl}api/public/event-batch`,
        eventBatchInterval,
        monitoringInterval: 600000,
      });
    },

    logOut() {
      delete session.token;
    },

    send(phase) {
      const events = { loggedIn: loggedInEvents, loggedOut: loggedOutEvents, outage: [outageEvent] }[phase];
      // A copy each time: a library may keep a reference to what it was given.
      for (const event of events) producer.sendEvent(structuredClone(event));
      return events.map((event) => event.name);
    },

    /** TIDAL 2.4 sends on its timer; this package (and TIDAL 2.5) can be asked to. */
    async deliver() {
      if (typeof producer.flush === 'function') await producer.flush();
    },

    hasFlush: typeof producer.flush === 'function',
  };
  window.dropInReady = true;
}
