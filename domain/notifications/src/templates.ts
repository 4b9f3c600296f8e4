// The texts a recipient gets, as pure functions of the fact (and the ETA, when the parcel's read model has
// one). Times are shown in the platform's time zone (MERIDIAN_NOTIFICATION_TIME_ZONE, Europe/Amsterdam by
// default), to the minute; a text stays under 160 characters (one SMS) for ordinary parcel ids.
import type { FailureReason } from '@meridian/parcel';

export type TemplateOptions = { readonly timeZone: string };

export const defaultTemplateOptions: TemplateOptions = { timeZone: 'Europe/Amsterdam' };

/** "14:35": an instant as the recipient's clock shows it. */
export const clockTime = (instant: string, { timeZone }: TemplateOptions): string =>
  new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(instant));

const reasons: Record<FailureReason, string> = {
  'recipient-absent': 'nobody was home',
  'address-not-found': 'we could not find the address',
  refused: 'the parcel was refused',
  'access-denied': 'we could not get access',
  damaged: 'the parcel was damaged',
  other: 'something went wrong',
};

export const outForDeliveryText = (parcelId: string, eta: string | undefined, options: TemplateOptions): string =>
  eta === undefined
    ? `Your parcel ${parcelId} is out for delivery today.`
    : `Your parcel ${parcelId} is out for delivery, expected around ${clockTime(eta, options)}.`;

export const deliveredText = (parcelId: string, deliveredAt: string, receivedBy: string | undefined, options: TemplateOptions): string =>
  `Your parcel ${parcelId} was delivered at ${clockTime(deliveredAt, options)}${receivedBy === undefined ? '' : `, received by ${receivedBy}`}.`;

export const attemptFailedText = (parcelId: string, reason: FailureReason, attemptsLeft: number): string =>
  `We could not deliver your parcel ${parcelId}: ${reasons[reason]}. ` +
  (attemptsLeft > 0
    ? `We will try again (${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left).`
    : 'It goes back to the depot; the sender will be in touch.');
