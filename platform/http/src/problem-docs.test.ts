// Problem types lead somewhere: docs/problems.md documents exactly the types the code answers with, every
// type any file names is one of them, and every API serves each type's documentation at its URI.
import { silentLogger } from '@meridian/kernel';
import test from 'ava';
import Koa from 'koa';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorBoundary } from './error-boundary.ts';
import { parseProblemDocs, problemDocsPath } from './problem-docs.ts';
import { problemSlugs, problemTypes } from './problem.ts';
import { publicRouter } from './public-routes.ts';
import { serve } from './server.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const docs = parseProblemDocs(readFileSync(problemDocsPath, 'utf8'));

test('docs/problems.md documents exactly the problem types the code makes, with their status and title', (t) => {
  const bySlug = (a: { slug: string }, b: { slug: string }) => a.slug.localeCompare(b.slug);
  t.deepEqual(
    docs.types.map(({ slug, status, title }) => ({ slug, status, title })).sort(bySlug),
    problemSlugs.map((slug) => ({ slug, status: problemTypes[slug].status, title: problemTypes[slug].title })).sort(bySlug),
  );
  for (const type of docs.types) t.true(type.text.length > 20, `${type.slug} says when it is answered`);
});

const sourceFiles = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : /\.(ts|md)$/.test(entry.name) ? [path] : [];
  });

test('every problem type a source file, a test or a document names is documented', (t) => {
  const documented = new Set(docs.types.map((type) => type.slug));
  // This file is left out: it names made-up types on purpose.
  const files = [
    ...['apps', 'adapters', 'domain', 'projections', 'scripts', 'docs'].flatMap((folder) => sourceFiles(join(root, folder))),
    join(root, 'README.md'),
  ].filter((file) => file !== fileURLToPath(import.meta.url));
  const named = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\/problems\/([a-z0-9]+(?:-[a-z0-9]+)*)/g)].map((match) => ({
      file: relative(root, file),
      slug: match[1] ?? '',
    })),
  );
  t.true(named.length > 20, 'the scan finds the types the code names');
  t.deepEqual(
    named.filter(({ slug }) => !documented.has(slug)),
    [],
  );
});

const startDocumentation = async () => {
  const app = new Koa();
  const open = publicRouter({ health: () => ({ status: 'ok' }), openapi: () => ({}) });
  app.use(errorBoundary(silentLogger));
  app.use(open.routes()).use(open.allowedMethods());
  return serve(app);
};

test('each problem type is served at its URI: a small accessible page, or JSON when asked for', async (t) => {
  const server = await startDocumentation();
  try {
    for (const slug of problemSlugs) {
      const page = await fetch(`${server.url}/problems/${slug}`, { headers: { accept: 'text/html' } });
      const html = await page.text();
      t.is(page.status, 200, slug);
      t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
      t.regex(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      t.regex(html, /^<!doctype html>\n<html lang="en">/);
      t.true(html.includes(`<title>${problemTypes[slug].title} (${problemTypes[slug].status}): Meridian problem type</title>`), slug);
      t.true(
        html.includes(`<h1>${problemTypes[slug].title}</h1>`) &&
          html.includes('<main>') &&
          html.includes('<nav aria-label="Problem types">'),
        slug,
      );
      t.false(/<script/i.test(html));
      const json = await fetch(`${server.url}/problems/${slug}`, { headers: { accept: 'application/json' } });
      t.like(await json.json(), { type: `/problems/${slug}`, title: problemTypes[slug].title, status: problemTypes[slug].status });
      t.is(json.headers.get('vary'), 'Accept');
    }
    const index = await (await fetch(`${server.url}/problems`)).text();
    for (const slug of problemSlugs) t.true(index.includes(`<a href="/problems/${slug}">`), slug);
    t.true(index.includes('<caption>'));
    const listed = (await (await fetch(`${server.url}/problems`, { headers: { accept: 'application/json' } })).json()) as {
      problemTypes: { type: string }[];
    };
    t.deepEqual(listed.problemTypes.map((type) => type.type).sort(), problemSlugs.map((slug) => `/problems/${slug}`).sort());
  } finally {
    await server.close(50);
  }
});

test('an unknown problem type is a not-found problem, whose own type is documented', async (t) => {
  const server = await startDocumentation();
  try {
    const unknown = await fetch(`${server.url}/problems/no-such-thing`);
    t.is(unknown.status, 404);
    t.is(unknown.headers.get('content-type'), 'application/problem+json');
    const body = (await unknown.json()) as { type: string };
    t.is((await fetch(`${server.url}${body.type}`)).status, 200);
  } finally {
    await server.close(50);
  }
});

test('the documentation escapes what the markdown holds, and a file in another shape is refused saying where', (t) => {
  const table = (row: string) => `# Problems\n\nIntro with \`code\`.\n\n| type | status | title | when |\n|---|---|---|---|\n${row}\n`;
  const parsed = parseProblemDocs(table('| `/problems/x-y` | 409 | X | when <script>alert(1)</script> happens, see `code` |'));
  t.deepEqual(
    parsed.types.map(({ slug, status, title }) => ({ slug, status, title })),
    [{ slug: 'x-y', status: 409, title: 'X' }],
  );
  t.is(parsed.types[0]?.html, 'when &lt;script&gt;alert(1)&lt;/script&gt; happens, see <code>code</code>');
  t.is(parsed.types[0]?.text, 'when <script>alert(1)</script> happens, see code');
  t.is(parsed.introHtml, '<p>Intro with <code>code</code>.</p>\n');
  t.throws(() => parseProblemDocs(table('| x-y | 409 | X | when |')), { message: /row 1: the type must be written as/ });
  t.throws(() => parseProblemDocs(table('| `/problems/x` | 200 | X | when |')), { message: /row 1: the status/ });
  t.throws(() => parseProblemDocs('# Problems\n\nno table\n'), { message: /no table/ });
});
