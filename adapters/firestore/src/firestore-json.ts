// Documents are plain JSON on both sides of the port; Firestore's data model is close to JSON but not equal.
// These two functions bridge the gaps, so that what `get` returns deep-equals what was written:
// - JSON semantics first (what the SQLite store gets for free from JSON.stringify): `undefined` fields are
//   dropped, `undefined` array items become null, Dates become ISO strings. Nothing else reaches the SDK,
//   whatever settings (ignoreUndefinedProperties) the client was built with.
// - Firestore refuses an array directly inside an array ("Cannot convert an array value in an array value",
//   the emulator too), and read models do hold them (coordinate pairs, GeoJSON lines). Such an inner array
//   is stored as a one-field map `{ "~array": [...] }` and unwrapped on the way out. Only whole top-level
//   fields are ever filtered on, so the wrapping never changes what a query matches.
// - On the way out, values only another writer could have stored (Timestamps, references, integers read
//   as BigInt by a client built with useBigInt) come back as their JSON form.
import { DocumentReference, Timestamp, type DocumentData } from '@google-cloud/firestore';
import { expiryField, type Document } from '@meridian/kernel';

/** The field of the map that stands for an array inside an array. */
export const nestedArrayField = '~array';

type PlainObject = { readonly [field: string]: unknown };

const isPlainObject = (value: unknown): value is PlainObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

const encodeValue = (value: unknown, inArray: boolean): unknown => {
  if (Array.isArray(value)) {
    const items = value.map((item) => encodeValue(item, true));
    return inArray ? { [nestedArrayField]: items } : items;
  }
  return isPlainObject(value) ? encodeFields(value) : value;
};

const encodeFields = (value: PlainObject): DocumentData => {
  // Refused rather than escaped: it would read back as an array.
  if (Object.hasOwn(value, nestedArrayField))
    throw new Error(`the field name "${nestedArrayField}" is reserved by the Firestore document store`);
  return Object.fromEntries(Object.entries(value).map(([field, item]) => [field, encodeValue(item, false)]));
};

/** A top-level expiry (an ISO instant) as a Timestamp, which Firestore's TTL policies act on; read back as the same instant. */
const withExpiry = (data: DocumentData): DocumentData => {
  const expiry: unknown = data[expiryField];
  if (typeof expiry !== 'string' || Number.isNaN(Date.parse(expiry))) return data;
  return { ...data, [expiryField]: Timestamp.fromDate(new Date(expiry)) };
};

/** The JSON form of a document as Firestore can store it. */
export const toFirestoreData = (document: Document): DocumentData => {
  // A document is a JSON object, and so is its JSON form.
  const json: unknown = JSON.parse(JSON.stringify(document));
  return withExpiry(isPlainObject(json) ? encodeFields(json) : {});
};

/** A JSON value as Firestore can compare it (a cursor's order value). */
export const toFirestoreValue = (value: unknown): unknown => encodeValue(value, false);

const isWrappedArray = (value: PlainObject): value is { readonly [nestedArrayField]: unknown[] } => {
  const fields = Object.keys(value);
  return fields.length === 1 && fields[0] === nestedArrayField && Array.isArray(value[nestedArrayField]);
};

const decodeValue = (value: unknown, inArray: boolean): unknown => {
  if (Array.isArray(value)) return value.map((item) => decodeValue(item, true));
  if (isPlainObject(value)) {
    if (inArray && isWrappedArray(value)) return decodeValue(value[nestedArrayField], false);
    return decodeFields(value);
  }
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (value instanceof DocumentReference) return value.path;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && value !== null) return JSON.parse(JSON.stringify(value));
  return value;
};

const decodeFields = (value: PlainObject): Document =>
  Object.fromEntries(Object.entries(value).map(([field, item]) => [field, decodeValue(item, false)]));

/** The JSON document a Firestore document holds. */
export const fromFirestoreData = (data: DocumentData): Document => decodeFields(data);
