// The embedded SMS gateway, for development and tests: it sends nothing, it keeps each message in the
// document store (`sms_messages`, by idempotency key), where the admin API reads them. It behaves as the
// port says a gateway does: a repeat of a key gets the first receipt, and numbers of the unassigned country
// code +999 are refused for good, so that a refusal can be tried out without a real gateway.
import {
  collection,
  decodeDocument,
  IsoDateTime,
  isoDateTime,
  oneOf,
  PhoneNumber,
  randomId,
  struct,
  type DocumentStore,
  type SmsGateway,
  type SmsReceipt,
} from '@meridian/kernel';
import * as t from 'io-ts';

/** A message the embedded gateway took (or refused), by its idempotency key. */
export const EmbeddedSms = struct(
  'EmbeddedSms',
  {
    to: PhoneNumber,
    body: t.string,
    state: oneOf('EmbeddedSmsState', ['sent', 'refused']),
    messageId: t.string,
    receivedAt: IsoDateTime,
  },
  { reason: t.string },
);
export type EmbeddedSms = t.TypeOf<typeof EmbeddedSms>;

export const embeddedSmsMessages = collection('sms_messages', EmbeddedSms);

/** The country code no number has (ITU reserves +999): the embedded gateway refuses it, as a real one would. */
export const unreachableCountryCode = '+999';

const receiptOf = (sms: EmbeddedSms): SmsReceipt =>
  sms.state === 'sent' ? { kind: 'sent', messageId: sms.messageId } : { kind: 'refused', reason: sms.reason ?? 'refused' };

export const createEmbeddedSmsGateway = ({
  documents,
  now = () => new Date(),
}: {
  readonly documents: DocumentStore;
  readonly now?: () => Date;
}): SmsGateway => ({
  send: (message, { idempotencyKey }) =>
    documents.transact([{ collection: embeddedSmsMessages.name, id: idempotencyKey }], (current) => {
      const stored = current.get(`${embeddedSmsMessages.name}/${idempotencyKey}`);
      if (stored !== undefined) return { writes: [], result: receiptOf(decodeDocument(embeddedSmsMessages, idempotencyKey, stored)) };
      const refused = message.to.startsWith(unreachableCountryCode);
      const sms: EmbeddedSms = {
        to: message.to,
        body: message.body,
        state: refused ? 'refused' : 'sent',
        messageId: randomId(),
        receivedAt: isoDateTime(now()),
        ...(refused && { reason: `${message.to} is not a reachable number` }),
      };
      return { writes: [{ collection: embeddedSmsMessages.name, id: idempotencyKey, document: sms }], result: receiptOf(sms) };
    }),
});
