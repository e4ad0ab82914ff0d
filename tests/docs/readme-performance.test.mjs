// The README's performance summary is five rows of the committed benchmark's
// table in bench/RESULTS.md, written by the same run: the summary the bench
// would write from RESULTS.md's table is the one the README holds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { README_RESULTS_END, README_RESULTS_START, readmeSummary, withReadmeResults } from '../../bench/report.mjs';

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The results table of RESULTS.md: its first table after "## Results". */
function resultsTable() {
  const results = read('bench/RESULTS.md');
  const section = results.slice(results.indexOf('## Results'));
  const start = section.indexOf('\n|');
  return section.slice(start, section.indexOf('\n\n', start + 1)).trim();
}

function readmeSection() {
  const readme = read('README.md');
  const start = readme.indexOf(README_RESULTS_START);
  const end = readme.indexOf(README_RESULTS_END);
  assert.ok(start >= 0 && end > start, 'the README has the summary markers');
  return readme.slice(start + README_RESULTS_START.length, end).trim();
}

test("the README's performance summary is the one the bench writes from bench/RESULTS.md's table", () => {
  assert.ok(resultsTable().startsWith('| metric |'), 'RESULTS.md has its results table');
  assert.equal(readmeSection(), readmeSummary(resultsTable()));
});

test("the summary has five rows, each with this package's figure beside @tidal-music/event-producer's", () => {
  const [header, , ...rows] = readmeSection().split('\n');
  assert.equal(header, '| metric | this package | @tidal-music/event-producer 2.4.1 | this package is |');
  assert.equal(rows.length, 5);
  for (const row of rows) {
    const [, metric, ours, theirs] = row.split('|').map((cell) => cell.trim());
    assert.match(ours, /\d/, metric);
    assert.notEqual(theirs, '', metric);
    assert.ok(resultsTable().includes(`| ${ours} | ${theirs} |`), `${metric}: the figures are a row of RESULTS.md`);
  }
});

test('the bench writes the summary between the markers and refuses a results table without a summary row', () => {
  const readme = `before\n${README_RESULTS_START}\nold\n${README_RESULTS_END}\nafter\n`;
  const written = withReadmeResults(readme, resultsTable());
  assert.equal(
    written,
    `before\n${README_RESULTS_START}\n\n${readmeSummary(resultsTable())}\n\n${README_RESULTS_END}\nafter\n`,
  );
  const withoutDrain = resultsTable()
    .split('\n')
    .filter((line) => !line.startsWith('| drain of '))
    .join('\n');
  assert.throws(() => readmeSummary(withoutDrain), /no row for the README's "throughput/);
});
