// The customer notification reactor: out for delivery (with the ETA when the parcel's read model has one),
// delivered, an attempt failed, each texted to the recipient's phone number through the SmsGateway port.
// Pure: the runtime reads the context (the number from the parcel's registration, the ETA from its status
// view) and carries the messages out at most once per fact (projections/src/reactions/effects.ts).
import { follows, PhoneNumber, perform, skip, type EffectDecision, type EffectReactor, type SmsMessage } from '@meridian/kernel';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { attemptFailedText, deliveredText, outForDeliveryText, type TemplateOptions } from './templates.ts';

/**
 * What the runtime reads for a fact: the recipient's number as registered (if any), the parcel's ETA (if
 * known), and the time zone texts show times in (configuration).
 */
export type NotificationContext = { readonly phone?: string; readonly eta?: string; readonly timeZone: string };

export const notificationsConsumer = 'customer-notifications';

/** The facts that text the recipient (the runtime reads a context for these only). */
export const notifiedTypes: readonly ParcelEvent['type'][] = ['ParcelOutForDelivery', 'ParcelDelivered', 'ParcelDeliveryAttemptFailed'];

/** The text a fact calls for, if any. */
export const textOf = (event: ParcelEvent, context: NotificationContext): string | undefined => {
  const options: TemplateOptions = { timeZone: context.timeZone };
  switch (event.type) {
    case 'ParcelOutForDelivery':
      return outForDeliveryText(event.data.parcelId, context.eta, options);
    case 'ParcelDelivered':
      return deliveredText(event.data.parcelId, event.data.deliveredAt, event.data.proof.receivedBy, options);
    case 'ParcelDeliveryAttemptFailed':
      return attemptFailedText(event.data.parcelId, event.data.reason, event.data.attemptsLeft);
    default:
      return undefined;
  }
};

export const customerNotifications: EffectReactor<ParcelEvent, NotificationContext, SmsMessage> = {
  name: notificationsConsumer,
  follows: follows(parcelEvents),
  effects: ({ event }, context): EffectDecision<SmsMessage>[] => {
    const body = textOf(event, context);
    if (body === undefined) return [];
    if (context.phone === undefined) return [skip('the parcel has no recipient phone number')];
    if (!PhoneNumber.is(context.phone))
      return [skip('the recipient phone number is not in E.164 form (registered before it was required)')];
    return [perform({ to: context.phone, body })];
  },
};
