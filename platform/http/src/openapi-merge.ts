// Composing an OpenAPI document from the parts each API describes. Path items are merged by path *and*
// method: two APIs may serve the same path with different methods (POST /v1/parcels is a command, GET
// /v1/parcels a query), and one must never replace the other. A real clash is refused, not resolved.
import type { JsonSchema } from '@meridian/kernel';
import { isDeepStrictEqual } from 'node:util';

export type OpenApiOperation = {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly parameters?: readonly unknown[];
  readonly requestBody?: unknown;
  readonly responses: Readonly<Record<string, unknown>>;
  /** `[]` for an operation anyone may call; absent, the document's bearer key is needed. */
  readonly security?: readonly unknown[];
};

export type OpenApiPaths = Record<string, Record<string, OpenApiOperation>>;

/** What one API contributes to a document: its operations and the schemas they refer to. */
export type OpenApiPart = {
  readonly paths: OpenApiPaths;
  readonly schemas?: Readonly<Record<string, JsonSchema>>;
};

export class OpenApiClash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpenApiClash';
  }
}

/** Adds `entries` to `merged`; the same value under the same key is kept once, a different one refused. */
const mergeInto = <V>(merged: Record<string, V>, entries: Readonly<Record<string, V>>, describe: (key: string) => string): void => {
  for (const [key, value] of Object.entries(entries)) {
    const present = merged[key];
    if (present !== undefined && !isDeepStrictEqual(present, value))
      throw new OpenApiClash(`${describe(key)} is described twice, differently`);
    merged[key] = value;
  }
};

const refuseDuplicateOperationIds = (paths: OpenApiPaths): void => {
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(paths))
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      const first = seen.get(operation.operationId);
      if (first !== undefined) throw new OpenApiClash(`operationId ${operation.operationId} names both ${first} and ${where}`);
      seen.set(operation.operationId, where);
    }
};

/** Every part's operations and schemas in one document's `paths` and `components.schemas`. */
export const mergeOpenApiParts = (
  parts: readonly OpenApiPart[],
): { readonly paths: OpenApiPaths; readonly schemas: Record<string, JsonSchema> } => {
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const schemas: Record<string, JsonSchema> = {};
  for (const part of parts) {
    for (const [path, item] of Object.entries(part.paths))
      mergeInto((paths[path] ??= {}), item, (method) => `${method.toUpperCase()} ${path}`);
    mergeInto(schemas, part.schemas ?? {}, (name) => `schema ${name}`);
  }
  refuseDuplicateOperationIds(paths);
  return { paths, schemas };
};
