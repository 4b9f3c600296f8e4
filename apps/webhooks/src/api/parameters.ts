// Path and query parameters, validated like bodies: a bad value is a 400 naming the parameter.
import { integerOf, invalidParameter, listOf, singleOf } from '@meridian/http';
import { decodeCursor } from '@meridian/kernel';
import type { ParsedUrlQuery } from 'node:querystring';
import { deliveryStatuses, type DeliveryStatus } from '@meridian/webhooks';

const invalid = (name: string, detail: string) => invalidParameter(name, 'query', detail);

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** An endpoint or webhook id from the path. */
export const idParameter = (name: string, value: string | undefined): string => {
  if (value === undefined || !idPattern.test(value))
    throw invalidParameter(name, 'path', 'must be an id: 1-64 letters, digits, "_", ".", ":" or "-"');
  return value;
};

/** `status`: several comma-separated or repeated, each a delivery status. */
export const statusParameter = (query: ParsedUrlQuery): DeliveryStatus[] | undefined => listOf(query, 'status', deliveryStatuses);

const wireTypePattern = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+\.v\d+$/;

/** `eventType`: one wire type (a parcel event's, or the test event's). */
export const eventTypeParameter = (query: ParsedUrlQuery): string | undefined => {
  const value = singleOf(query, 'eventType');
  if (value !== undefined && !wireTypePattern.test(value))
    throw invalid('eventType', 'must be an event type, for example parcel.delivered.v1');
  return value;
};

/** `clientId`: one client (an admin's listing). */
export const clientIdParameter = (query: ParsedUrlQuery): string | undefined => {
  const value = singleOf(query, 'clientId');
  if (value !== undefined && !idPattern.test(value)) throw invalid('clientId', 'must be a client id');
  return value;
};

export const defaultPageSize = 50;
export const maxPageSize = 200;

/** `limit` (1 to 200, default 50) and `after` (the `next` cursor of the previous page). */
export const pageParameters = (query: ParsedUrlQuery): { limit: number; after?: string } => {
  const limit = integerOf(query, 'limit', 1, maxPageSize) ?? defaultPageSize;
  const after = singleOf(query, 'after');
  if (after !== undefined && (after.length > 2048 || decodeCursor(after) === undefined))
    throw invalid('after', 'must be the `next` cursor of a previous page');
  return { limit, ...(after !== undefined && { after }) };
};
