// The audit routes' parameters, validated like bodies: a bad value is a 400 naming the parameter.
import { integerOf, invalidParameter, singleOf, valuesOf } from '@meridian/http';
import { IsoDateTime, parseArchiveCursor, maxArchivePageSize, type ArchiveFilter } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type { ParsedUrlQuery } from 'node:querystring';
import { auditedEventTypes } from './aggregates.ts';
import { streamIdPattern } from './entry.ts';
import type { AsOf } from './state.ts';

const invalid = (name: string, detail: string) => invalidParameter(name, 'query', detail);

export const streamIdParameter = (value: string | undefined): string => {
  if (value === undefined || !streamIdPattern.test(value))
    throw invalidParameter('streamId', 'path', 'must be <aggregateType>-<id>, for example parcel-p-1');
  return value;
};

/** Correlation ids are what the request context accepts: 1-128 visible ASCII characters. */
export const correlationIdParameter = (value: string | undefined): string => {
  if (value === undefined || !/^[\x21-\x7e]{1,128}$/.test(value))
    throw invalidParameter('correlationId', 'path', 'must be 1-128 visible ASCII characters');
  return value;
};

const instantOf = (query: ParsedUrlQuery, name: string): string | undefined => {
  const raw = singleOf(query, name);
  if (raw !== undefined && !IsoDateTime.is(raw))
    throw invalid(name, 'must be an RFC 3339 date-time with an offset, for example 2026-11-21T14:05:00Z');
  return raw;
};

export const fromRevisionParameter = (query: ParsedUrlQuery): number => integerOf(query, 'fromRevision', 0, Number.MAX_SAFE_INTEGER) ?? 0;

/** `at` or `revision`, not both; neither is the latest state. */
export const asOfParameters = (query: ParsedUrlQuery): AsOf => {
  const at = instantOf(query, 'at');
  const revision = integerOf(query, 'revision', 0, Number.MAX_SAFE_INTEGER);
  if (at !== undefined && revision !== undefined) throw invalid('at', 'give at or revision, not both');
  return at !== undefined ? { at } : revision !== undefined ? { revision } : { latest: true };
};

const typesOf = (query: ParsedUrlQuery): string[] | undefined => {
  const values = valuesOf(query, 'type');
  if (values === undefined) return undefined;
  // An unknown type would match nothing, silently: name it instead, since an auditor's typo is not an answer.
  const unknown = values.find((v) => !auditedEventTypes.includes(v));
  if (unknown !== undefined) throw invalid('type', `"${unknown}" is not an event type; known: ${auditedEventTypes.join(', ')}`);
  return values;
};

const textOf = (query: ParsedUrlQuery, name: string, pattern: RegExp, expected: string): string | undefined => {
  const raw = singleOf(query, name);
  if (raw !== undefined && !pattern.test(raw)) throw invalid(name, `must be ${expected}`);
  return raw;
};

export const eventFilterParameters = (query: ParsedUrlQuery): ArchiveFilter => {
  const eventTypes = typesOf(query);
  const from = instantOf(query, 'from');
  const to = instantOf(query, 'to');
  const principalId = textOf(query, 'principalId', /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'a principal id');
  const streamId = textOf(query, 'streamId', streamIdPattern, '<aggregateType>-<id>, for example parcel-p-1');
  const correlationId = textOf(query, 'correlationId', /^[\x21-\x7e]{1,128}$/, '1-128 visible ASCII characters');
  return {
    ...(eventTypes !== undefined && { eventTypes }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    ...(principalId !== undefined && { principalId }),
    ...(streamId !== undefined && { streamId }),
    ...(correlationId !== undefined && { correlationId }),
  };
};

export const defaultEventsPageSize = 100;

const cursorOf = (query: ParsedUrlQuery): string | undefined => {
  const after = singleOf(query, 'after');
  if (after === undefined) return undefined;
  if (E.isLeft(parseArchiveCursor(after))) throw invalid('after', 'must be the `next` cursor of a previous page');
  return after;
};

/** `limit` (1 to `maxLimit`: the archive's page size for a page, more for an export) and `after` (a `next` cursor). */
export const eventPageParameters = (
  query: ParsedUrlQuery,
  maxLimit: number = maxArchivePageSize,
): { readonly limit?: number; readonly after?: string } => {
  const limit = integerOf(query, 'limit', 1, maxLimit);
  const after = cursorOf(query);
  return { ...(limit !== undefined && { limit }), ...(after !== undefined && { after }) };
};

/** A page of anchors: `after` a log position (default 0), `limit` of them (1 to the archive's page size, default all of a page). */
export const anchorPageParameters = (query: ParsedUrlQuery): { readonly after: number; readonly limit: number } => ({
  after: integerOf(query, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  limit: integerOf(query, 'limit', 1, maxArchivePageSize) ?? maxArchivePageSize,
});
