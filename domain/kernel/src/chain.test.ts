// The chain functions every store shares, on logs built in memory: links plain and keyed, the walk's
// verdicts, and the (position, hash) checkpoints a rewrite or a cut cannot match.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { chainContentOf, chainKeyOf, chainLinker, genesisHash, mayFollow, type ChainKey } from './chain.ts';
import { verifyChain, type ChainedEvent } from './chain-walk.ts';

/** A log as a store would chain it: events at the given positions, streams a and b alternating. */
const log = (positions: readonly number[], key?: ChainKey): ChainedEvent[] => {
  const { scheme, link } = chainLinker(key);
  const streams = new Map<string, { hash: string; revision: number }>();
  let global = genesisHash;
  return positions.map((globalPosition, index) => {
    const streamId = index % 2 === 0 ? 'parcel-a' : 'parcel-b';
    const previous = streams.get(streamId);
    const streamRevision = (previous?.revision ?? -1) + 1;
    const content = {
      eventId: `e${globalPosition}`,
      type: 't.v1',
      schemaVersion: 1,
      streamId,
      streamRevision,
      globalPosition,
      recordedAt: '2026-11-21T08:00:00.000Z',
      data: '{}',
      metadata: '{}',
    };
    const streamHash = link(previous?.hash ?? genesisHash, chainContentOf(content));
    global = link(global, chainContentOf(content));
    streams.set(streamId, { hash: streamHash, revision: streamRevision });
    return { ...content, streamHash, globalHash: global, scheme };
  });
};

const at = (events: readonly ChainedEvent[], position: number) => ({
  position,
  hash: events.find((e) => e.globalPosition === position)!.globalHash!,
  source: 'test',
});

test('a whole log verifies, and its head is the last global link', (t) => {
  const events = log([1, 2, 3, 4]);
  t.deepEqual(verifyChain(events), {
    ok: true,
    events: 4,
    streams: 2,
    schemes: { sha256: 4 },
    head: { position: 4, hash: events[3]!.globalHash! },
    checkpoints: [],
  });
});

test('checkpoints: one on the log matches; past the end is a cut; a position the log skips is missing; another hash differs', (t) => {
  const events = log([1, 2, 3, 5, 6]);
  const other = log([1, 2, 3, 5, 6, 7]);
  const report = verifyChain(events, {
    checkpoints: [
      at(events, 6),
      { ...at(other, 7), source: 'cut' },
      { position: 4, hash: 'f'.repeat(64), source: 'gap' },
      { ...at(events, 2), hash: 'e'.repeat(64) },
    ],
  });
  t.false(report.ok);
  t.deepEqual(
    report.checkpoints.map((c) => [c.position, c.outcome]),
    [
      [2, 'differs'],
      [4, 'missing'],
      [6, 'matches'],
      [7, 'beyond-head'],
    ],
  );
  t.like(report.checkpoints[3], { head: 6 });
  t.true(verifyChain(events, { checkpoints: [at(events, 6), at(events, 1)] }).ok);
});

test('after a broken link, later checkpoints are unchecked, not passed', (t) => {
  const events = log([1, 2, 3, 4]);
  const changed = events.map((e) => (e.globalPosition === 2 ? { ...e, data: '{"x":1}' } : e));
  const report = verifyChain(changed, { checkpoints: [at(events, 1), at(events, 4)] });
  t.like(report, { ok: false, events: 1, broken: { globalPosition: 2, chain: 'stream' } });
  t.deepEqual(
    report.checkpoints.map((c) => c.outcome),
    ['matches', 'unchecked'],
  );
});

test('keyed links verify with their key only; a plain log may become keyed, a keyed one not plain again', (t) => {
  const key = chainKeyOf(randomBytes(32));
  const keyed = log([1, 2, 3], key);
  t.like(verifyChain(keyed, { key }), { ok: true, events: 3 });
  t.like(verifyChain(keyed), { ok: false, events: 0, keyNeeded: { position: 1, keyId: key.id } });
  t.not(keyed[2]!.globalHash, log([1, 2, 3])[2]!.globalHash, 'a keyed link is not the plain one');
  t.true(mayFollow(undefined, 'sha256'));
  t.true(mayFollow('sha256', `hmac-sha256:${key.id}`));
  t.true(mayFollow(`hmac-sha256:${key.id}`, `hmac-sha256:${key.id}`));
  t.false(mayFollow(`hmac-sha256:${key.id}`, 'sha256'));
  t.false(mayFollow(`hmac-sha256:${key.id}`, 'hmac-sha256:0000000000000000'));
});

test('a key id names the key without revealing it, the same for the same key', (t) => {
  const secret = randomBytes(32);
  t.is(chainKeyOf(secret).id, chainKeyOf(Buffer.from(secret)).id);
  t.regex(chainKeyOf(secret).id, /^[0-9a-f]{16}$/);
  t.not(chainKeyOf(secret).id, chainKeyOf(randomBytes(32)).id);
});
