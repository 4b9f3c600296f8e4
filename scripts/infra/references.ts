// Just enough of Terraform's two syntaxes to check references without Terraform: what the hand-written
// .tf files declare and refer to, and what the `${...}` interpolations of the generated JSON refer to.
import type { TerraformJson } from './terraform.ts';

export type Reference =
  | { readonly kind: 'resource'; readonly type: string; readonly name: string }
  | { readonly kind: 'data'; readonly type: string; readonly name: string }
  | { readonly kind: 'var'; readonly name: string; readonly attribute?: string }
  | { readonly kind: 'module' | 'local'; readonly name: string };

export type Declarations = {
  /** `type.name` of each resource, `data.type.name` of each data source. */
  readonly resources: ReadonlySet<string>;
  readonly data: ReadonlySet<string>;
  readonly variables: ReadonlySet<string>;
  readonly modules: ReadonlySet<string>;
  readonly locals: ReadonlySet<string>;
};

/** `# ...` and `// ...` comments, which may name things without referring to them. */
export const withoutComments = (hcl: string): string =>
  hcl
    .split('\n')
    .map((line) => line.replace(/(^|\s)(#|\/\/).*$/, ''))
    .join('\n');

const referencePatterns: readonly [RegExp, (m: RegExpMatchArray) => Reference][] = [
  [/(?<![\w.])data\.([a-z0-9_]+)\.([A-Za-z_][\w-]*)/g, (m) => ({ kind: 'data', type: m[1] ?? '', name: m[2] ?? '' })],
  [/(?<![\w.])(google_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g, (m) => ({ kind: 'resource', type: m[1] ?? '', name: m[2] ?? '' })],
  [
    /(?<![\w.])var\.([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?/g,
    (m) => ({ kind: 'var', name: m[1] ?? '', ...(m[2] !== undefined && { attribute: m[2] }) }),
  ],
  [/(?<![\w.])module\.([A-Za-z_]\w*)/g, (m) => ({ kind: 'module', name: m[1] ?? '' })],
  [/(?<![\w.])local\.([A-Za-z_]\w*)/g, (m) => ({ kind: 'local', name: m[1] ?? '' })],
];

/** Every reference in an expression (or a whole .tf file, comments removed). */
export const referencesIn = (expression: string): Reference[] =>
  referencePatterns.flatMap(([pattern, toReference]) => [...expression.matchAll(pattern)].map(toReference));

/** The body of the first block whose header matches, up to its closing brace. */
export const blockBody = (hcl: string, header: RegExp): string | undefined => {
  const found = header.exec(hcl);
  if (found === null) return undefined;
  const open = hcl.indexOf('{', found.index + found[0].length - 1);
  let depth = 0;
  for (let i = open; i < hcl.length; i++) {
    if (hcl[i] === '{') depth++;
    if (hcl[i] === '}' && --depth === 0) return hcl.slice(open + 1, i);
  }
  return undefined;
};

/** The names assigned at the top level of a block body (`name = ...`), not inside nested blocks or maps. */
export const topLevelArguments = (body: string): string[] => {
  let depth = 0;
  const names: string[] = [];
  for (const line of body.split('\n')) {
    const assigned = /^\s*([A-Za-z_][\w-]*)\s*=/.exec(line);
    if (depth === 0 && assigned?.[1] !== undefined) names.push(assigned[1]);
    depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
  }
  return names;
};

const all = (hcl: string, pattern: RegExp, name: (m: RegExpMatchArray) => string): string[] => [...hcl.matchAll(pattern)].map(name);

/** What hand-written .tf files declare at the top level. */
export const declarationsOf = (hcl: string): Declarations => {
  const source = withoutComments(hcl);
  const localBlocks = [...source.matchAll(/^locals\s*\{/gm)].map((m) => blockBody(source.slice(m.index), /^locals\s*\{/) ?? '');
  return {
    resources: new Set(all(source, /^resource\s+"([^"]+)"\s+"([^"]+)"/gm, (m) => `${m[1]}.${m[2]}`)),
    data: new Set(all(source, /^data\s+"([^"]+)"\s+"([^"]+)"/gm, (m) => `${m[1]}.${m[2]}`)),
    variables: new Set(all(source, /^variable\s+"([^"]+)"/gm, (m) => m[1] ?? '')),
    modules: new Set(all(source, /^module\s+"([^"]+)"/gm, (m) => m[1] ?? '')),
    locals: new Set(localBlocks.flatMap(topLevelArguments)),
  };
};

const stringsIn = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
};

/** The expressions inside `${...}` in a JSON string (`$${` is an escaped, literal `${`). */
export const interpolationsIn = (text: string): string[] => [...text.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => m[1] ?? '');

/** Every reference made by an interpolation anywhere in a generated file. */
export const referencesOfJson = (terraform: TerraformJson): Reference[] =>
  stringsIn(terraform).flatMap(interpolationsIn).flatMap(referencesIn);

/** The attribute names of an `object({ a = string, ... })` variable type. */
export const objectTypeAttributes = (type: string): string[] => [...type.matchAll(/([A-Za-z_]\w*)\s*=/g)].map((m) => m[1] ?? '');
