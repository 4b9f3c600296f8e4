// What holds the layout and the house rules besides the linters: the picture of the arrows is current, the
// type assertions stay within their budget, and the docs' worked example is code that compiles.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { castBudget, countCasts } from './casts.ts';
import { drawGraph, graphDocument, graphFile } from './dependency-graph.ts';

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
  const root = new URL('../..', import.meta.url);
  const doc = readFileSync(new URL('docs/reactors.md', root), 'utf8');
  const example = readFileSync(new URL('domain/reactions/src/examples/erp-deliveries.ts', root), 'utf8');
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
