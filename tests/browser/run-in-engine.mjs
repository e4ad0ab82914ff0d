// Runs the browser tests in one engine: `node tests/browser/run-in-engine.mjs
// --engine firefox [node --test options] [test files]` (or ENGINE=firefox). Chromium runs
// every test file; Firefox and WebKit run the files written once for every
// engine, those that open their browser through ./engines.mjs. Ends with
// one line: the engine, its version, the counts and the time taken.
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectedEngine } from './engines.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const engine = selectedEngine();
const passThrough = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--engine') i++;
  else if (!process.argv[i].startsWith('--engine=')) passThrough.push(process.argv[i]);
}
// Test files given on the command line run instead of the engine's set.
const namedFiles = passThrough.filter((arg) => arg.endsWith('.test.mjs'));
const options = passThrough.filter((arg) => !arg.endsWith('.test.mjs'));
// Its output goes through a pipe here, where node --test would choose TAP:
// on a terminal, the readable form it would have chosen there.
if (process.stdout.isTTY && !options.some((arg) => arg.startsWith('--test-reporter')))
  options.push('--test-reporter=spec');

const writtenForEveryEngine = (file) => /from '\.\/engines\.mjs'/.test(readFileSync(file, 'utf8'));
const allFiles = readdirSync(here)
  .filter((name) => name.endsWith('.test.mjs'))
  .sort()
  .map((name) => join(here, name));
const files = namedFiles.length
  ? namedFiles
  : engine === 'chromium'
    ? allFiles
    : allFiles.filter(writtenForEveryEngine);

// The Debian package each engine comes from, for the closing line.
const debianPackage = { chromium: 'chromium', firefox: 'firefox-esr', webkit: 'libwebkit2gtk-4.1-0' }[engine];
let version = 'not installed';
try {
  version = execFileSync('dpkg-query', ['-W', '-f=${Version}', debianPackage], { encoding: 'utf8' });
} catch {}

console.log(`# browser tests in ${engine} (${debianPackage} ${version}): ${files.length} files`);
const started = Date.now();
const counts = { pass: 0, fail: 0, skipped: 0 };
const child = spawn(
  process.execPath,
  ['--test', '--test-concurrency=1', ...options, ...files.map((f) => relative(process.cwd(), f))],
  {
    env: { ...process.env, ENGINE: engine },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop();
  for (const line of lines) {
    // The summary lines of the tap and spec reporters: "# pass 12", "ℹ pass 12".
    const match = line.match(/^(?:#|ℹ) (pass|fail|skipped) (\d+)$/);
    if (match) counts[match[1]] = Number(match[2]);
  }
});
child.on('close', (code) => {
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    `# ${engine} ${version}: ${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped in ${seconds} s`,
  );
  process.exitCode = code ?? 1;
});
