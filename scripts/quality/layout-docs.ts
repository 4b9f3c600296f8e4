// The folders the docs name, read from their text, so a test can hold the docs to the tree: the README's
// "What is here" and docs/architecture.md draw the tree in a code block (a top-level folder at the start
// of a line, its children at the start of the indented lines below it) and name paths in backticks.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;

const folderToken = /^[a-z][a-z0-9-]*\/$/;

/** The folder names a line of a tree starts with (`parcel/ route/ vehicle/   the aggregates` names three). */
const leadingFolders = (text: string): string[] => {
  const names: string[] = [];
  for (const token of text.trim().split(/\s+/)) {
    if (!folderToken.test(token)) break;
    names.push(token.slice(0, -1));
  }
  return names;
};

/**
 * The folders a tree drawn in a code block names, as paths under the repository: `top/` for a line that
 * starts at column 0, `top/child` for the folders an indented line starts with (and those following a
 * top-level folder on its own line). Where a child lives under `src/` (projections/src/runtime), the path
 * says so only once resolved against the tree (resolveNamedFolder).
 */
export const foldersOfTree = (tree: string): string[] => {
  const paths: string[] = [];
  let top: string | undefined;
  for (const line of tree.split('\n')) {
    if (line.trim() === '') continue;
    const startsAtTop = !/^\s/.test(line);
    const names = leadingFolders(line);
    if (startsAtTop) {
      top = names[0];
      if (top === undefined) continue;
      paths.push(top, ...names.slice(1).map((child) => `${top}/${child}`));
    } else if (top !== undefined) {
      paths.push(...names.map((child) => `${top}/${child}`));
    }
  }
  return [...new Set(paths)];
};

/** The section under a heading (`## What is here`), up to the next heading of its level. */
export const sectionUnder = (markdown: string, heading: string): string => {
  const start = markdown.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no heading ${JSON.stringify(heading)}`);
  const level = heading.split(' ')[0] ?? '##';
  return markdown.slice(start).split(`\n${level} `)[0] ?? '';
};

/** The first code block of the section under a heading. */
export const codeBlockUnder = (markdown: string, heading: string): string => {
  const block = /\n```[a-z]*\n([\s\S]*?)\n```/.exec(sectionUnder(markdown, heading));
  if (block?.[1] === undefined) throw new Error(`no code block under ${JSON.stringify(heading)}`);
  return block[1];
};

const topLevelFolders = ['domain', 'projections', 'adapters', 'platform', 'apps', 'web', 'scripts', 'infra', 'docs'];

/** Paths in inline code (`domain/kernel`, `apps/webhooks/src/storage/`) under one of the repository's top-level folders. */
export const backtickedPaths = (markdown: string): string[] => {
  const withoutBlocks = markdown.replace(/```[\s\S]*?```/g, '');
  const spans = [...withoutBlocks.matchAll(/`([^`\s]+)`/g)].map((match) => match[1] ?? '');
  return [
    ...new Set(spans.filter((span) => topLevelFolders.some((top) => span.startsWith(`${top}/`))).map((span) => span.replace(/\/$/, ''))),
  ];
};

/** Where a named folder is: `top/child`, or `top/src/child` for the folders a package keeps in its src/. */
export const resolveNamedFolder = (path: string): string | undefined => {
  const [top, ...rest] = path.split('/');
  const candidates = rest.length === 0 ? [path] : [path, [top, 'src', ...rest].join('/')];
  return candidates.find((candidate) => existsSync(join(root, candidate)));
};

/** Every workspace package folder, from the root package.json's workspaces (`domain/*`, `projections`). */
export const workspaceFolders = (): string[] => {
  const manifest: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const patterns =
    typeof manifest === 'object' && manifest !== null && 'workspaces' in manifest && Array.isArray(manifest.workspaces)
      ? manifest.workspaces.filter((w): w is string => typeof w === 'string')
      : [];
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
};
