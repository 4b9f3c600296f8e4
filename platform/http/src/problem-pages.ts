// The problem types' documentation as small HTML pages: one per type at the type's own URI, so the `type`
// of an answer leads to what it means, and an index. Plain semantic HTML (a language, a title, landmarks,
// headings, a captioned table) that reads well without its few lines of CSS and runs no script.
import { createHash } from 'node:crypto';
import type { ProblemDocs, ProblemTypeDoc } from './problem-docs.ts';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const style = [
  'body{font:1rem/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1b1b1b;background:#fff}',
  'code{font-family:ui-monospace,monospace;font-size:.95em}',
  'a{color:#0b57d0}',
  'dt{font-weight:bold}',
  'table{border-collapse:collapse}',
  'th,td{text-align:left;vertical-align:top;padding:.4em .6em;border-bottom:1px solid #bbb}',
  '@media (prefers-color-scheme:dark){body{color:#e8e8e8;background:#121212}a{color:#8ab4f8}}',
].join('\n');

/** The pages allow their own stylesheet and nothing else: no script, no frame, no outside resource. */
export const problemPageSecurityPolicy = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
${body}
</body>
</html>
`;

const typeUri = (type: ProblemTypeDoc) => `/problems/${type.slug}`;

export const problemTypePage = (docs: ProblemDocs, type: ProblemTypeDoc): string =>
  page(
    `${type.title} (${type.status}): Meridian problem type`,
    `<nav aria-label="Problem types"><a href="/problems">Every problem type</a></nav>
<main>
<h1>${escapeHtml(type.title)}</h1>
<dl>
<dt>Type</dt><dd><code>${escapeHtml(typeUri(type))}</code></dd>
<dt>HTTP status</dt><dd>${type.status}</dd>
</dl>
<p>${type.html}</p>
<h2>About problem details</h2>
${docs.introHtml}</main>`,
  );

const indexRow = (type: ProblemTypeDoc) =>
  `<tr><td><a href="${escapeHtml(typeUri(type))}">${escapeHtml(type.title)}</a><br><code>${escapeHtml(typeUri(type))}</code></td><td>${type.status}</td><td>${type.html}</td></tr>`;

export const problemIndexPage = (docs: ProblemDocs): string =>
  page(
    'Meridian problem types',
    `<main>
<h1>Problem types</h1>
${docs.introHtml}<table>
<caption>Every problem type the Meridian APIs answer with</caption>
<thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">When, and what to do</th></tr></thead>
<tbody>
${docs.types.map(indexRow).join('\n')}
</tbody>
</table>
</main>`,
  );

/** The JSON form of a type's documentation, for `Accept: application/json`. */
export const problemTypeJson = (type: ProblemTypeDoc) => ({
  type: typeUri(type),
  title: type.title,
  status: type.status,
  description: type.text,
});
