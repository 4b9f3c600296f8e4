// Request records on EventStoreDB: each request id's first decided answer, first-wins, with no cross-stream
// transaction to lean on.
//
// EventStoreDB has no index across streams and no transaction across streams, so a request's answer gets a
// stream of its own, `meridian.request-<sha256 of the id>`, and everything about the request is serialised by
// that stream's expected revision. Two kinds of record go there:
// - a decision (`meridian.request.decided.v1`): a no-op or a refusal, final: nothing is written after it;
// - an intent (`meridian.request.intended.v1`): "append these events to that stream at exactly that
//   revision", written *before* the append. Its fate is read from the target stream: the event after the
//   intended revision is the intent's first event (appended), another event (dead: an append at that
//   revision can never succeed now), or none yet (pending).
// An attempt reads the request stream first. A decision is the answer. A pending intent is completed by
// whoever finds it, with the intent's own events and ids (EventStoreDB stores a repeated append once), so a
// crashed attempt blocks no one. An appended intent is the answer. A dead one, or an empty stream, lets the
// attempt write its own record at the revision it read; losing that race means another attempt wrote
// first, and it reads again. So a decision recorded while another attempt appends gets the append back, as
// the port requires, and a request id reused for another stream is recognised too.
//
// What an append with a request costs when nothing races it: a read of the request stream, the intent (not
// read back: its acknowledgement is enough), the append, and a read of its events back (the answer, and the
// intent's fate). The target's head is read only where the expected revision does not pin the place
// (`any`, `stream_exists`) or this process has not seen the stream at that revision (placeOf says why).
// Conflicts and timeouts read more.
//
// Request streams are not part of the log: readAll, subscriptions and the head skip them (mapping.ts).
import {
  NewEventCodec,
  decodeRequestAnswer,
  type AppendRequest,
  type AppendResult,
  type AppendedEvent,
  type Decision,
  type NewEvent,
  type RecordedDecision,
  type RecordedEvent,
  type RequestAnswer,
  type RequestIdentity,
  type RequestRecord,
} from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { createHash, randomUUID } from 'node:crypto';

type PlainAppend = Omit<AppendRequest, 'request'>;

/** What the request records need of a store: plain appends by expected revision, and reads of a stream. */
export type StreamAccess = {
  /** An append without a request: `appended` (its events as stored) or `wrong_expected_revision`. */
  readonly append: (append: PlainAppend) => Promise<AppendResult>;
  /** An append that reads nothing back: whether it was written (false when the expected revision did not hold). */
  readonly write: (append: PlainAppend) => Promise<boolean>;
  readonly read: (streamId: string, fromRevision: number, maxCount?: number) => Promise<readonly RecordedEvent[]>;
  /** The revision of a stream's last event, or 'no_stream'. */
  readonly revision: (streamId: string) => Promise<number | 'no_stream'>;
  /** Whether the stream has metadata, which `stream_exists` takes for existing, events or not (the server does). */
  readonly hasMetadata: (streamId: string) => Promise<boolean>;
  /** A revision this process has seen the stream at, if it remembers one (streams never go back). */
  readonly seenRevision: (streamId: string) => number | undefined;
};

export const requestStreamPrefix = 'meridian.request-';
export const requestStreamOf = (requestId: string): string =>
  `${requestStreamPrefix}${createHash('sha256').update(requestId).digest('hex')}`;

const intendedType = 'meridian.request.intended.v1';
const decidedType = 'meridian.request.decided.v1';

const IntentCodec = t.type({
  requestId: t.string,
  fingerprint: t.string,
  streamId: t.string,
  at: t.union([t.number, t.literal('no_stream')]),
  events: t.array(NewEventCodec),
});
type Intent = t.TypeOf<typeof IntentCodec>;
const DecidedCodec = t.type({ requestId: t.string, fingerprint: t.string, answer: t.unknown });

const decode = <A>(codec: t.Decoder<unknown, A>, record: RecordedEvent): A => {
  const decoded = codec.decode(record.data);
  if (E.isLeft(decoded)) throw new Error(`${record.streamId}@${record.streamRevision} is not a request record of this adapter`);
  return decoded.right;
};

const recordEvent = (requestId: string, type: string, data: unknown): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { correlationId: requestId, causationId: requestId, actor: { principalId: 'meridian.event-store', role: 'admin' } },
});

/** The answer of an intent's append, from its events as stored. */
const appendedOf = (streamId: string, events: readonly AppendedEvent[]): RequestAnswer => ({
  kind: 'appended',
  streamId,
  revision: events[events.length - 1]!.streamRevision,
  events,
});

const firstRevisionAfter = (at: number | 'no_stream') => (at === 'no_stream' ? 0 : at + 1);

/**
 * Where a request stands: answered; free, with the revision its request stream is at for the next record;
 * or pending, an intent whose append nobody has carried out yet.
 */
type Standing =
  | { readonly kind: 'answered'; readonly record: RequestRecord }
  | { readonly kind: 'free'; readonly revision: number | 'no_stream' }
  | { readonly kind: 'pending' };

const maxRounds = 20;

export const createRequestRecords = (access: StreamAccess) => {
  /** The intent's events as stored after its revision, or 'dead', or 'pending' while none is there. */
  const fateOf = async (intent: Intent): Promise<readonly AppendedEvent[] | 'dead' | 'pending'> => {
    const next = await access.read(intent.streamId, firstRevisionAfter(intent.at), intent.events.length);
    if (next.length === 0) return 'pending';
    if (next[0]!.eventId !== intent.events[0]?.eventId) return 'dead';
    return next.map(({ eventId, type, streamRevision, globalPosition }) => ({ eventId, type, streamRevision, globalPosition }));
  };

  /** Appends the intent's events (again, if another attempt is at it too) and says how it ended. */
  const carryOut = async (intent: Intent): Promise<readonly AppendedEvent[] | 'dead'> => {
    let result: AppendResult;
    try {
      result = await access.append({ streamId: intent.streamId, events: intent.events, expectedRevision: intent.at });
    } catch (error) {
      // Identical appends racing may time out on the server: what the stream holds decides.
      const fate = await fateOf(intent);
      if (fate === 'pending') throw error;
      return fate;
    }
    // Acknowledged at an exact revision (or no_stream), so the events read back are the intent's, right
    // after its revision: no need to read them again.
    if (result.outcome === 'appended') return result.events;
    // Refused. Another attempt may have appended these very events first (a server acknowledges such a
    // repeat at an exact revision; the in-memory stand-in of requests.test.ts refuses it): the stream says.
    // Otherwise the stream is past the intent's revision and the intent is dead. Nothing after the revision
    // would mean the stream is behind it, which placeOf rules out; the append was refused all the same.
    const fate = await fateOf(intent);
    return fate === 'pending' ? 'dead' : fate;
  };

  /** Reads the request stream; a pending intent is carried out when `complete`, else counts as no answer. */
  const standing = async (requestId: string, complete: boolean): Promise<Standing> => {
    const records = await access.read(requestStreamOf(requestId), 0);
    const last = records[records.length - 1];
    if (last === undefined) return { kind: 'free', revision: 'no_stream' };
    if (last.type === decidedType) {
      const decided = decode(DecidedCodec, last);
      return { kind: 'answered', record: { fingerprint: decided.fingerprint, answer: decodeRequestAnswer(decided.answer) } };
    }
    const intent = decode(IntentCodec, last);
    const fate = await fateOf(intent);
    const settled = fate === 'pending' && complete ? await carryOut(intent) : fate;
    if (settled === 'pending') return { kind: 'pending' };
    if (settled === 'dead') return { kind: 'free', revision: last.streamRevision };
    return { kind: 'answered', record: { fingerprint: intent.fingerprint, answer: appendedOf(intent.streamId, settled) } };
  };

  /** Writes a record at the revision read; false when another attempt wrote there first. */
  const write = (requestId: string, event: NewEvent, revision: number | 'no_stream'): Promise<boolean> =>
    access.write({ streamId: requestStreamOf(requestId), events: [event], expectedRevision: revision });

  /**
   * The exact revision an append with this expectation goes at, or the stream's revision when it refuses
   * the expectation. An intent must not be written at a revision the stream has not reached: "nothing after
   * it" would then read as pending, and the append could be carried out later, when the stream got there,
   * though it was refused. Every stream has reached `no_stream`, and a stream has reached a revision this
   * process saw it at (the command handler's read of it, just before): those are taken as they are, and if
   * the stream has moved on since, the append is refused and the intent is dead. Only the others read the
   * stream's head.
   */
  const placeOf = async ({
    streamId,
    expectedRevision,
  }: AppendRequest): Promise<{ readonly at: number | 'no_stream' } | { readonly refused: number | 'no_stream' }> => {
    if (expectedRevision === 'no_stream' || expectedRevision === access.seenRevision(streamId)) return { at: expectedRevision };
    const actual = await access.revision(streamId);
    if (expectedRevision === 'any') return { at: actual };
    if (expectedRevision === 'stream_exists')
      // A stream with metadata and no events exists for the server, and an append at no_stream fits it.
      return actual !== 'no_stream' || (await access.hasMetadata(streamId)) ? { at: actual } : { refused: actual };
    return expectedRevision === actual ? { at: actual } : { refused: actual };
  };

  const append = async (append: AppendRequest & { readonly request: RequestIdentity }): Promise<AppendResult> => {
    const { streamId, events, expectedRevision, request } = append;
    // Nothing to append is no intent: the command handler records such a decision with recordDecision.
    if (events.length === 0) return access.append({ streamId, events, expectedRevision });
    for (let round = 0; round < maxRounds; round++) {
      const now = await standing(request.requestId, true);
      if (now.kind === 'answered') return { outcome: 'duplicate', record: now.record };
      if (now.kind === 'pending') continue;
      const place = await placeOf(append);
      if ('refused' in place) return { outcome: 'wrong_expected_revision', streamId, expected: expectedRevision, actual: place.refused };
      const intent: Intent = {
        requestId: request.requestId,
        fingerprint: request.fingerprint,
        streamId,
        at: place.at,
        events: [...events],
      };
      if (!(await write(request.requestId, recordEvent(request.requestId, intendedType, intent), now.revision))) continue;
      const done = await carryOut(intent);
      if (done !== 'dead') return { outcome: 'appended', streamId, revision: done[done.length - 1]!.streamRevision, events: done };
      // The stream moved between the read and the append: an exact expectation is refused, 'any' and
      // 'stream_exists' go round again at the new revision.
      if (expectedRevision !== 'any' && expectedRevision !== 'stream_exists')
        return { outcome: 'wrong_expected_revision', streamId, expected: expectedRevision, actual: await access.revision(streamId) };
    }
    throw new Error(`request ${request.requestId}: no answer after ${maxRounds} rounds of concurrent attempts`);
  };

  const recordDecision = async (request: RequestIdentity, decision: Decision): Promise<RecordedDecision> => {
    for (let round = 0; round < maxRounds; round++) {
      const now = await standing(request.requestId, true);
      if (now.kind === 'answered') return { record: now.record, recorded: false };
      if (now.kind === 'pending') continue;
      const decided = recordEvent(request.requestId, decidedType, {
        requestId: request.requestId,
        fingerprint: request.fingerprint,
        answer: decision,
      });
      if (await write(request.requestId, decided, now.revision))
        return { record: { fingerprint: request.fingerprint, answer: decision }, recorded: true };
    }
    throw new Error(`request ${request.requestId}: no answer after ${maxRounds} rounds of concurrent attempts`);
  };

  // A lookup only reads: a pending intent is no answer yet (the attempt that wrote it, or the next one,
  // carries it out).
  const findRequest = async (requestId: string): Promise<RequestRecord | undefined> => {
    const now = await standing(requestId, false);
    return now.kind === 'answered' ? now.record : undefined;
  };

  return { append, recordDecision, findRequest };
};
