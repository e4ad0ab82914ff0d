// The sections of bench/RESULTS.md that other scripts write, each between
// two markers: bench/collector.mjs writes the collector's, bench/soak.mjs one
// per library of the flapping soak, and bench/run.mjs keeps them all when it
// rewrites the rest of the file.
const START = '<!-- collector bench: written by npm run bench:collector -->';
const END = '<!-- end of collector bench -->';

/** The section in `markdown` with its markers, or '' when there is none. */
export function collectorSectionOf(markdown) {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  return start >= 0 && end > start ? markdown.slice(start, end + END.length) : '';
}

/** `markdown` with its collector section replaced by `body` (appended when there was none). */
export function withCollectorSection(markdown, body) {
  const section = `${START}\n${body.trim()}\n${END}`;
  const old = collectorSectionOf(markdown);
  return old ? markdown.replace(old, section) : `${markdown.trimEnd()}\n\n${section}\n`;
}

// The soak's sections: one per library, so a run of one keeps the other's.
const soakMarkers = (library) => [
  `<!-- soak ${library}: written by npm run soak -->`,
  `<!-- end of soak ${library} -->`,
];
const SOAK_HEADING = '## The flapping soak';
const SOAK_INTRO =
  `${SOAK_HEADING}\n\n` +
  '`npm run soak` (`bench/soak.mjs`): 300 events/s for 60 s from a page with the default config ' +
  '(`maxDiskUsageBytes` 5 MiB: at the bytes each queued event takes, in the table, it holds fewer than the ' +
  '18,000 events sent), while the reference ' +
  'consumer cycles up, down (connection refused), 503 and hang (no answer until the 10 s timeout) every 5 s, ' +
  'then stays up. Each run in a fresh browser profile against a fresh consumer. Delivered: distinct events ' +
  'the consumer holds; duplicates: entries it received again; dropped: sent, neither delivered nor queued (TIDAL counts none of its losses); ' +
  'recovery → drained: from the consumer up for good until it holds every event (or the queue is empty). ' +
  "Load (1 min): the machine's load average at the recovery, beside the 2 cores other work shares. " +
  'The promise: everything delivered within 90 s of the recovery.';

function sectionBetween(markdown, [start, end]) {
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  return from >= 0 && to > from ? markdown.slice(from, to + end.length) : '';
}

/** `markdown` with the soak's section of `library` ('wasm' or 'tidal') replaced by `body`. */
export function withSoakSection(markdown, library, body) {
  const markers = soakMarkers(library);
  const section = `${markers[0]}\n${body.trim()}\n${markers[1]}`;
  const old = sectionBetween(markdown, markers);
  if (old) return markdown.replace(old, section);
  const intro = markdown.includes(SOAK_HEADING) ? '' : `${SOAK_INTRO}\n\n`;
  return `${markdown.trimEnd()}\n\n${intro}${section}\n`;
}

/** `next` (a rewritten RESULTS.md) with the collector's and the soak's sections `previous` had, if any. */
export function keepingCollectorSection(previous, next) {
  let kept = collectorSectionOf(previous);
  const soak = ['wasm', 'tidal'].map((library) => sectionBetween(previous, soakMarkers(library))).filter(Boolean);
  if (soak.length) kept += `${kept ? '\n\n' : ''}${SOAK_INTRO}\n\n${soak.join('\n\n')}`;
  return kept ? `${next.trimEnd()}\n\n${kept}\n` : next;
}
