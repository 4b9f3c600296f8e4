// The read models' paging parameters: a bad value is a 400 naming the parameter.
import { integerOf, invalidParameter, singleOf } from '@meridian/http';
import type { ParsedUrlQuery } from 'node:querystring';

/** `limit` (1 to 500, default 50) and `after` (the `next` cursor of the previous page). */
export const pageParameters = (query: ParsedUrlQuery): { limit?: number; after?: string } => {
  const limit = integerOf(query, 'limit', 1, 500);
  const after = singleOf(query, 'after');
  if (after !== undefined && !/^[A-Za-z0-9_-]{1,2048}$/.test(after))
    throw invalidParameter('after', 'query', 'must be the `next` cursor of a previous page');
  return { ...(limit !== undefined && { limit }), ...(after !== undefined && { after }) };
};
