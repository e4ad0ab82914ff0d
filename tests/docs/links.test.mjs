// Every relative link of the README and of docs/ leads somewhere: the file
// exists, and an #anchor names a heading of the page it points into, as
// GitHub makes anchors of headings.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The text outside fenced code blocks, where a # starts a heading. */
function withoutCodeBlocks(markdown) {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** The text outside code blocks and inline code, where a link is a link. */
function prose(markdown) {
  return withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor of a heading: lower case, punctuation and symbols dropped, spaces to hyphens. */
function slug(heading) {
  return heading
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown page; a repeated heading gets -1, -2, … as on GitHub. */
function anchors(markdown) {
  const seen = new Map();
  const found = new Set();
  for (const [, heading] of withoutCodeBlocks(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count ? `${base}-${count}` : base);
  }
  return found;
}

/** Every [text](target) of a page whose target is not a URL with a scheme. */
function relativeLinks(markdown) {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target]) => target)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

test('the README links to every page of docs/', () => {
  const linked = new Set(
    relativeLinks(readFileSync(join(root, 'README.md'), 'utf8')).map((target) => target.split('#')[0]),
  );
  for (const page of pages.filter((page) => page !== 'README.md')) assert.ok(linked.has(page), page);
});

for (const page of pages) {
  test(`every relative link and anchor of ${page} resolves`, () => {
    const markdown = readFileSync(join(root, page), 'utf8');
    const links = relativeLinks(markdown);
    for (const link of links) {
      const [path, anchor] = link.split('#');
      const target = path ? join(root, dirname(page), decodeURIComponent(path)) : join(root, page);
      const shown = relative(root, target);
      assert.ok(existsSync(target), `${page}: ${link} points to ${shown}, which does not exist`);
      if (anchor === undefined) continue;
      assert.ok(target.endsWith('.md'), `${page}: ${link} has an anchor into a file that is not Markdown`);
      assert.ok(
        anchors(readFileSync(target, 'utf8')).has(anchor),
        `${page}: ${link}: ${shown} has no heading whose anchor is #${anchor}`,
      );
    }
  });
}

test('anchors are made as GitHub makes them', () => {
  assert.deepEqual(
    [
      ...anchors(
        '# Page ⇄ worker protocol\n## After the last tab: the service worker\n### `init`\n## Set-up\n## Set-up\n',
      ),
    ],
    ['page--worker-protocol', 'after-the-last-tab-the-service-worker', 'init', 'set-up', 'set-up-1'],
  );
  assert.deepEqual([...anchors('```\n# not a heading\n```\n')], []);
});
