// The problem types' documentation, read from docs/problems.md: its introduction, and one entry per row of
// its table (type, status, title, when). markdown-it parses it and renders the HTML; raw HTML in the file
// is escaped, never passed through.
import MarkdownIt, { type Token } from 'markdown-it';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type ProblemTypeDoc = {
  readonly slug: string;
  readonly status: number;
  readonly title: string;
  /** When the type is answered, and what to do: as HTML for the page, as plain text for the JSON form. */
  readonly html: string;
  readonly text: string;
};

export type ProblemDocs = {
  /** What the file says between its top heading and its table, as HTML (what follows the table is for maintainers). */
  readonly introHtml: string;
  readonly types: readonly ProblemTypeDoc[];
};

export const problemDocsPath = fileURLToPath(new URL('../../../docs/problems.md', import.meta.url));

const markdown = new MarkdownIt({ html: false });
const render = (tokens: Token[]) => markdown.renderer.render(tokens, markdown.options, {});
const renderInline = (cell: Token) => markdown.renderer.renderInline(cell.children ?? [], markdown.options, {});
const inlineText = (cell: Token) => markdown.renderer.renderInlineAsText(cell.children ?? [], markdown.options, {});

/** The cells of each row of the table that starts at `start`: the inline token of each th or td. */
const tableRows = (tokens: readonly Token[], start: number): Token[][] => {
  const rows: Token[][] = [];
  for (let index = start; index < tokens.length && tokens[index]?.type !== 'table_close'; index++) {
    const token = tokens[index];
    if (token?.type === 'tr_open') rows.push([]);
    if (token?.type === 'inline') rows.at(-1)?.push(token);
  }
  return rows;
};

const columnsOf = (header: readonly Token[]) => {
  const names = header.map((cell) => cell.content.trim().toLowerCase());
  const column = (prefix: string) => {
    const index = names.findIndex((name) => name.startsWith(prefix));
    if (index < 0) throw new Error(`docs/problems.md: the table has no "${prefix}" column`);
    return index;
  };
  return { type: column('type'), status: column('status'), title: column('title'), when: column('when') };
};

const typeDocOf = (row: readonly Token[], columns: ReturnType<typeof columnsOf>, line: number): ProblemTypeDoc => {
  const cell = (index: number): Token => {
    const found = row[index];
    if (found === undefined) throw new Error(`docs/problems.md, row ${line}: a cell is missing`);
    return found;
  };
  const slug = /^`\/problems\/([a-z0-9-]+)`$/.exec(cell(columns.type).content.trim())?.[1];
  const status = Number(cell(columns.status).content.trim());
  if (slug === undefined) throw new Error(`docs/problems.md, row ${line}: the type must be written as \`/problems/<slug>\``);
  if (!Number.isInteger(status) || status < 400 || status > 599)
    throw new Error(`docs/problems.md, row ${line}: the status must be a 4xx or 5xx code`);
  return {
    slug,
    status,
    title: cell(columns.title).content.trim(),
    html: renderInline(cell(columns.when)),
    text: inlineText(cell(columns.when)),
  };
};

/** Reads the documentation out of the markdown; a file not in the expected shape is an error that says where. */
export const parseProblemDocs = (source: string): ProblemDocs => {
  const tokens = markdown.parse(source, {});
  const start = tokens.findIndex((token) => token.type === 'table_open');
  if (start < 0) throw new Error('docs/problems.md has no table of problem types');
  const rows = tableRows(tokens, start);
  const [header = [], ...body] = rows;
  const columns = columnsOf(header);
  const heading = tokens[0]?.type === 'heading_open' ? 3 : 0;
  return {
    introHtml: render(tokens.slice(heading, start)),
    types: body.map((row, index) => typeDocOf(row, columns, index + 1)),
  };
};

/** The documentation as the file says now, read once per process when first asked for. */
export const problemDocsLoader = (path: string = problemDocsPath): (() => ProblemDocs) => {
  let docs: ProblemDocs | undefined;
  return () => (docs ??= parseProblemDocs(readFileSync(path, 'utf8')));
};
