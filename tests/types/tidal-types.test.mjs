// A TypeScript app written against @tidal-music/event-producer keeps
// compiling when its import names this package instead: tests/apps/typescript
// is type-checked with `tsc --noEmit`, with this package installed from its
// tarball as users get it and TIDAL's packages beside it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { installPackedPackage, PACKAGE_NAME, packageRoot } from '../apps/install-packed-package.mjs';

const TIDAL_PACKAGE = '@tidal-music/event-producer';
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

let installed;
let appDir;

/** Runs `tsc --noEmit -p <project>` in the app; resolves to its diagnostics, empty when the project compiles. */
async function typeCheck(project) {
  try {
    await promisify(execFile)(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', project], { cwd: appDir });
    return '';
  } catch (failure) {
    return `${failure.stdout}${failure.stderr}` || String(failure);
  }
}

/** The names `moduleName` exports, types and values, as TypeScript resolves them from the app. */
function exportedNames(moduleName) {
  const probe = join(appDir, `exports-of-${moduleName.replace(/\W/g, '-')}.ts`);
  const host = ts.createCompilerHost({});
  const { config } = ts.readConfigFile(join(appDir, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, appDir);
  const source = `import * as probed from '${moduleName}';\nexport { probed };\n`;
  host.readFile = (file) => (file === probe ? source : ts.sys.readFile(file));
  host.fileExists = (file) => file === probe || ts.sys.fileExists(file);
  const program = ts.createProgram([probe], options, host);
  const checker = program.getTypeChecker();
  const [importDeclaration] = program.getSourceFile(probe).statements;
  const module = checker.getSymbolAtLocation(importDeclaration.moduleSpecifier);
  assert.ok(module, `${moduleName} resolves from the app`);
  return checker
    .getExportsOfModule(module)
    .map((symbol) => symbol.name)
    .sort();
}

before(async () => {
  installed = await installPackedPackage();
  appDir = join(installed.appsDir, 'typescript');
  // An app moving from TIDAL's package still has @tidal-music/common (its
  // credentials provider's types come from there), and the shape check
  // compares against TIDAL's own types: both come from the repository.
  await symlink(
    join(packageRoot, 'node_modules', '@tidal-music'),
    join(installed.appsDir, 'node_modules', '@tidal-music'),
    'dir',
  );
});

after(async () => {
  await installed?.remove();
});

test("the app compiles against TIDAL's own types, as written", async () => {
  assert.equal(await typeCheck('tsconfig.json'), '');
});

test("the app compiles against this package's types once its import is changed", async () => {
  const file = join(appDir, 'tidal-app.ts');
  const written = await readFile(file, 'utf8');
  const switched = written.replaceAll(`from '${TIDAL_PACKAGE}'`, `from '${PACKAGE_NAME}'`);
  assert.notEqual(switched, written);
  await writeFile(file, switched);
  try {
    assert.equal(await typeCheck('tsconfig.json'), '');
  } finally {
    await writeFile(file, written);
  }
});

test("every name TIDAL's package exports is exported here too", () => {
  const ours = exportedNames(PACKAGE_NAME);
  const missing = exportedNames(TIDAL_PACKAGE).filter((name) => !ours.includes(name));
  assert.deepEqual(missing, []);
});

test("every type TIDAL's package exports has the same shape here, and what TIDAL's accept is accepted", async () => {
  assert.equal(await typeCheck('tsconfig.shapes.json'), '');
});
