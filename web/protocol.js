// The page ⇄ worker protocol, defined once for both sides: the actions and
// notices, their fields (`Requests`, one map from each action to its fields
// and its reply, which `tsc --noEmit` checks against the code of both sides:
// the page's one `post` and `request` (web/session.js) and the worker's
// handlers; and REQUEST_FIELDS / NOTICE_FIELDS, which a test checks against
// the README's table), and the shape checks each side applies before acting
// on a message.
//
// Page → worker requests: { id, action, ...fields }. The worker answers every
// request that has an id with { type: 'reply', id, result } or
// { type: 'reply', id, error: { code, message } }; an unknown action is
// answered with the error code 'unknown_action'.

import { readSiteConsent } from './site-consent.js';

/** @typedef {{ clientId: string | null, token: string | null } | null} Credentials */
/** @typedef {{ name?: string, problem: string, reason?: 'validation' | 'storing' | 'consent', count?: number }} RefusedEvent */
/** @typedef {{ PERFORMANCE?: boolean, TARGETING?: boolean, NECESSARY?: boolean }} BlockedCategories */

/**
 * What the worker reports of its start (the reply to `init`); a second init
 * of the same worker is told it already started, and in which store.
 * @typedef {{ storeId: string, persistent: boolean, storageError?: string | null, coordination: 'locks' | 'heartbeat',
 *   aliveLockHeld: boolean, alreadyStarted?: undefined } | { alreadyStarted: true, storeId: string | null }} InitSummary
 */
/**
 * The worker's stats (the reply to `stats`, `flush`, `pageHidden` and
 * `deliverStored`): getStats() without what only the page knows, and init's
 * steps in ms on the worker's clock since `timeOrigin`, its thread's start.
 * @typedef {Omit<import('./index.d.ts').Stats, 'credentialsError' | 'releasedCopies' | 'initTimings'>
 *   & { initTimings: ({ timeOrigin: number } & Record<string, number>) | null }} WorkerStats
 */

/**
 * Every page → worker request, by action: its fields beside `id` and
 * `action`, and what its reply's `result` is (`never`: it has no id and gets
 * no reply).
 * @typedef {{
 *   prepare: { fields: { wasmUrl?: string, storeId?: string, wasmFromPage?: boolean }, reply: never },
 *   wasm: { fields: { module: WebAssembly.Module | null }, reply: never },
 *   init: {
 *     fields: { config: { core: object, tlConsumerUri: string, tlPublicConsumerUri: string }, credentials: Credentials,
 *       consent: SiteConsent, wasmUrl?: string, storeId?: string, aliveLock?: string },
 *     reply: InitSummary },
 *   events: {
 *     fields: { seq?: number, events: string[], unserialisable?: RefusedEvent[], credentials?: Credentials,
 *       urgent?: boolean, blocked?: BlockedCategories },
 *     reply: never },
 *   flush: { fields: {}, reply: WorkerStats },
 *   consent: { fields: { consent: SiteConsent }, reply: undefined },
 *   credentials: { fields: { requestId: number, credentials: Credentials, error?: string }, reply: never },
 *   stats: { fields: {}, reply: WorkerStats },
 *   pageHidden: { fields: { leaving?: number }, reply: WorkerStats },
 *   leavingAnswer: {
 *     fields: { version: number, kind: number, status: number, body: string, retryAfter: string, date: string },
 *     reply: never },
 *   online: { fields: { online: boolean }, reply: undefined },
 *   shutdown: { fields: {}, reply: undefined },
 *   ping: { fields: {}, reply: true },
 *   deliverStored: { fields: {}, reply: WorkerStats },
 * }} Requests
 */
/** @typedef {keyof Requests} ActionName */
/**
 * The actions the worker answers (those whose request has an id).
 * @typedef {{ [A in ActionName]: [Requests[A]['reply']] extends [never] ? never : A }[ActionName]} AnsweredAction
 */
/** @typedef {Exclude<ActionName, AnsweredAction>} UnansweredAction */
/**
 * @template {ActionName} A
 * @typedef {Requests[A]['fields']} FieldsOf
 */
/**
 * @template {ActionName} A
 * @typedef {Requests[A]['reply']} ReplyOf
 */
/**
 * The request of action `A`, as it crosses: with an id if the worker answers it.
 * @template {ActionName} A
 * @typedef {{ action: A, id?: number } & FieldsOf<A>} RequestOf
 */
/** @typedef {{ [A in ActionName]: RequestOf<A> }[ActionName]} Request */
/**
 * What the worker's handler of each action takes and gives back: its
 * message loop can be typed with this map.
 * (What a handler of an action without a reply returns is not posted.)
 * @typedef {{ [A in ActionName]: (request: RequestOf<A>) =>
 *   [ReplyOf<A>] extends [never] ? unknown : ReplyOf<A> | Promise<ReplyOf<A>> }} Handlers
 */

// The names each request had before the map above; the worker's handlers use them.
/** @typedef {RequestOf<'prepare'>} PrepareRequest */
/** @typedef {RequestOf<'wasm'>} WasmRequest */
/** @typedef {RequestOf<'init'> & { id: number }} InitRequest */
/** @typedef {RequestOf<'events'>} EventsRequest */
/** @typedef {RequestOf<'flush'> & { id: number }} FlushRequest */
/** @typedef {import('./site-consent.js').SiteConsent} SiteConsent */
/** @typedef {RequestOf<'consent'> & { id: number }} ConsentRequest */
/** @typedef {RequestOf<'credentials'>} CredentialsAnswer */
/** @typedef {RequestOf<'stats'> & { id: number }} StatsRequest */
/** @typedef {RequestOf<'pageHidden'> & { id: number }} PageHiddenRequest */
/** @typedef {RequestOf<'leavingAnswer'>} LeavingAnswer */
/** @typedef {RequestOf<'online'> & { id: number }} OnlineRequest */
/** @typedef {RequestOf<'shutdown'> & { id: number }} ShutdownRequest */
/** @typedef {RequestOf<'ping'> & { id: number }} PingRequest */
/** @typedef {RequestOf<'deliverStored'> & { id: number }} DeliverStoredRequest */

/** @typedef {{ type: 'reply', id: number, result?: any, error?: { code: string, message: string } }} ReplyNotice */
/** @typedef {'delivery' | 'queue_full' | 'storage'} OutageReason */
/** @typedef {{ type: 'bus', outage: boolean, reason?: OutageReason }} BusNotice */
/** @typedef {{ type: 'problem', message: string }} ProblemNotice */
/** @typedef {{ type: 'credentials-request', requestId: number, subStatus?: string }} CredentialsRequestNotice */
/** @typedef {{ type: 'accepted', seq: number }} AcceptedNotice */
/**
 * @typedef {{ type: 'leaving', version: number, consentSeq: number, body: string | null, url?: string,
 *   token?: string | null }} LeavingNotice
 */
/**
 * @typedef {ReplyNotice | BusNotice | ProblemNotice | CredentialsRequestNotice | AcceptedNotice | LeavingNotice} WorkerNotice
 */

/** @type {Readonly<{ [A in ActionName]: A }>} each action of the map above, by its name */
export const Action = Object.freeze({
  prepare: 'prepare', // no reply: start compiling and reading the store before init
  wasm: 'wasm', // no reply: the wasm module the page compiled, or null (the worker fetches its own)
  init: 'init', // → restore summary
  events: 'events', // no reply; 'accepted' once stored
  flush: 'flush', // → stats, once queued events are durable and a send was attempted
  consent: 'consent',
  credentials: 'credentials', // the answer to a credentials-request, no reply
  stats: 'stats', // → getStats() result
  pageHidden: 'pageHidden', // → stats, once durable; a keepalive batch is sent (by the page if it sent the leaving batch)
  leavingAnswer: 'leavingAnswer', // what became of the leaving batch the page sent
  online: 'online',
  shutdown: 'shutdown', // → once durable; the worker then stops
  ping: 'ping', // → true: the worker is alive (where Web Locks can't tell)
  deliverStored: 'deliverStored', // → stats, once gone tabs' stores were adopted and a flush of everything ran
});

export const Notice = Object.freeze({
  reply: 'reply',
  bus: 'bus',
  problem: 'problem',
  credentialsRequest: 'credentials-request',
  accepted: 'accepted', // the events hand-overs up to seq are in the queue and as durable as storage allows
  leaving: 'leaving', // the batch the page sends itself with keepalive while it unloads (null: none)
});

// The fields of each request and notice beside `id`/`action` and `type`, as
// the typedefs above have them: the README's table is checked against these.
// (/* @__PURE__ */ lets bundlers drop what a side doesn't use: the page
// never checks requests, the worker never notices.) tsc checks that every
// action has its entry and that each field named is one of its typedef's.
/** @type {Readonly<{ [A in ActionName]: readonly (keyof FieldsOf<A>)[] }>} */
export const REQUEST_FIELDS = /* @__PURE__ */ Object.freeze(
  /** @type {const} */ ({
    prepare: ['wasmUrl', 'storeId', 'wasmFromPage'],
    wasm: ['module'],
    init: ['config', 'credentials', 'consent', 'wasmUrl', 'storeId', 'aliveLock'],
    events: ['seq', 'events', 'unserialisable', 'credentials', 'urgent', 'blocked'],
    flush: [],
    consent: ['consent'],
    credentials: ['requestId', 'credentials', 'error'],
    stats: [],
    pageHidden: ['leaving'],
    leavingAnswer: ['version', 'kind', 'status', 'body', 'retryAfter', 'date'],
    online: ['online'],
    shutdown: [],
    ping: [],
    deliverStored: [],
  }),
);
export const NOTICE_FIELDS = /* @__PURE__ */ Object.freeze({
  reply: ['id', 'result', 'error'],
  bus: ['outage', 'reason'],
  problem: ['message'],
  'credentials-request': ['requestId', 'subStatus'],
  accepted: ['seq'],
  leaving: ['version', 'consentSeq', 'body', 'url', 'token'],
});

// --- shapes ------------------------------------------------------------------
// Both sides check what they receive against these before acting on it: a
// message of another shape (another script of the origin posting to the
// worker, a bug) is ignored and counted, never acted upon.

// What is checked here may be anything: its fields are read as `any`, each
// checked before it is trusted.
/** @typedef {(message: any) => boolean} FieldsCheck */

/** @type {(object: object, key: PropertyKey) => boolean} */
const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
/** @type {(v: unknown) => v is Record<string, any>} */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** @type {(v: unknown) => boolean} */
const isOptionalString = (v) => v === undefined || v === null || typeof v === 'string';
/** @type {(v: unknown) => boolean} */
const isRequestId = (v) => Number.isSafeInteger(v) && /** @type {number} */ (v) >= 0;
/** @type {(v: unknown) => boolean} */
const isBlockedCategories = (v) =>
  isObject(v) && Object.values(v).every((b) => typeof b === 'boolean' || b === undefined);
/** @type {(v: unknown) => boolean} */
const isCredentials = (v) =>
  v === null || v === undefined || (isObject(v) && isOptionalString(v.clientId) && isOptionalString(v.token));

// What each action needs of its fields, beyond being an object with that action.
/** @type {Record<string, FieldsCheck>} */
const requestFields = /* @__PURE__ */ (() => ({
  [Action.init]: (m) =>
    isObject(m.config) &&
    isObject(m.config.core) &&
    typeof m.config.tlConsumerUri === 'string' &&
    typeof m.config.tlPublicConsumerUri === 'string' &&
    isCredentials(m.credentials) &&
    readSiteConsent(m.consent) !== null &&
    isOptionalString(m.wasmUrl) &&
    isOptionalString(m.storeId) &&
    isOptionalString(m.aliveLock),
  [Action.prepare]: (m) =>
    isOptionalString(m.wasmUrl) &&
    isOptionalString(m.storeId) &&
    (m.wasmFromPage === undefined || typeof m.wasmFromPage === 'boolean'),
  [Action.wasm]: (m) => m.module === null || m.module instanceof WebAssembly.Module,
  [Action.events]: (m) =>
    (m.seq === undefined || isRequestId(m.seq)) &&
    Array.isArray(m.events) &&
    m.events.every((/** @type {unknown} */ e) => typeof e === 'string') &&
    (m.unserialisable === undefined ||
      (Array.isArray(m.unserialisable) &&
        m.unserialisable.every(
          (/** @type {unknown} */ u) =>
            isObject(u) &&
            typeof u.problem === 'string' &&
            (u.count === undefined || (Number.isSafeInteger(u.count) && u.count > 0)) &&
            (u.reason === undefined || u.reason === 'validation' || u.reason === 'storing' || u.reason === 'consent'),
        ))) &&
    isCredentials(m.credentials) &&
    (m.blocked === undefined || isBlockedCategories(m.blocked)),
  [Action.flush]: () => true,
  [Action.consent]: (m) => readSiteConsent(m.consent) !== null,
  [Action.credentials]: (m) => isRequestId(m.requestId) && isCredentials(m.credentials) && isOptionalString(m.error),
  [Action.stats]: () => true,
  [Action.pageHidden]: (m) => m.leaving === undefined || isRequestId(m.leaving),
  [Action.leavingAnswer]: (m) =>
    isRequestId(m.version) &&
    [0, 1, 2].includes(m.kind) &&
    Number.isSafeInteger(m.status) &&
    typeof m.body === 'string' &&
    typeof m.retryAfter === 'string' &&
    typeof m.date === 'string',
  [Action.online]: (m) => typeof m.online === 'boolean',
  [Action.shutdown]: () => true,
  [Action.ping]: () => true,
  [Action.deliverStored]: () => true,
}))();

/**
 * Why a page → worker request is malformed, or null if it is well formed.
 * @param {unknown} message
 */
export function requestProblem(message) {
  if (!isObject(message)) return 'not an object';
  if (message.id !== undefined && !isRequestId(message.id)) return 'id is not a request id';
  const fields = hasOwn(requestFields, message.action) ? requestFields[message.action] : null;
  if (!fields) return `unknown action '${String(message.action).slice(0, 40)}'`;
  return fields(message) ? null : `malformed '${message.action}'`;
}

/** @type {Record<string, FieldsCheck>} */
const noticeFields = {
  [Notice.reply]: (m) =>
    isRequestId(m.id) && (m.error === undefined || (isObject(m.error) && typeof m.error.code === 'string')),
  [Notice.bus]: (m) =>
    typeof m.outage === 'boolean' &&
    (m.reason === undefined || m.reason === 'delivery' || m.reason === 'queue_full' || m.reason === 'storage'),
  [Notice.problem]: (m) => typeof m.message === 'string',
  [Notice.credentialsRequest]: (m) => isRequestId(m.requestId) && isOptionalString(m.subStatus),
  [Notice.accepted]: (m) => isRequestId(m.seq),
  [Notice.leaving]: (m) =>
    isRequestId(m.version) &&
    isRequestId(m.consentSeq) &&
    (m.body === null || (typeof m.body === 'string' && typeof m.url === 'string' && isOptionalString(m.token))),
};

/**
 * Why a worker → page notice is malformed, or null if it is well formed.
 * @param {unknown} message
 */
export function noticeProblem(message) {
  if (!isObject(message)) return 'not an object';
  const fields = hasOwn(noticeFields, message.type) ? noticeFields[message.type] : null;
  if (!fields) return `unknown notice '${String(message.type).slice(0, 40)}'`;
  return fields(message) ? null : `malformed '${message.type}'`;
}
