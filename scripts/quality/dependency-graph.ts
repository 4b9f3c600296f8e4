// `npm run deps:graph`: the picture of docs/architecture.md, drawn from the imports. dependency-cruiser
// follows every import of the packages (tests and testing kits left out), collapses modules into their
// package folders, and renders the arrows as a Mermaid flowchart in docs/dependencies.md. With --check it
// only says whether the picture is current (a test runs that: the picture never drifts from the code).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLineOrExit } from '@meridian/runtime';

const root = new URL('../..', import.meta.url).pathname;
export const graphFile = join(root, 'docs', 'dependencies.md');

/** The Mermaid flowchart of the packages and their arrows, as dependency-cruiser draws it. */
export const drawGraph = (): string =>
  execFileSync(
    join(root, 'node_modules', '.bin', 'depcruise'),
    [
      'domain',
      'projections',
      'adapters',
      'platform',
      'apps',
      'web',
      '--config',
      '.dependency-cruiser.cjs',
      '--include-only',
      '^(domain|projections|adapters|platform|apps|web)/',
      '--exclude',
      '\\.test\\.ts$|/testing/|test-fixtures',
      '--collapse',
      '^(domain|adapters|platform|apps)/[^/]+|^projections|^web',
      '--output-type',
      'mermaid',
    ],
    { cwd: root, encoding: 'utf8' },
  ).trim();

export const graphDocument = (mermaid: string): string =>
  [
    '# The packages and their arrows',
    '',
    'Drawn from the imports by dependency-cruiser (`npm run deps:graph`; tests and testing kits left out). The',
    'rules these arrows keep are in `.dependency-cruiser.cjs`, and [architecture.md](architecture.md) says why.',
    'A test fails when this picture no longer matches the code.',
    '',
    '```mermaid',
    mermaid,
    '```',
    '',
  ].join('\n');

const isMain = process.argv[1] === new URL(import.meta.url).pathname;
if (isMain) {
  const { values } = commandLineOrExit('deps:graph', {
    command: 'npm run deps:graph',
    synopsis: '[--check]',
    summary: 'Draws the packages and their imports into docs/dependencies.md (Mermaid).',
    options: { check: { type: 'boolean', description: 'only say whether docs/dependencies.md is current (exit 1 if not)' } },
  });
  const document = graphDocument(drawGraph());
  if (values.check === true) {
    const current = readFileSync(graphFile, 'utf8') === document;
    process.stdout.write(current ? 'docs/dependencies.md is current\n' : 'docs/dependencies.md is out of date: run npm run deps:graph\n');
    process.exit(current ? 0 : 1);
  }
  writeFileSync(graphFile, document);
  process.stdout.write(`wrote ${graphFile}\n`);
}
