// The wasm module's exports as the worker calls them: worker/binding.cpp
// defines them, worker/core-api.js is their one caller, and `tsc --noEmit`
// checks its calls against this.
// Pointers are addresses in the module's memory; times are ms since the epoch.

type Pointer = number;

/** A batch the core wants sent (host_send in worker/binding.cpp). */
export interface CoreRequest {
  id: number; body: string; eventCount: number; publicOnly: boolean; keepalive: boolean;
  /** The previous request was refused with a 401: ask the provider for fresh credentials first. */
  refreshCredentials: boolean;
  subStatus: string;
}

export interface Host {
  send(request: CoreRequest): void;
  /** The outage of `reason` started (true) or ended. */
  publish(outage: boolean, reason: 'delivery' | 'queue_full' | 'storage'): void;
  problem(message: string): void;
}

export interface StoredFolders {
  /** `onOpened(null)`, if given, is called once the folder's database is open, before its files are read. */
  load(path: string, onOpened?: (error: null) => void): Promise<Error | null>;
  store(path: string, names: string[]): Promise<void>;
  drop(path: string, deleteDatabase: boolean): Promise<void>;
  keepAside(path: string, names: string[], asidePath: string): Promise<void>;
  onLost: ((path: string) => void) | null;
}

export interface CoreModule {
  _malloc(size: number): Pointer;
  _free(pointer: Pointer): void;
  UTF8ToString(pointer: Pointer, maxBytes?: number): string;
  stringToUTF8(text: string, pointer: Pointer, maxBytes: number): void;
  lengthBytesUTF8(text: string): number;

  _tep_create(configJson: Pointer, folder: Pointer): number;
  _tep_restore(now: number): Pointer;
  _tep_adopt(folder: Pointer, now: number): Pointer;
  /** The events' JSON texts joined with '\n', one call per hand-over. */
  _tep_send_events(joined: Pointer, length: number, now: number, entryBlocked: number): void;
  _tep_count_refused_on_page(name: Pointer, problem: Pointer, reason: number, count: number): void;
  _tep_tick(now: number): void;
  _tep_flush(now: number): void;
  _tep_send_keepalive(maxBodyBytes: number, now: number): void;
  _tep_leaving_batch(maxBodyBytes: number): Pointer;
  _tep_next_wake(now: number): number;
  _tep_on_answered(id: number, status: number, now: number): void;
  _tep_on_response(
    id: number, kind: number, status: number, body: Pointer, bodyLength: number, retryAfter: Pointer, date: Pointer, now: number,
  ): void;
  _tep_set_consent(
    performanceBlocked: number, targetingBlocked: number, performancePurgedBefore: number, targetingPurgedBefore: number,
  ): void;
  _tep_set_credentials(clientId: Pointer, token: Pointer): void;
  _tep_set_online(online: number, now: number): void;
  _tep_claim_leaving_batch(joinedIds: Pointer, length: number): number;
  _tep_persist_state(): void;
  _tep_take_changed_files(): Pointer;
  _tep_storage_generation(): number;
  _tep_outage(): number;
  _tep_retry_early(now: number): void;
  _tep_stats(): Pointer;
}

/** What tep_restore returns (src/stats_json.cpp, restore_summary_json). */
export interface RestoreSummary {
  restored: number; corruptRecords: number; unreadableFiles: number; expired: number; feral: number; purged: number;
  /** The restored queue is in a delivery outage. */
  outage: boolean;
}

/** What tep_adopt returns (src/stats_json.cpp, adopt_report_json). */
export interface AdoptReport {
  taken: number; remaining: number; unreadableFiles: number; damagedRecords: number; expired: number;
  /** Files of the adopted folder the core could not read: kept aside before its database is deleted. */
  keptFiles: string[];
  /** Files of the adopted folder the adoption changed: stored again while the folder is kept. */
  changedFiles: string[];
}

export interface CoreOptions {
  host: Host;
  onAbort?: (reason: unknown) => void;
  locateFile?: (file: string) => string;
  /** Instantiates the wasm itself; the instance goes to `receive`. Returns {} (the exports come through receive). */
  instantiateWasm?: (
    imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void,
  ) => object;
  /** Set by worker/stored-folders.post.js while the module loads. */
  storedFolders?: StoredFolders;
}

export default function createCore(options: CoreOptions): Promise<CoreModule>;
