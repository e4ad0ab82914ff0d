// The collector benchmark's section of bench/RESULTS.md, between two markers:
// bench/collector.mjs writes it, and bench/run.mjs keeps it when it rewrites
// the rest of the file.
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

/** `next` (a rewritten RESULTS.md) with the collector section `previous` had, if any. */
export function keepingCollectorSection(previous, next) {
  const kept = collectorSectionOf(previous);
  return kept ? `${next.trimEnd()}\n\n${kept}\n` : next;
}
