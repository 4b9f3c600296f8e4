// Path and query parameters, validated like bodies: a bad value is a 400 naming the parameter.
import { HttpProblem, problems } from '@meridian/http';
import { decodeCursor } from '@meridian/kernel';
import type { ParsedUrlQuery } from 'node:querystring';
import type { DeliveryStatus } from '../model.ts';

const invalid = (name: string, detail: string, where: 'query' | 'path' = 'query') =>
  new HttpProblem(problems.invalidRequest([{ pointer: `#/${name}`, detail: `(${where} parameter) ${detail}` }]));

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** An endpoint or webhook id from the path. */
export const idParameter = (name: string, value: string | undefined): string => {
  if (value === undefined || !idPattern.test(value)) throw invalid(name, 'must be an id: 1-64 letters, digits, "_", ".", ":" or "-"', 'path');
  return value;
};

/** One value of a parameter (the last if repeated). */
const singleOf = (query: ParsedUrlQuery, name: string): string | undefined => {
  const value = query[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined || last === '' ? undefined : last;
};

export const deliveryStatuses: readonly [DeliveryStatus, ...DeliveryStatus[]] = ['pending', 'delivering', 'delivered', 'dead'];

/** `status`: several comma-separated or repeated, each a delivery status. */
export const statusParameter = (query: ParsedUrlQuery): DeliveryStatus[] | undefined => {
  const raw = query['status'];
  if (raw === undefined) return undefined;
  const values = [...new Set((Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))];
  const unknown = values.find((v) => !(deliveryStatuses as readonly string[]).includes(v));
  if (unknown !== undefined) throw invalid('status', `must be one of ${deliveryStatuses.join(', ')} (got "${unknown}")`);
  return values.length === 0 ? undefined : (values as DeliveryStatus[]);
};

const wireTypePattern = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+\.v\d+$/;

/** `eventType`: one wire type (a parcel event's, or the test event's). */
export const eventTypeParameter = (query: ParsedUrlQuery): string | undefined => {
  const value = singleOf(query, 'eventType');
  if (value !== undefined && !wireTypePattern.test(value)) throw invalid('eventType', 'must be an event type, for example parcel.delivered.v1');
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
  const limit = singleOf(query, 'limit');
  const after = singleOf(query, 'after');
  if (limit !== undefined && !(/^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= maxPageSize)) throw invalid('limit', `must be an integer from 1 to ${maxPageSize}`);
  if (after !== undefined && (after.length > 2048 || decodeCursor(after) === undefined)) throw invalid('after', 'must be the `next` cursor of a previous page');
  return { limit: limit === undefined ? defaultPageSize : Number(limit), ...(after !== undefined && { after }) };
};
