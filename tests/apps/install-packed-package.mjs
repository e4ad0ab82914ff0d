// The package as users get it: `npm pack` makes the tarball from the
// repository, and `npm install` puts it into a copy of these apps, offline,
// from the file, as it would go into any app.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const PACKAGE_NAME = 'tidal-event-producer-wasm';
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const appsSource = fileURLToPath(new URL('.', import.meta.url));

// npm's output for a pack that lists every file stays well under this.
const NPM_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Runs npm in `cwd`. A test run by `npm test` inherits npm's settings as
 * npm_* variables; the commands here are a user's own, so they start
 * without them.
 */
async function npm(args, cwd) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const { stdout } = await promisify(execFile)('npm', args, { cwd, env, maxBuffer: NPM_OUTPUT_BYTES });
  return stdout;
}

/**
 * Packs the package and installs the tarball into a fresh copy of tests/apps
 * in a temporary folder. Resolves to { work, tarball, packedFiles (sorted
 * paths inside the tarball), appsDir (the copy), installedPackage (its
 * node_modules/<package>), remove() }.
 */
export async function installPackedPackage() {
  const work = await mkdtemp(join(tmpdir(), 'tep-packed-'));
  // dist/ is built already (npm test builds before it tests); the prepack
  // script, which builds it, is for a pack from a fresh clone.
  const [packed] = JSON.parse(
    await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], packageRoot),
  );
  const tarball = join(work, packed.filename);
  const appsDir = join(work, 'apps');
  await cp(appsSource, appsDir, { recursive: true });
  await npm(['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], appsDir);
  return {
    work,
    tarball,
    packedFiles: packed.files.map((file) => file.path).sort(),
    appsDir,
    installedPackage: join(appsDir, 'node_modules', PACKAGE_NAME),
    remove: () => rm(work, { recursive: true, force: true }),
  };
}
