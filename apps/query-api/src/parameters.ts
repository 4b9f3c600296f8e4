// Query-string parameters, validated like bodies: a bad value is a 400 naming the parameter.
import { HttpProblem, problems } from '@meridian/http';
import type { ParsedUrlQuery } from 'node:querystring';

const invalid = (name: string, detail: string) => new HttpProblem(problems.invalidRequest([{ pointer: `#/${name}`, detail: `(query parameter) ${detail}` }]));

/** One value of a parameter (the last if repeated). */
export const singleOf = (query: ParsedUrlQuery, name: string): string | undefined => {
  const value = query[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined || last === '' ? undefined : last;
};

/** A parameter that may list several values, comma-separated or repeated, each from `allowed`. */
export const listOf = <V extends string>(query: ParsedUrlQuery, name: string, allowed: readonly V[]): V[] | undefined => {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) return undefined;
  if (values.length > 30) throw invalid(name, 'must list at most 30 values');
  const unknown = values.find((v) => !(allowed as readonly string[]).includes(v));
  if (unknown !== undefined) throw invalid(name, `must be one of ${allowed.join(', ')} (got "${unknown}")`);
  return values as V[];
};

/** `limit` (1 to 500, default 50) and `after` (the `next` cursor of the previous page). */
export const pageParameters = (query: ParsedUrlQuery): { limit?: number; after?: string } => {
  const limit = singleOf(query, 'limit');
  const after = singleOf(query, 'after');
  if (limit !== undefined && !(/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 500)) throw invalid('limit', 'must be an integer from 1 to 500');
  if (after !== undefined && !/^[A-Za-z0-9_-]{1,2048}$/.test(after)) throw invalid('after', 'must be the `next` cursor of a previous page');
  return { ...(limit !== undefined && { limit: Number(limit) }), ...(after !== undefined && { after }) };
};
