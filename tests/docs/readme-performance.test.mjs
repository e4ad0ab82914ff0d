// The README's performance section shows the committed benchmark's table,
// exactly as bench/RESULTS.md has it: both are written by the same run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { README_RESULTS_END, README_RESULTS_START } from '../../bench/report.mjs';

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

test("the README's performance table is bench/RESULTS.md's", () => {
  const readme = read('README.md');
  const inReadme = readme
    .slice(readme.indexOf(README_RESULTS_START) + README_RESULTS_START.length, readme.indexOf(README_RESULTS_END))
    .trim();
  const results = read('bench/RESULTS.md');
  const section = results.slice(results.indexOf('## Results'));
  const inResults = section.slice(section.indexOf('\n|'), section.indexOf('\n\n', section.indexOf('\n|') + 1)).trim();
  assert.ok(inResults.startsWith('| metric |'), 'RESULTS.md has its results table');
  assert.equal(inReadme, inResults);
});
