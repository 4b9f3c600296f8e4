// A request's recorded answer as stores keep it (JSON): decoded when read back, so a store hands out only
// answers of the port's shape. One that no longer decodes is a deployment bug, not a user error: it fails.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import type { RequestAnswer } from './event-store.ts';

const AppendedEventCodec = t.type({ eventId: t.string, type: t.string, streamRevision: t.number, globalPosition: t.number });

const RefusalCodec = t.union([
  t.type({
    _tag: t.literal('CommandRejected'),
    error: t.intersection([t.type({ _tag: t.string, message: t.string }), t.partial({ detail: t.UnknownRecord })]),
  }),
  t.type({ _tag: t.literal('StreamNotFound'), streamId: t.string }),
  t.type({ _tag: t.literal('StreamAlreadyExists'), streamId: t.string }),
]);

const RequestAnswerCodec = t.union([
  t.type({ kind: t.literal('appended'), streamId: t.string, revision: t.number, events: t.array(AppendedEventCodec) }),
  t.type({ kind: t.literal('unchanged'), streamId: t.string, revision: t.number }),
  t.type({ kind: t.literal('refused'), streamId: t.string, refusal: RefusalCodec }),
]);

export const decodeRequestAnswer = (stored: unknown): RequestAnswer => {
  const decoded = RequestAnswerCodec.decode(stored);
  if (E.isLeft(decoded)) throw new Error(`a stored request answer does not decode: ${PathReporter.report(decoded).join('; ')}`);
  return decoded.right;
};
