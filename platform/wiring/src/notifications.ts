// Customer notifications as the platform wires them: the SMS gateway chosen from the environment (HTTP when
// MERIDIAN_SMS_GATEWAY_URL is set, the embedded one keeping messages in the document store otherwise), and
// what the notification reactor reads for a fact: the recipient's number from the parcel's registration (the
// log, so every delivery of a fact reads the same), the ETA from ParcelStatusView when it has one.
import {
  effectOutcomeOfReceipt,
  type BlobStore,
  type DocumentStore,
  type DomainEvent,
  type EventStore,
  type Fact,
  type SmsGateway,
  type SmsMessage,
} from '@meridian/kernel';
import { notificationsConsumer, notifiedTypes, type NotificationContext } from '@meridian/notifications';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { liveGenerations, parcelStatusProjection, parcelsCollection, physicalCollection, type EffectHandler } from '@meridian/projections';
import { podThumbnailsConsumer } from '@meridian/reactions';
import { emptyMeansUnset, integerVariable, nonEmptyVariable } from '@meridian/runtime';
import { createEmbeddedSmsGateway, createHttpSmsGateway } from '@meridian/sms-gateway';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { podThumbnailHandler } from './pod.ts';

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const timeZoneVariable = new t.Type<string, string, unknown>(
  'TimeZone',
  (u): u is string => typeof u === 'string' && isTimeZone(u),
  (u, context) =>
    typeof u === 'string' && isTimeZone(u)
      ? t.success(u)
      : t.failure(u, context, 'must be an IANA time zone, for example Europe/Amsterdam'),
  (zone) => zone,
);

export const notificationVariables = {
  /** The HTTP SMS gateway's endpoint; unset: the embedded gateway (messages kept, readable at GET /v1/admin/sms-messages). */
  MERIDIAN_SMS_GATEWAY_URL: nonEmptyVariable,
  /** The gateway's API key (a secret), sent as a bearer token; required with the URL. */
  MERIDIAN_SMS_GATEWAY_TOKEN: nonEmptyVariable,
  /** How long one call to the gateway may take before it counts as failed, in ms (default 10000). */
  MERIDIAN_SMS_GATEWAY_TIMEOUT_MS: emptyMeansUnset(integerVariable('milliseconds', 100, 120_000)),
  /** The time zone texts show times in (default Europe/Amsterdam). */
  MERIDIAN_NOTIFICATION_TIME_ZONE: emptyMeansUnset(timeZoneVariable),
};

export type NotificationConfig = {
  readonly MERIDIAN_SMS_GATEWAY_URL?: string;
  readonly MERIDIAN_SMS_GATEWAY_TOKEN?: string;
  readonly MERIDIAN_SMS_GATEWAY_TIMEOUT_MS?: number | undefined;
  readonly MERIDIAN_NOTIFICATION_TIME_ZONE?: string | undefined;
};

export const defaultSmsTimeoutMs = 10_000;
export const defaultNotificationTimeZone = 'Europe/Amsterdam';

/** Which gateway the configuration asks for; a URL without its token is a configuration error. */
export const smsGatewayChoice = (
  config: NotificationConfig,
): E.Either<
  string,
  { readonly kind: 'embedded' } | { readonly kind: 'http'; readonly url: string; readonly token: string; readonly timeoutMs: number }
> => {
  if (config.MERIDIAN_SMS_GATEWAY_URL === undefined)
    return config.MERIDIAN_SMS_GATEWAY_TOKEN === undefined
      ? E.right({ kind: 'embedded' })
      : E.left('MERIDIAN_SMS_GATEWAY_TOKEN is set without MERIDIAN_SMS_GATEWAY_URL');
  if (config.MERIDIAN_SMS_GATEWAY_TOKEN === undefined)
    return E.left('MERIDIAN_SMS_GATEWAY_URL needs MERIDIAN_SMS_GATEWAY_TOKEN (the gateway API key)');
  try {
    new URL(config.MERIDIAN_SMS_GATEWAY_URL);
  } catch {
    return E.left('MERIDIAN_SMS_GATEWAY_URL must be an absolute URL');
  }
  return E.right({
    kind: 'http',
    url: config.MERIDIAN_SMS_GATEWAY_URL,
    token: config.MERIDIAN_SMS_GATEWAY_TOKEN,
    timeoutMs: config.MERIDIAN_SMS_GATEWAY_TIMEOUT_MS ?? defaultSmsTimeoutMs,
  });
};

/** The gateway the configuration asks for (throws on a bad configuration: decode it first with smsGatewayChoice). */
export const openSmsGateway = (config: NotificationConfig, documents: DocumentStore): SmsGateway => {
  const choice = smsGatewayChoice(config);
  if (E.isLeft(choice)) throw new Error(choice.left);
  return choice.right.kind === 'embedded' ? createEmbeddedSmsGateway({ documents }) : createHttpSmsGateway(choice.right);
};

/** The recipient's number as the parcel's registration recorded it (the first event of its stream). */
const phoneOf = async (store: EventStore, streamId: string): Promise<string | undefined> => {
  const [first] = await store.readStream(streamId);
  if (first === undefined) return undefined;
  const decoded = parcelEvents.decode(first);
  return E.isRight(decoded) && decoded.right.type === 'ParcelRegistered' ? decoded.right.data.recipient.phone : undefined;
};

/** The ETA on the parcel's status view, if the ETA reactor has put one there (`eta`: an instant, or `{ at }`). */
export const etaIn = (document: { readonly [field: string]: unknown } | undefined): string | undefined => {
  const eta = document?.['eta'];
  const at = typeof eta === 'object' && eta !== null && 'at' in eta ? eta.at : eta;
  return typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : undefined;
};

export type NotificationDeps = {
  readonly store: EventStore;
  readonly documents: DocumentStore;
  readonly gateway: SmsGateway;
  readonly timeZone?: string;
};

/** What the notification reactor reads, and its port. */
export const notificationHandler = ({
  store,
  documents,
  gateway,
  timeZone = defaultNotificationTimeZone,
}: NotificationDeps): EffectHandler<ParcelEvent, NotificationContext, SmsMessage> => {
  const live = liveGenerations(documents);
  return {
    context: async ({ event, streamId }: Fact<ParcelEvent>) => {
      if (!notifiedTypes.includes(event.type)) return { timeZone };
      const [phone, status] = await Promise.all([
        phoneOf(store, streamId),
        event.type === 'ParcelOutForDelivery'
          ? live(parcelStatusProjection).then((generation) =>
              documents.get(physicalCollection(parcelsCollection, generation), event.data.parcelId),
            )
          : Promise.resolve(undefined),
      ]);
      const eta = etaIn(status);
      return { timeZone, ...(phone !== undefined && { phone }), ...(eta !== undefined && { eta }) };
    },
    perform: async (message, idempotencyKey) => effectOutcomeOfReceipt(await gateway.send(message, { idempotencyKey })),
  };
};

/** The handlers of the platform's effect reactors (ReactionDeps.effectHandlers), from the configuration. */
export const platformEffectHandlers = (
  config: NotificationConfig,
  {
    store,
    documents,
    blobs,
    gateway = openSmsGateway(config, documents),
  }: { readonly store: EventStore; readonly documents: DocumentStore; readonly blobs: BlobStore; readonly gateway?: SmsGateway },
): Readonly<Record<string, EffectHandler<DomainEvent, unknown, unknown>>> => ({
  [podThumbnailsConsumer]: podThumbnailHandler({ blobs }),
  [notificationsConsumer]: notificationHandler({
    store,
    documents,
    gateway,
    ...(config.MERIDIAN_NOTIFICATION_TIME_ZONE !== undefined && { timeZone: config.MERIDIAN_NOTIFICATION_TIME_ZONE }),
  }),
});
