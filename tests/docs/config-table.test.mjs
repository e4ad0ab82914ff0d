// The README's Config table states each number's default and range as the
// one table of src/config_options.def has them (its ranges mirrored in
// web/config-table.js, whose words the README's range cells are).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CONFIG_NUMBERS, describedRange } from '../../web/config-table.js';
import { coreConfigNumbers } from '../web/core-config-table.mjs';

/** The rows of the README's Config table: field name → { default, range }. */
function readmeConfigRows() {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n### Config\n'), readme.indexOf('\n### Consent\n'));
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  assert.equal(lines[0], '| field | default | range | meaning |');
  const rows = new Map();
  for (const line of lines.slice(2)) {
    const cells = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
    assert.ok(cells.length >= 4, line);
    for (const [name] of cells[0].matchAll(/(?<=`)\w+(?=`)/g)) {
      if (!rows.has(name)) rows.set(name, { default: cells[1], range: cells[2] });
    }
  }
  return rows;
}

/** "30000 ms" → 30000, "5 MiB" → 5242880, "0 (never)" → 0, "the larger of 60000 ms and …" → 60000. */
function documentedNumber(cell) {
  const [number] = cell.match(/\d+/) ?? [];
  assert.ok(number !== undefined, `a number in '${cell}'`);
  const MEBIBYTE = 1024 * 1024;
  return Number(number) * (cell.includes('MiB') ? MEBIBYTE : 1);
}

test("each number's row states the table's default and range", () => {
  const rows = readmeConfigRows();
  const numbers = coreConfigNumbers();
  assert.equal(numbers.length, CONFIG_NUMBERS.length, 'the core table was read');
  for (const option of numbers) {
    const row = rows.get(option.field);
    assert.ok(row, `a row for ${option.field}`);
    assert.equal(documentedNumber(row.default), option.defaultValue, option.field);
    assert.equal(row.range, describedRange(option), option.field);
  }
});

test('every row has a range, and only the numbers state one of numbers', () => {
  const numbers = new Set(CONFIG_NUMBERS.map((option) => option.field));
  for (const [field, row] of readmeConfigRows()) {
    assert.notEqual(row.range, '', field);
    if (!numbers.has(field)) assert.doesNotMatch(row.range, /2\^53/, field);
  }
});
