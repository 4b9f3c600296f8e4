// Tamper evidence for event stores, as pure functions every store can use. Each stored event carries two
// links: one chaining it to the previous event of its stream, one to the previous event of the whole log.
// A link is a hash of the previous link and the event's exact stored bytes, so changing, removing or
// reordering an event breaks the chain at that event.
//
// A plain link (SHA-256) can be recomputed by anyone who can write the database, who could then rewrite
// every later link too. A keyed link (HMAC-SHA256 with a key kept outside the database, MERIDIAN_CHAIN_KEY)
// cannot be forged without the key. Each event records how it was chained (its scheme), so a log chained
// plainly and keyed from some point on still verifies; a keyed link may not be followed by a plain one
// (that would let a writer without the key extend a keyed log). What a rewrite of the whole chain cannot
// hide is a head recorded elsewhere: an auditor's note of it, or the anchors the platform writes to the
// archive (see chainWalk's checks).
import { createHmac, hash } from 'node:crypto';

/** The link before the first event of any chain. */
export const genesisHash = '0'.repeat(64);

/** The exact stored bytes of an event, field by field: what the links cover. */
export type ChainedContent = {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamRevision: number;
  readonly globalPosition: number;
  readonly recordedAt: string;
  /** The data and metadata JSON as stored. */
  readonly data: string;
  readonly metadata: string;
};

export const chainContentOf = (e: ChainedContent): string =>
  [e.eventId, e.type, e.schemaVersion, e.streamId, e.streamRevision, e.globalPosition, e.recordedAt, e.data, e.metadata].join('\n');

/** A plain link: SHA-256 of the previous link and the content. */
export const chainLink = (previous: string, content: string): string => hash('sha256', `${previous}\n${content}`);

/** The key of keyed links. `id` names it (in the store, in reports) without revealing it. */
export type ChainKey = { readonly id: string; readonly secret: Uint8Array };

export const chainKeyOf = (secret: Uint8Array): ChainKey => ({
  id: createHmac('sha256', secret).update('meridian chain key id').digest('hex').slice(0, 16),
  secret,
});

/** A keyed link: HMAC-SHA256, under the key, of the previous link and the content. */
export const keyedChainLink = (key: ChainKey, previous: string, content: string): string =>
  createHmac('sha256', key.secret).update(`${previous}\n${content}`).digest('hex');

/** How an event was chained, as stored beside its links: `sha256`, or `hmac-sha256:<key id>`. */
export type ChainScheme = string;

export const plainChainScheme: ChainScheme = 'sha256';
const keyedPrefix = 'hmac-sha256:';

export const chainSchemeOf = (key: ChainKey | undefined): ChainScheme => (key === undefined ? plainChainScheme : `${keyedPrefix}${key.id}`);

/** The key id of a keyed scheme; undefined for a plain one. */
export const chainKeyIdOf = (scheme: ChainScheme): string | undefined =>
  scheme.startsWith(keyedPrefix) ? scheme.slice(keyedPrefix.length) : undefined;

/** What a writer chains with: its scheme, and the link function of that scheme. */
export type ChainLinker = { readonly scheme: ChainScheme; readonly link: (previous: string, content: string) => string };

export const chainLinker = (key?: ChainKey): ChainLinker => ({
  scheme: chainSchemeOf(key),
  link: key === undefined ? chainLink : (previous, content) => keyedChainLink(key, previous, content),
});

/**
 * Whether a writer with `next` may append after an event chained with `last`: a keyed log stays keyed,
 * under the same key (a plain link after a keyed one is what a forger without the key would write).
 */
export const mayFollow = (last: ChainScheme | undefined, next: ChainScheme): boolean =>
  last === undefined || chainKeyIdOf(last) === undefined || last === next;

/** The last link of a log: where it ends, and the global hash there. */
export type ChainHead = { readonly position: number; readonly hash: string; readonly scheme: ChainScheme };
