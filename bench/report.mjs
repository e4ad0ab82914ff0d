// Turns the figures of bench/run.mjs into the comparison table (terminal and
// Markdown), bench/RESULTS.md and the README's five-row summary of it.

const TARGETS = {
  sendEventMicros: 3,
  durableP99Ms: 100,
  // A backlog drains at the speed of the network: the time between a
  // confirmation and the next request must be small against a request's.
  drainShareOfBareFetch: 0.95,
  // The whole download (page entry, worker with Emscripten's FS and IDBFS,
  // wasm with nlohmann/json), and the page entry alone: the only code that
  // runs on the main thread.
  gzipBytes: 90000,
  pageEntryGzipBytes: 4000,
};

const depthLabel = (depth) => (depth >= 1000 ? `${depth / 1000}k` : String(depth));

function median(values) {
  const present = values.filter((v) => v !== null && v !== undefined && Number.isFinite(v));
  if (!present.length) return values.some((v) => v === Infinity) ? Infinity : null;
  const sorted = [...present].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** 3 significant figures, thousands separated. */
function number(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (value === Infinity) return '∞';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function bytes(value) {
  if (value === null || value === undefined) return 'n/a';
  if (value >= 1024 * 1024) return `${number(value / 1024 / 1024)} MiB`;
  if (value >= 10 * 1024) return `${number(value / 1024)} KiB`;
  return `${Math.round(value).toLocaleString('en-US')} B`;
}

/** "12× better" / "1.4× worse": how this package compares, whichever direction is good. */
function advantage(ours, theirs, lowerIsBetter) {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || ours <= 0 || theirs <= 0) return '';
  const factor = lowerIsBetter ? theirs / ours : ours / theirs;
  if (factor >= 0.95 && factor <= 1.05) return 'same';
  return factor > 1 ? `${number(factor)}× better` : `${number(1 / factor)}× worse`;
}

const verdict = (ok) => (ok === null ? '' : ok ? 'yes' : '**no**');

function pair(p50, p99, format = number) {
  return `${format(p50)} / ${format(p99)}`;
}

// A batch of 10 calls timed with Chromium's 5 µs clock measures 0.5 µs steps;
// the µs are computed from ms in floating point, so 3 µs can come out as
// 3.0000000001. Targets compare the value at that resolution.
const atTimerResolution = (micros) => Math.round(micros * 2) / 2;

/** The table's rows: { metric, ours, theirs, advantage, target, meets }. */
export function comparisonRows(results) {
  const rows = [];
  const ours = results.depths.wasm;
  const theirs = results.depths.tidal;
  const at = (points, depth) => points.find((p) => p.depth === depth);

  for (const { depth } of ours) {
    const a = at(ours, depth);
    const b = at(theirs, depth);
    rows.push({
      metric: `sendEvent call, µs/event p50 / p99, depth ${depthLabel(depth)}`,
      ours: pair(a.callP50, a.callP99),
      theirs: pair(b?.callP50, b?.callP99),
      advantage: advantage(a.callP50, b?.callP50, true),
      target: `≤ ${TARGETS.sendEventMicros} p50`,
      meets: verdict(atTimerResolution(a.callP50) <= TARGETS.sendEventMicros),
    });
  }
  for (const { depth } of ours) {
    const a = at(ours, depth);
    const b = at(theirs, depth);
    rows.push({
      metric: `main thread incl. deferred work, µs/event p50 / p99, depth ${depthLabel(depth)}`,
      ours: pair(a.totalP50, a.totalP99),
      theirs: pair(b?.totalP50, b?.totalP99),
      advantage: advantage(a.totalP50, b?.totalP50, true),
      target: `≤ ${TARGETS.sendEventMicros} p50`,
      meets: verdict(atTimerResolution(a.totalP50) <= TARGETS.sendEventMicros),
    });
  }
  const first = ours[0];
  const last = ours[ours.length - 1];
  const theirsFirst = theirs[0];
  const theirsLast = theirs[theirs.length - 1];
  rows.push({
    metric: `flatness: main-thread p50 at depth ${depthLabel(last.depth)} ÷ at 0 (call; incl. deferred)`,
    ours: `${number(last.callP50 / first.callP50)}; ${number(last.totalP50 / first.totalP50)}`,
    theirs: `${number(theirsLast.callP50 / theirsFirst.callP50)}; ${number(theirsLast.totalP50 / theirsFirst.totalP50)}`,
    advantage: '',
    target: 'flat (≤ 1.5)',
    meets: verdict(last.callP50 / first.callP50 <= 1.5 && last.totalP50 / first.totalP50 <= 1.5),
  });
  for (const { depth } of ours) {
    const a = at(ours, depth);
    const b = at(theirs, depth);
    rows.push({
      metric: `IndexedDB bytes written per event, depth ${depthLabel(depth)}`,
      ours: bytes(a.storedBytesPerEvent),
      theirs: bytes(b?.storedBytesPerEvent),
      advantage: advantage(a.storedBytesPerEvent, b?.storedBytesPerEvent, true),
      target: '',
      meets: '',
    });
  }
  for (const depth of [10000, 100000]) {
    const a = at(ours, depth)?.memory;
    const b = at(theirs, depth)?.memory;
    if (!a) continue;
    const page = (m) => m?.byScope?.Window ?? null;
    const worker = (m) => (m ? (m.byScope?.DedicatedWorkerGlobalScope ?? 0) + (m.wasmMemoryBytes ?? 0) : null);
    rows.push({
      metric: `page JS memory, depth ${depthLabel(depth)}`,
      ours: bytes(page(a)),
      theirs: bytes(page(b)),
      advantage: advantage(page(a), page(b), true),
      target: '',
      meets: '',
    });
    rows.push({
      metric: `worker memory (JS heap + wasm), depth ${depthLabel(depth)}`,
      ours: bytes(worker(a)),
      theirs: bytes(worker(b)),
      advantage: advantage(worker(a), worker(b), true),
      target: '',
      meets: '',
    });
  }

  // Crashed runs have no latencies: they are reported as crashes, not as figures.
  const completed = (library, mode) => results.durability[library][mode].filter((r) => !r.crashed);
  const durability = (library, mode, key) => median(completed(library, mode).map((r) => r[key]));
  const durabilityCell = (library, mode, extra = () => '') => {
    const runs = results.durability[library][mode];
    const crashed = runs.length - completed(library, mode).length;
    if (crashed === runs.length)
      return `tab crashed (out of memory)${runs.length > 1 ? ` in all ${runs.length} runs` : ''}`;
    const figures = pair(durability(library, mode, 'p50'), durability(library, mode, 'p99')) + extra(library);
    return crashed ? `${figures}; crashed in ${crashed} of ${runs.length} runs` : figures;
  };
  const durabilityAdvantage = (mode) => {
    if (!completed('tidal', mode).length) return completed('wasm', mode).length ? 'TIDAL crashed' : '';
    return advantage(durability('wasm', mode, 'p99'), durability('tidal', mode, 'p99'), true);
  };
  rows.push({
    metric: 'sendEvent → durable in IndexedDB, 1,000 events/s, consumer down, ms p50 / p99',
    ours: durabilityCell('wasm', 'down'),
    theirs: durabilityCell('tidal', 'down'),
    advantage: durabilityAdvantage('down'),
    target: `≤ ${TARGETS.durableP99Ms} p99`,
    meets: verdict(durability('wasm', 'down', 'p99') <= TARGETS.durableP99Ms),
  });
  const neverWritten = (library) => `; ${number(durability(library, 'up', 'neverWritten'))} never written`;
  rows.push({
    metric: 'same, consumer up: ms p50 / p99 of the events written; events never written within 20 s',
    ours: durabilityCell('wasm', 'up', neverWritten),
    theirs: durabilityCell('tidal', 'up', neverWritten),
    advantage: durabilityAdvantage('up'),
    target: `≤ ${TARGETS.durableP99Ms} p99`,
    meets: verdict(durability('wasm', 'up', 'p99') <= TARGETS.durableP99Ms),
  });
  const peakMemory = (library) =>
    bytes(
      Math.max(
        ...['down', 'up'].flatMap((mode) => results.durability[library][mode].map((r) => r.peakRendererBytes ?? 0)),
      ),
    );
  rows.push({
    metric: 'peak renderer process memory (page + worker) during those runs',
    ours: peakMemory('wasm'),
    theirs: peakMemory('tidal'),
    advantage: '',
    target: '',
    meets: '',
  });

  const drainRate = (runs) => median(runs.map((r) => r.steadyRate));
  const drainEvents = results.drain.wasm[0]?.events ?? 0;
  const ofBareFetch = (rate, ceiling) =>
    Number.isFinite(rate) && median(ceiling) ? ` (${Math.round((100 * rate) / median(ceiling))} % of bare fetch)` : '';
  for (const [label, runs, ceiling] of [
    ['1 request in flight', results.drain.wasm, results.fetchCeiling.one],
    ['maxInFlightBatches: 4 (TIDAL: 1, it has no such option)', results.drain.wasmParallel, results.fetchCeiling.four],
  ]) {
    rows.push({
      metric: `drain of ${drainEvents.toLocaleString('en-US')} stored events, events/s, ${label}`,
      ours: number(drainRate(runs)) + ofBareFetch(drainRate(runs), ceiling),
      theirs:
        number(drainRate(results.drain.tidal)) +
        ofBareFetch(drainRate(results.drain.tidal), results.fetchCeiling.one) +
        (results.drain.tidal.some((r) => !r.complete) ? '; did not finish in 60 s' : '') +
        (results.drain.tidal.some((r) => r.crashed) ? '; tab crashed' : ''),
      advantage: advantage(drainRate(runs), drainRate(results.drain.tidal), false),
      target: `≥ ${Math.round(TARGETS.drainShareOfBareFetch * 100)} % of bare fetch`,
      meets: verdict(drainRate(runs) >= TARGETS.drainShareOfBareFetch * median(ceiling)),
    });
  }

  rows.push({
    metric: 'for scale: a bare fetch loop in the page, same bodies, no producer, events/s, 1 / 4 in flight',
    ours: pair(median(results.fetchCeiling.one), median(results.fetchCeiling.four)),
    theirs: '(same)',
    advantage: '',
    target: '',
    meets: '',
  });

  // init: no slower than TIDAL's with nothing or 1k stored, at most half of
  // it with 10k stored (the restore must not grow with the queue as TIDAL's does).
  const initRow = (label, ours, theirs, limit) => {
    const a = median(ours.times);
    const b = median(theirs.times);
    rows.push({
      metric: `init, ms, ${label}: ${initBreakdown(ours.timings)}`,
      ours: number(a),
      theirs: number(b),
      advantage: advantage(a, b, true),
      target: limit === 1 ? '≤ TIDAL' : `≤ ${limit}× TIDAL`,
      meets: verdict(a <= b * limit),
    });
  };
  initRow('nothing stored', results.initEmpty.wasm, results.initEmpty.tidal, 1);
  for (const stored of results.initStored.wasm) {
    const theirsStored = results.initStored.tidal.find((t) => t.count === stored.count);
    if (!theirsStored) continue;
    initRow(
      `${stored.count.toLocaleString('en-US')} events stored`,
      stored,
      theirsStored,
      stored.count >= 10000 ? 0.5 : 1,
    );
  }
  for (const { depth } of ours) {
    const a = at(ours, depth);
    const b = at(theirs, depth);
    if (!depth || a.initMs === undefined) continue;
    rows.push({
      metric: `init, ms, after the depth ${depthLabel(depth)} phases (${number(a.restored)} events stored)`,
      ours: number(a.initMs),
      theirs: number(b?.initMs),
      advantage: advantage(a.initMs, b?.initMs, true),
      target: '',
      meets: '',
    });
  }
  rows.push({
    metric: 'download, gzip -9 bytes, all files',
    ours: bytes(results.sizes.wasmTotal),
    theirs: bytes(results.sizes.tidalTotal),
    advantage: advantage(results.sizes.wasmTotal, results.sizes.tidalTotal, true),
    target: `≤ ${TARGETS.gzipBytes.toLocaleString('en-US')} B`,
    meets: verdict(results.sizes.wasmTotal <= TARGETS.gzipBytes),
  });
  const pageEntry = results.sizes.wasm.find((f) => f.path.endsWith('index.js'));
  rows.push({
    metric: "download, gzip -9 bytes, page entry (the main thread's share)",
    ours: bytes(pageEntry.gzip),
    theirs: bytes(results.sizes.tidalTotal),
    advantage: advantage(pageEntry.gzip, results.sizes.tidalTotal, true),
    target: `≤ ${TARGETS.pageEntryGzipBytes.toLocaleString('en-US')} B`,
    meets: verdict(pageEntry.gzip <= TARGETS.pageEntryGzipBytes),
  });
  return rows;
}

const COLUMNS = [
  ['metric', 'metric'],
  ['ours', 'this package'],
  ['theirs', 'TIDAL 2.4.1'],
  ['advantage', 'this package is'],
  ['target', 'target'],
  ['meets', 'meets'],
];

export function renderTerminalTable(results) {
  const rows = comparisonRows(results).map((row) => ({ ...row, meets: row.meets.replaceAll('*', '') }));
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((r) => String(r[key]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(COLUMNS.map(([key]) => row[key]))),
  ].join('\n');
}

function markdownTable(header, rows) {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ].join('\n');
}

function detailsOfDepths(results) {
  const rows = [];
  for (const [library, name] of Object.entries(results.libraries)) {
    for (const p of results.depths[library]) {
      if (p.crashed) {
        rows.push([
          depthLabel(p.depth),
          name,
          p.queuedAtStart.toLocaleString('en-US'),
          'the page crashed',
          '',
          '',
          '',
          '',
          '',
        ]);
        continue;
      }
      rows.push([
        depthLabel(p.depth),
        name,
        p.queuedAtStart.toLocaleString('en-US'),
        [p.fillMs ? `${number(p.fillMs)} ms` : '', p.initMs ? `init ${number(p.initMs)} ms` : '']
          .filter(Boolean)
          .join('; '),
        p.costEvents,
        pair(p.callP50, p.callP99),
        pair(p.totalP50, p.totalP99),
        `${bytes(p.storedBytesPerEvent)} (${p.storedBytesEvents} events, ${number(p.putsPerEvent)} puts/event)`,
        p.notDurable
          ? `${pair(p.durableAtDepthP50, p.durableAtDepthP99)} (${p.notDurable} not durable)`
          : pair(p.durableAtDepthP50, p.durableAtDepthP99),
      ]);
    }
  }
  return markdownTable(
    [
      'depth',
      'library',
      'queued at start',
      'reached in; restore',
      'events timed',
      'call µs p50 / p99',
      'incl. deferred µs p50 / p99',
      'stored bytes / event',
      'sendEvent → durable ms p50 / p99 at depth',
    ],
    rows,
  );
}

function detailsOfMemory(results) {
  const rows = [];
  for (const [library, name] of Object.entries(results.libraries)) {
    for (const p of results.depths[library]) {
      if (!p.memory) continue;
      const m = p.memory;
      rows.push([
        depthLabel(p.depth),
        name,
        bytes(m.byScope?.Window),
        bytes(m.pageJsHeapUsed),
        bytes(m.byScope?.DedicatedWorkerGlobalScope),
        m.wasmMemoryBytes ? bytes(m.wasmMemoryBytes) : '—',
      ]);
    }
  }
  return markdownTable(
    [
      'depth',
      'library',
      'page (measureUserAgentSpecificMemory)',
      'page usedJSHeapSize',
      'worker JS (measureUserAgentSpecificMemory)',
      'wasm linear memory',
    ],
    rows,
  );
}

function detailsOfDurability(results) {
  const rows = [];
  for (const [library, name] of Object.entries(results.libraries)) {
    for (const mode of ['down', 'up']) {
      results.durability[library][mode].forEach((r, i) => {
        rows.push([
          name,
          mode,
          i + 1,
          r.events,
          number(r.achievedRate),
          number(r.p50),
          number(r.p99),
          number(r.max),
          r.crashed
            ? r.achievedRate === undefined
              ? 'all: the tab crashed'
              : `${r.neverWritten}, then the tab crashed`
            : r.neverWritten,
          mode === 'up' && !r.crashed ? r.delivered : '',
          library === 'wasm' ? `${r.pollsWithStorageError} of ${r.statsPolls}` : 'n/a',
          bytes(r.peakRendererBytes),
        ]);
      });
    }
  }
  return markdownTable(
    [
      'library',
      'consumer',
      'run',
      'events',
      'events/s sent',
      'p50 ms',
      'p99 ms',
      'max ms',
      'never in IndexedDB',
      'delivered',
      'getStats() polls with storageError',
      'peak renderer memory',
    ],
    rows,
  );
}

function detailsOfDrain(results) {
  const rows = [];
  const runs = [
    ...results.drain.wasm.map((r) => [results.libraries.wasm, r]),
    ...results.drain.wasmParallel.map((r) => [results.libraries.wasm, r]),
    ...results.drain.tidal.map((r) => [results.libraries.tidal, r]),
  ];
  for (const [name, r] of runs) {
    rows.push([
      name,
      r.maxInFlightBatches,
      number(r.initMs),
      r.restored.toLocaleString('en-US'),
      `${r.accepted.toLocaleString('en-US')}${r.complete ? '' : ' (timed out)'}${r.crashed ? ' (tab crashed)' : ''}`,
      number(r.endToEndMs),
      number(r.endToEndRate),
      number(r.steadyRate),
      r.duplicates ?? 'n/a',
    ]);
  }
  return markdownTable(
    [
      'library',
      'in flight',
      'init ms',
      'restored',
      'accepted',
      'init → all accepted, ms',
      'events/s end to end',
      'events/s first → last accepted',
      'duplicates at consumer',
    ],
    rows,
  );
}

function detailsOfSizes(results) {
  const rows = [
    ...results.sizes.wasm.map((f) => [
      results.libraries.wasm,
      f.path,
      f.raw.toLocaleString('en-US'),
      `${f.gzip.toLocaleString('en-US')} (${Math.round((100 * f.gzip) / results.sizes.wasmTotal)} %)`,
    ]),
    [results.libraries.wasm, '**total**', '', `**${results.sizes.wasmTotal.toLocaleString('en-US')}**`],
    ...results.sizes.tidal.map((f) => [
      results.libraries.tidal,
      f.path,
      f.raw.toLocaleString('en-US'),
      f.gzip.toLocaleString('en-US'),
    ]),
  ];
  return markdownTable(['library', 'file', 'bytes', 'gzip -9 bytes'], rows);
}

/** Things a reader must know before trusting a figure, found in the data. */
function checks(results) {
  const found = [...(results.problems ?? [])];
  for (const [library, name] of Object.entries(results.libraries)) {
    for (const p of results.depths[library]) {
      if (p.crashed) continue; // listed with the problems
      if (p.notDurable)
        found.push(
          `${name}, depth ${depthLabel(p.depth)}: ${p.notDurable} of ${p.storedBytesEvents} events were not durable within the wait.`,
        );
      if (p.costEvents < results.plan.batchSize * 2)
        found.push(`${name}, depth ${depthLabel(p.depth)}: only ${p.costEvents} events timed within the time limit.`);
    }
    for (const r of [...results.durability[library].down, ...results.durability[library].up]) {
      const run = `${name}, durability with the consumer ${r.consumerMode}`;
      if (r.crashed) continue; // listed with the problems
      if (r.consumerMode === 'down' && r.neverWritten)
        found.push(`${run}: ${r.neverWritten} of ${r.events} events were not in IndexedDB 20 s after the last call.`);
      if (r.consumerMode === 'up' && r.neverWritten) {
        found.push(
          `${run}: ${r.neverWritten} of ${r.events} events were not written to IndexedDB within 20 s; ` +
            `${r.delivered} of ${r.events} were delivered.`,
        );
      }
      if (r.pollsWithStorageError)
        found.push(
          `${run}: getStats().storageError was set in ${r.pollsWithStorageError} of ${r.statsPolls} polls (a failed IndexedDB sync; the worker retries it 1 s later).`,
        );
      if (r.achievedRate < 900)
        found.push(`${run}: the page could send only ${number(r.achievedRate)} events/s of the 1,000 asked.`);
    }
  }
  const drainRuns = [
    ...[...results.drain.wasm, ...results.drain.wasmParallel].map((r) => [results.libraries.wasm, r]),
    ...results.drain.tidal.map((r) => [results.libraries.tidal, r]),
  ];
  for (const [name, r] of drainRuns) {
    if (r.restored < r.events) found.push(`${name}, drain: init restored ${r.restored} of ${r.events} stored events.`);
    if (!r.complete) found.push(`${name}, drain: only ${r.accepted} of ${r.events} accepted within 60 s.`);
    if (r.duplicates)
      found.push(
        `${name}, drain (${r.maxInFlightBatches} in flight): the consumer saw ${r.duplicates} duplicate deliveries.`,
      );
  }
  return found;
}

/** The results table of RESULTS.md, from which the README's summary is taken. */
export function renderResultsTable(results) {
  const rows = comparisonRows(results);
  return markdownTable(
    COLUMNS.map(([, title]) => title),
    rows.map((row) => COLUMNS.map(([key]) => row[key])),
  );
}

/** The rows of a results table as renderResultsTable writes it: { metric, ours, theirs, … } each. */
function resultsTableRows(table) {
  const cells = (line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
  const [header, , ...rows] = table.trim().split('\n');
  const titles = COLUMNS.map(([, title]) => title);
  if (cells(header).join('|') !== titles.join('|')) throw new Error(`not a results table: ${header}`);
  return rows.map((line) => Object.fromEntries(cells(line).map((cell, i) => [COLUMNS[i][0], cell])));
}

// The README's performance summary: five rows of the results table, each a
// question a newcomer asks (how big, how fast to start, what it costs the main
// thread, how fast it sends, how soon an event is safe), with TIDAL's figure
// beside it. `metric` finds the row in the table; `label` is the README's name.
const README_SUMMARY = [
  {
    metric: (m) => m === 'download, gzip -9 bytes, all files',
    label: 'download, gzip -9 (page entry, worker and wasm)',
  },
  {
    metric: (m) => m.startsWith('init, ms, nothing stored:'),
    label: '`init`, ms, nothing stored, in a new tab',
  },
  {
    metric: (m) => m === 'main thread incl. deferred work, µs/event p50 / p99, depth 0',
    label: 'main-thread cost of `sendEvent` and the work it defers, µs/event p50 / p99, empty queue',
  },
  {
    metric: (m) => m.startsWith('drain of ') && m.endsWith(', events/s, 1 request in flight'),
    label: 'throughput: a stored backlog drained, events/s, 1 request in flight',
  },
  {
    metric: (m) => m === 'sendEvent → durable in IndexedDB, 1,000 events/s, consumer down, ms p50 / p99',
    label: '`sendEvent` → durable in IndexedDB at 1,000 events/s, collector down, ms p50 / p99',
  },
];

const SUMMARY_COLUMNS = [
  ['metric', 'metric'],
  ['ours', 'this package'],
  ['theirs', '@tidal-music/event-producer 2.4.1'],
  ['advantage', 'this package is'],
];

/** The README's performance summary, taken from `resultsTable` (renderResultsTable's). */
export function readmeSummary(resultsTable) {
  const rows = resultsTableRows(resultsTable);
  const picked = README_SUMMARY.map(({ metric, label }) => {
    const row = rows.find((r) => metric(r.metric));
    if (!row) throw new Error(`the results table has no row for the README's "${label}"`);
    return { ...row, metric: label };
  });
  return markdownTable(
    SUMMARY_COLUMNS.map(([, title]) => title),
    picked.map((row) => SUMMARY_COLUMNS.map(([key]) => row[key])),
  );
}

// The README's performance section holds the summary between these lines,
// written by the bench from the same results as RESULTS.md.
export const README_RESULTS_START = "<!-- bench summary: written by npm run bench from bench/RESULTS.md's table -->";
export const README_RESULTS_END = '<!-- end of bench summary -->';

/** `readme` with the summary of `resultsTable` (renderResultsTable's) between the markers. */
export function withReadmeResults(readme, resultsTable) {
  const start = readme.indexOf(README_RESULTS_START);
  const end = readme.indexOf(README_RESULTS_END);
  if (start < 0 || end < start) throw new Error("the README's performance section lacks the summary markers");
  return `${readme.slice(0, start + README_RESULTS_START.length)}\n\n${readmeSummary(resultsTable)}\n\n${readme.slice(end)}`;
}

export function renderMarkdown(results) {
  const m = results.machine;
  const found = checks(results);
  const depths = results.plan.depths.map(depthLabel).join(', ');
  return `# Benchmark: this package vs @tidal-music/event-producer 2.4.1

Generated by \`${m.quick ? 'node bench/run.mjs --quick' : 'npm run bench'}\` (bench/run.mjs); do not edit, the next run rewrites it.

- Run: ${m.date}, ${number(results.durationS)} s${m.quick ? ', quick (smaller) run' : ''}.
- Machine: ${m.cores} cores, ${m.cpu}, ${number(m.memoryGiB)} GiB RAM; 1-minute load average
  ${number(m.loadAverageAtStart)} at the start and ${number(m.loadAverageAtEnd)} at the end (the machine is
  shared with other work: timings vary between runs, the bare-fetch figures give the scale).
- Browser: ${m.chromium}, headless, driven by playwright-core; Node ${m.node}.
- Both libraries run in the same browser against the reference consumer (\`demo/consumer\`)
  on 127.0.0.1, with the same events (a ~0.5 KB \`playback_session\` event) and the same config.

## Results

${renderResultsTable(results)}

![main-thread cost per event vs queue depth, and drain rate](chart.svg)

## How each figure was measured

- **Queue depths** (${depths}), each in a fresh browser. This package is filled through
  \`sendEvent\` with the consumer in \`down\` mode and \`eventBatchInterval\` at 10⁸ ms
  (\`maxDiskUsageBytes\` 200 MiB); "reached in" is the time until the last event was in
  IndexedDB. TIDAL's \`sendEvent\` rewrites its whole queue per event (filling 10k that way
  copies ~25 GB), so its depth is made by writing its stored queue (\`EventProducerDB\` /
  \`keyvaluepairs\` / \`events\`, events built as its submitter builds them) and calling
  \`init\`, which restores it. Then, in this order: memory (10k and 100k), stored bytes,
  main-thread cost; each phase adds its events to the queue (counts in the details).
  "restore": \`init\` time with that queue stored (this package: after the phases, the tab
  is reloaded and \`init\` restores its queue; TIDAL: the \`init\` that made its depth).
- **sendEvent call**: \`performance.now()\` around ${results.plan.batchSize} back-to-back
  \`sendEvent\` calls, divided by ${results.plan.batchSize}; p50 and p99 over the batches.
  Chromium quantises \`performance.now()\` to 5 µs (cross-origin isolated page; 100 µs
  otherwise), so a single call of a few µs can't be timed; a batch of 10 gives 0.5 µs
  resolution, and the p99 is that of batch means (a single call's p99 can be higher).
- **main thread incl. deferred work**: from the same start until the end of the
  \`worker.postMessage\` that hands the events to the worker (the page wraps
  \`Worker.prototype.postMessage\`). TIDAL's \`sendEvent\` returns after a few µs and does
  the rest in promise continuations: headers, validation, and posting its whole queue to
  its worker (a structured clone of every queued event, per event). This package posts
  the buffered JSON strings once per microtask.
- **IndexedDB bytes written per event**: each library's worker is started through
  \`bench/pages/worker-probe.js\`, which wraps \`IDBObjectStore.prototype.put\` in the
  worker: for this package the file contents written (+ key); for TIDAL the JSON
  size of the value (its whole queue). Counted over N events sent at 1,000/s (N in the details),
  until the last is durable, divided by N.
- **sendEvent → durable**: ${results.plan.durability.events.toLocaleString('en-US')} events sent at 1,000 events/s
  (in 1 ms timer ticks) with \`eventBatchInterval\` 1,000 ms; for each event, the time from
  its \`sendEvent\` call (page clock) to the \`complete\` event of the first IndexedDB
  transaction whose put()s contain it (worker clock; both \`performance.timeOrigin + now()\`),
  found by a sequence number in its payload. For this package that is its group commit
  (one transaction of the changed files); for TIDAL, localforage's \`setItem\` of its whole queue. With the
  consumer \`down\` every event must be written, and one not written 20 s after the last
  call counts as ∞. With the consumer \`up\` an event can be delivered and settled before
  it is ever written: those are counted ("never written"), and the percentiles are over
  the written ones. Median over ${results.plan.durability.repetitions.wasm} run(s) each for this
  package, ${results.plan.durability.repetitions.tidal} for TIDAL (its tab runs out of memory). For this
  package \`getStats()\` is also polled every 50 ms while sending, to see failed syncs
  (\`storageError\`). The peak memory is the largest resident size of the renderer process
  that holds the page and its worker, sampled from /proc every 500 ms.
- **drain**: ${drainEventsLabel(results)} events stored with the consumer \`down\`
  (this package: through \`sendEvent\`, then a reload of the same tab; TIDAL: its stored
  queue written as above); then the consumer is reset and \`up\`, \`init\` is called with
  \`eventBatchInterval\` 1,000 ms, and the consumer's \`accepted\` count is polled every 50 ms
  until all are in. The table's rate is from the consumer's own receipt times, first batch
  to last event (the sending throughput; the consumer runs on the bench's Node thread, and
  asking it more often took a few % from it); the worker probe stops searching the worker's
  writes once \`init\` has resolved. The details also give init → all accepted, which
  includes each library's wait before its first send. Median over ${results.plan.drain.repetitions.wasm} run(s) for this package,
  ${results.plan.drain.repetitions.tidal} for TIDAL. For scale, the same
  number of events in the same bodies is POSTed by a bare \`fetch\` loop in a page (no
  producer, no storage), 1 and 4 requests at a time (\`node bench/run.mjs --drain\` also
  runs it in a worker, where this package's requests start: the same rate within noise): what Chromium's network stack and
  the consumer (one \`fsync\` per request, on the bench's Node thread) allow on this machine.
- **init**: \`await init(config)\` in the page, including the worker's start, the wasm
  compile and the restore. Files are served as an app should serve them (\`Cache-Control:
  no-cache\` with an \`ETag\`): the first load of a fresh browser is cold, later loads
  revalidate and use the HTTP cache and the compiled code. Median of ${results.plan.initRepetitions}:
  nothing stored, a new tab each time; stored, the same tab reloaded with the consumer down.
- **memory**: \`performance.measureUserAgentSpecificMemory()\` (the bench server sends
  COOP/COEP so the page is cross-origin isolated; Chromium runs with
  \`--enable-blink-features=ForceEagerMeasureMemory\`), summed per scope: \`Window\` (page)
  and \`DedicatedWorkerGlobalScope\` (worker JS heap). The wasm linear memory is not part of
  that measurement; the probe reads the size of the \`WebAssembly.Memory\` it saw
  instantiated in the worker. Taken after the stored-bytes phase at 10k and 100k.
- **download**: gzip level 9 (node zlib) of each file a page loads. TIDAL's
  \`dist/index.js\` inlines its worker and localforage (its 236-byte nanoid chunk is only
  loaded where \`crypto.randomUUID\` is missing).
- Every scenario starts a new Chromium with a fresh profile and a new consumer with a
  fresh data folder. TIDAL's TrueTime ping to api.tidal.com is answered locally with a
  \`Date\` header, as in production (unsynchronised, it warns on every event).

## Details

### Queue depths

${detailsOfDepths(results)}

### Memory

${detailsOfMemory(results)}

### sendEvent → durable at 1,000 events/s

${detailsOfDurability(results)}

### Drain and init with a stored queue

${detailsOfDrain(results)}

### Init (ms)

${detailsOfInit(results)}

### Download size

${detailsOfSizes(results)}

## Checks

${found.length ? found.map((line) => `- ${line}`).join('\n') : '- Every phase completed: all events were durable and delivered within their waits, no page errors, no duplicates.'}
`;
}

// The steps of this package's init, in ms since the page created its worker (getStats().initTimings).
const INIT_STEPS = [
  ['workerStarted', 'worker thread'],
  ['scriptEvaluated', 'worker script'],
  ['initCalled', 'init called'],
  ['wasmReady', 'wasm compiled'],
  ['storeClaimed', 'store claimed'],
  ['storeOpened', 'database open'],
  ['initAnswered', 'init answered'],
  ['coreCreated', 'core created'],
  ['storeRead', 'store read'],
  ['restored', 'restored'],
];

/** Median time of each init step over `timings`, as "worker script 12, wasm compiled 30, …". */
function initBreakdown(timings) {
  const present = (timings ?? []).filter(Boolean);
  if (!present.length) return 'no breakdown';
  return INIT_STEPS.map(([key, label]) => `${label} ${number(median(present.map((t) => t[key])))}`).join(', ');
}

function detailsOfInit(results) {
  const scenarios = [['nothing stored', (library) => results.initEmpty[library]]];
  for (const { count } of results.initStored.wasm) {
    scenarios.push([
      `${count.toLocaleString('en-US')} stored`,
      (library) => results.initStored[library].find((s) => s.count === count),
    ]);
  }
  const rows = [];
  for (const [label, runsOf] of scenarios) {
    for (const [library, name] of Object.entries(results.libraries)) {
      const runs = runsOf(library);
      if (!runs) continue;
      rows.push([
        label,
        name,
        runs.times.map((t) => number(t)).join(', '),
        number(median(runs.times)),
        library === 'wasm' ? initBreakdown(runs.timings) : '',
      ]);
    }
  }
  return `The page's \`await init(config)\`, each run in a new page (nothing stored) or the same tab reloaded
(stored). This package's steps are medians in ms since the page created its worker: it is created when
the page loads the module (as TIDAL creates its own), so steps can finish before init is called.

${markdownTable(['scenario', 'library', 'runs (ms)', 'median', "this package's steps (ms since the page created the worker)"], rows)}`;
}

function drainEventsLabel(results) {
  return (results.drain.wasm[0]?.events ?? 0).toLocaleString('en-US');
}
