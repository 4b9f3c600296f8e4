// The SMS gateway port: the only way the platform texts a person. Adapters: an HTTP gateway (the real one,
// adapters/sms-gateway) and an embedded one that keeps the messages in the document store for development.
// Every adapter passes one contract suite (testing/sms-gateway-contract.ts).
import * as t from 'io-ts';
import { described } from './codecs.ts';
import type { EffectOutcome } from './effects.ts';

export interface PhoneNumberBrand {
  readonly PhoneNumber: unique symbol;
}
const e164Pattern = /^\+[1-9]\d{6,14}$/;
/** A phone number in E.164: `+`, the country code and the number, 7 to 15 digits, no spaces (`+31612345678`). */
export const PhoneNumber = described(
  t.brand(t.string, (s): s is t.Branded<string, PhoneNumberBrand> => e164Pattern.test(s), 'PhoneNumber'),
  'must be a phone number in E.164 form: "+", the country code and the number, 7 to 15 digits without spaces, for example +31612345678',
  { type: 'string', pattern: e164Pattern.source, examples: ['+31612345678'] },
);
export type PhoneNumber = t.TypeOf<typeof PhoneNumber>;

/** A text message: to whom (E.164), what (a gateway splits long texts itself). */
export type SmsMessage = { readonly to: PhoneNumber; readonly body: string };

/**
 * What the gateway made of a message: sent (its id on the gateway), or refused for good (an invalid or
 * blocked number: sending again would be refused again). A transient failure (timeout, 5xx, 429) throws.
 */
export type SmsReceipt = { readonly kind: 'sent'; readonly messageId: string } | { readonly kind: 'refused'; readonly reason: string };

export type SmsGateway = {
  /**
   * Sends a message. `idempotencyKey` is the same on every repeat of the same message: the gateway sends it
   * once per key within its window, and answers a repeat with the first receipt.
   */
  readonly send: (message: SmsMessage, options: { readonly idempotencyKey: string }) => Promise<SmsReceipt>;
};

/** A receipt as the effects runtime records it. */
export const effectOutcomeOfReceipt = (receipt: SmsReceipt): EffectOutcome =>
  receipt.kind === 'sent' ? { kind: 'done', reference: receipt.messageId } : { kind: 'refused', reason: receipt.reason };
