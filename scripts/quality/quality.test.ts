// What holds the layout and the house rules besides the linters: the picture of the arrows is current, and
// the type assertions stay within their budget.
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
