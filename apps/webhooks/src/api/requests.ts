// What the endpoints API accepts, as codecs: closed objects (an unknown field is an error with its pointer),
// readable messages, and the JSON Schemas of the OpenAPI document from the same source.
import { arrayOf, described, Identifier, IsoDateTime, jsonSchemaOf, NonEmptyString, oneOf, struct, withSchema } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { allEventTypes } from '@meridian/webhooks';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { ReplayFrom } from '../operations/replay.ts';

/** What an endpoint may subscribe to: the parcel events' wire types (the webhooks carry parcel events only). */
export const subscribableEventTypes: readonly string[] = parcelEvents.wireTypes;

export const maxUrlLength = 2048;

/**
 * An absolute URL. Whether it may be called (https outside development, no credentials in it, no internal
 * address) is the destination check's question, asked after decoding, so the rules live in one place.
 */
export const EndpointUrl = described(
  t.refinement(t.string, (s) => s.length <= maxUrlLength && URL.canParse(s), 'EndpointUrl'),
  `must be an absolute https URL of at most ${maxUrlLength} characters`,
  { type: 'string', format: 'uri', maxLength: maxUrlLength, examples: ['https://hooks.example.com/meridian'] },
);

const EventType = oneOf('WebhookEventType', [allEventTypes, ...subscribableEventTypes]);
const eventTypeList = arrayOf(EventType, { min: 1, max: 50, name: 'WebhookEventTypes' });

/** `["*"]`, or a list of wire types; duplicates are dropped, "*" beside other types is refused as ambiguous. */
export const EventTypes = withSchema(
  new t.Type<readonly string[], readonly string[], unknown>(
    'WebhookEventTypes',
    (u): u is readonly string[] => eventTypeList.is(u) && (!u.includes(allEventTypes) || u.length === 1),
    (u, context) => {
      const decoded = eventTypeList.validate(u, context);
      if (E.isLeft(decoded)) return decoded;
      if (decoded.right.includes(allEventTypes) && decoded.right.length > 1)
        return t.failure(u, context, '"*" means every parcel event and stands alone: send ["*"] or a list of event types');
      return t.success([...new Set(decoded.right)]);
    },
    (types) => types,
  ),
  { ...jsonSchemaOf(eventTypeList), description: '["*"] for every parcel event, or a list of parcel event types' },
);

/** A description, or null to clear it. */
export const Description = described(t.union([NonEmptyString, t.null]), 'must be a non-blank string of at most 500 characters, or null', {
  type: ['string', 'null'],
  maxLength: 500,
});

export const maxGracePeriodSeconds = 7 * 24 * 3600;

const GracePeriodSeconds = described(
  t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0 && n <= maxGracePeriodSeconds, 'GracePeriodSeconds'),
  `must be an integer number of seconds from 0 to ${maxGracePeriodSeconds}`,
  { type: 'integer', minimum: 0, maximum: maxGracePeriodSeconds },
);

const LogPosition = described(
  t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'LogPosition'),
  'must be a global log position: an integer of at least 0',
  { type: 'integer', minimum: 0 },
);

export const CreateEndpointRequest = struct(
  'CreateWebhookEndpoint',
  { url: EndpointUrl, eventTypes: EventTypes },
  { description: Description, enabled: t.boolean, clientId: Identifier },
);
export type CreateEndpointRequest = t.TypeOf<typeof CreateEndpointRequest>;

export const UpdateEndpointRequest = struct(
  'UpdateWebhookEndpoint',
  {},
  { url: EndpointUrl, eventTypes: EventTypes, description: Description, enabled: t.boolean },
);
export type UpdateEndpointRequest = t.TypeOf<typeof UpdateEndpointRequest>;

export const RotateSecretRequest = struct('RotateWebhookSecret', {}, { gracePeriodSeconds: GracePeriodSeconds });
export type RotateSecretRequest = t.TypeOf<typeof RotateSecretRequest>;

/** The actions without input (test, redeliver) take no body, or an empty object: anything else is a mistake. */
export const EmptyRequest = struct('Empty', {});

const replayFields = struct('ReplayWebhookEndpoint', {}, { fromPosition: LogPosition, fromTime: IsoDateTime });

/** Exactly one of `fromPosition` and `fromTime`. */
export const ReplayRequest = withSchema(
  new t.Type<ReplayFrom, unknown, unknown>(
    'ReplayWebhookEndpoint',
    (u): u is ReplayFrom => typeof u === 'object' && u !== null && 'position' in u !== 'time' in u,
    (u, context) => {
      const decoded = replayFields.validate(u, context);
      if (E.isLeft(decoded)) return decoded;
      const { fromPosition, fromTime } = decoded.right;
      if (fromPosition !== undefined && fromTime === undefined) return t.success({ position: fromPosition });
      if (fromTime !== undefined && fromPosition === undefined) return t.success({ time: fromTime });
      return t.failure(u, context, 'give either fromPosition or fromTime (exactly one)');
    },
    (from) => ('position' in from ? { fromPosition: from.position } : { fromTime: from.time }),
  ),
  {
    title: 'ReplayWebhookEndpoint',
    description:
      "Where to start: a global log position (that event and every later one; 0 or 1 is the whole log), or a time (events recorded at or after it). Only the endpoint's client's events of the endpoint's types are queued.",
    oneOf: [
      { type: 'object', required: ['fromPosition'], properties: { fromPosition: jsonSchemaOf(LogPosition) }, additionalProperties: false },
      { type: 'object', required: ['fromTime'], properties: { fromTime: jsonSchemaOf(IsoDateTime) }, additionalProperties: false },
    ],
  },
);
