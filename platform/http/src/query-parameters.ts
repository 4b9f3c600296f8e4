// Reading query-string parameters the same way in every API: one value or a list, and a bad value is a
// 400 whose error names the parameter (`{ "parameter": "limit", "in": "query", "detail": ... }`).
import type { ParsedUrlQuery } from 'node:querystring';
import { invalidParameter } from './problem.ts';

/** One value of a parameter (the last if repeated); an empty one is absent. */
export const singleOf = (query: ParsedUrlQuery, name: string): string | undefined => {
  const value = query[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined || last === '' ? undefined : last;
};

/** Every value of a parameter, comma-separated or repeated, trimmed, without duplicates; undefined when none. */
export const valuesOf = (query: ParsedUrlQuery, name: string, { max = 30 }: { readonly max?: number } = {}): string[] | undefined => {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const values = [
    ...new Set(
      (Array.isArray(raw) ? raw : [raw])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    ),
  ];
  if (values.length === 0) return undefined;
  if (values.length > max) throw invalidParameter(name, 'query', `must list at most ${max} values`);
  return values;
};

/** A parameter that may list several values, each one of `allowed`. */
export const listOf = <V extends string>(query: ParsedUrlQuery, name: string, allowed: readonly V[]): V[] | undefined => {
  const values = valuesOf(query, name);
  if (values === undefined) return undefined;
  const isAllowed = (value: string): value is V => allowed.some((a) => a === value);
  const unknown = values.find((v) => !isAllowed(v));
  if (unknown !== undefined) throw invalidParameter(name, 'query', `must be one of ${allowed.join(', ')} (got "${unknown}")`);
  return values.filter(isAllowed);
};

/** An integer parameter from `min` to `max`. */
export const integerOf = (query: ParsedUrlQuery, name: string, min: number, max: number): number | undefined => {
  const raw = singleOf(query, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw invalidParameter(name, 'query', `must be an integer from ${min} to ${max}`);
  return Number(raw);
};
