// Tamper evidence on Spanner, without a global hot spot. A single chain over the whole log (what the
// embedded store keeps) would make every append read and write one row: every transaction would conflict
// with every other. So:
//
// - Each stream keeps its own chain, in the append's transaction: every event's `stream_hash` links its
//   content to the previous event of its stream, and the stream's row holds the tip. Appends to different
//   streams share nothing. The link covers what the append knows: not the commit timestamp, nor the
//   position derived from it.
// - One sealer (sealer.ts) walks the log in commit order behind the writers and appends seals: each seal
//   continues a global chain over every event since the previous seal, this time with its position and
//   recorded time, and stores the chain's hash, the count of events so far and the last key it covers.
//   Only the sealer writes seals, so the global chain costs appends nothing.
//
// `verify` (verify.ts) recomputes both: a changed, removed or reordered event breaks its stream's chain
// (or the stream row's tip) at once, and the global chain at the next seal; a cut tail falls short of the
// last seal. Events newer than the last seal are covered by their streams' chains only, until sealed.
import { chainContentOf, chainLink, genesisHash } from '@meridian/kernel';

/** The link before the first event of any chain. */
export const genesis = genesisHash;

export { chainLink };

/** An event as stored, before its commit: what the stream chain covers. */
export type StreamLinkContent = {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamRevision: number;
  /** The data and metadata JSON as stored. */
  readonly data: string;
  readonly metadata: string;
};

export const streamContentOf = (e: StreamLinkContent): string =>
  [e.eventId, e.type, e.schemaVersion, e.streamId, e.streamRevision, e.data, e.metadata].join('\n');

export const streamLink = (previous: string, event: StreamLinkContent): string => chainLink(previous, streamContentOf(event));

/** A committed event: what the sealed global chain covers (the embedded store's content, field for field). */
export type SealedContent = StreamLinkContent & { readonly globalPosition: number; readonly recordedAt: string };

export const globalLink = (previous: string, event: SealedContent): string => chainLink(previous, chainContentOf(event));
