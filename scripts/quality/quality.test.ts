// What holds the layout and the house rules besides the linters: the picture of the arrows is current, the
// type assertions stay within their budget, the docs' worked example is code that compiles, and the docs' map of
// the tree is the tree.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { castBudget, countCasts } from './casts.ts';
import { drawGraph, graphDocument, graphFile } from './dependency-graph.ts';
import { backtickedPaths, codeBlockUnder, foldersOfTree, resolveNamedFolder, root, sectionUnder, workspaceFolders } from './layout-docs.ts';

test('docs/dependencies.md is the picture the imports draw (npm run deps:graph redraws it)', (t) => {
  t.is(readFileSync(graphFile, 'utf8'), graphDocument(drawGraph()));
});

test(`the running code holds at most ${castBudget} type assertions (npm run casts lists them)`, (t) => {
  const { total, byFile } = countCasts();
  t.true(
    total <= castBudget,
    `${total} type assertions; the most are in ${byFile
      .slice(0, 5)
      .map((f) => `${f.file} (${f.casts})`)
      .join(', ')}`,
  );
});

test("docs/reactors.md's worked example is domain/reactions/src/examples/erp-deliveries.ts, from its first import on", (t) => {
  const doc = readFileSync(join(root, 'docs/reactors.md'), 'utf8');
  const example = readFileSync(join(root, 'domain/reactions/src/examples/erp-deliveries.ts'), 'utf8');
  const section = doc.slice(doc.indexOf('## Adding a reactor'));
  // The first TypeScript block of the section, indented as a list item's.
  const block = /\n( *)```ts\n([\s\S]*?)\n\1```/.exec(section);
  t.truthy(block, 'the section has a TypeScript block');
  const indent = block?.[1] ?? '';
  const shown = (block?.[2] ?? '')
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n');
  t.is(shown, example.slice(example.search(/^import /m)).trimEnd(), 'copy the example file into the doc (or the doc into it)');
});

// The docs' map of the tree: every folder it names exists, and every package is on it (the README once
// listed two adapters long gone and left out five that had come; docs/architecture.md linked a picture
// that was never drawn).
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const architecture = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
const maps = [
  { doc: 'README.md, "What is here"', tree: codeBlockUnder(readme, '## What is here'), text: sectionUnder(readme, '## What is here') },
  { doc: 'docs/architecture.md', tree: codeBlockUnder(architecture, '## The folders'), text: architecture },
];

test('a tree drawn in the docs reads as the folders it names', (t) => {
  const tree = [
    'domain/      pure code',
    '  kernel/  the framework, see apps/',
    '  parcel/ route/   aggregates',
    'web/',
    'not/ a/ tree',
  ].join('\n');
  t.deepEqual(foldersOfTree(tree), ['domain', 'domain/kernel', 'domain/parcel', 'domain/route', 'web', 'not', 'not/a']);
  t.deepEqual(backtickedPaths('see `apps/local` and `domain/kernel/src/x.ts`, not `npm test` or ```\n`web/gone`\n```'), [
    'apps/local',
    'domain/kernel/src/x.ts',
  ]);
});

for (const { doc, tree, text } of maps) {
  test(`every folder ${doc} names exists`, (t) => {
    const named = [...foldersOfTree(tree), ...backtickedPaths(text)];
    t.true(named.length > 10, `${doc}: too few folders read (${named.join(', ')}): is the tree still a code block?`);
    t.deepEqual(
      named.filter((path) => resolveNamedFolder(path) === undefined),
      [],
      `${doc} names folders that do not exist`,
    );
  });

  test(`${doc} names every workspace package`, (t) => {
    const named = new Set(foldersOfTree(tree));
    t.deepEqual(
      workspaceFolders().filter((folder) => !named.has(folder)),
      [],
      `${doc} leaves out packages`,
    );
  });
}

test('docs/architecture.md links files that exist', (t) => {
  const links = [...architecture.matchAll(/\]\(([^)#\s]+)\)/g)].map((match) => match[1] ?? '').filter((link) => !/^[a-z]+:/.test(link));
  t.true(links.includes('dependencies.md'), 'it links the picture of the arrows');
  t.deepEqual(
    links.filter((link) => !existsSync(join(root, 'docs', link))),
    [],
  );
});
