// `npm run casts`: the type assertions (`x as T`, `<T>x`; `as const` is not one) in the code that runs,
// tests and testing kits left out. Each is a place where the code tells the compiler instead of proving
// it; typed documents and decoding at the edge keep them few, and a test holds the budget.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { commandLineOrExit } from '@meridian/runtime';

const root = new URL('../..', import.meta.url).pathname;

/**
 * The most type assertions the running code may hold. Issue 11 sets "below 40"; it comes down as the typed
 * documents reach every collection (a ratchet: lower it whenever the count falls, never raise it).
 */
export const castBudget = 29;

const isCounted = (file: string) =>
  file.endsWith('.ts') &&
  !file.endsWith('.d.ts') &&
  !/\.test\.ts$|-test\.ts$|\/testing\/|test-fixtures|^scripts\/bench\/peers\//.test(file);

const isAssertion = (node: ts.Node): boolean =>
  (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) &&
  !(ts.isTypeReferenceNode(node.type) && ts.isIdentifier(node.type.typeName) && node.type.typeName.text === 'const');

export type CastCount = { readonly total: number; readonly byFile: readonly { readonly file: string; readonly casts: number }[] };

export const countCasts = (): CastCount => {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(isCounted);
  const byFile = files
    .map((file) => {
      const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
      let casts = 0;
      const visit = (node: ts.Node) => {
        if (isAssertion(node)) casts++;
        ts.forEachChild(node, visit);
      };
      visit(source);
      return { file, casts };
    })
    .filter((entry) => entry.casts > 0)
    .sort((a, b) => b.casts - a.casts || (a.file < b.file ? -1 : 1));
  return { total: byFile.reduce((sum, entry) => sum + entry.casts, 0), byFile };
};

const isMain = process.argv[1] === new URL(import.meta.url).pathname;
if (isMain) {
  commandLineOrExit('casts', {
    command: 'npm run casts',
    synopsis: '',
    summary: `Counts the type assertions outside tests (the budget: ${castBudget}), file by file.`,
    options: {},
  });
  const { total, byFile } = countCasts();
  for (const { file, casts } of byFile) process.stdout.write(`${String(casts).padStart(4)}  ${file}\n`);
  process.stdout.write(`${total} type assertions outside tests (budget ${castBudget})\n`);
  process.exit(total > castBudget ? 1 : 0);
}
