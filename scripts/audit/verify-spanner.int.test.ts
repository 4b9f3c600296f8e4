// `npm run audit -- verify` against a Spanner event store on the emulator: the command the auditor runs,
// configured as the apps are (MERIDIAN_SPANNER_DATABASE).
import { environmentFor, newEvent } from '@meridian/kernel/testing';
import { openSpanner, sealOnce } from '@meridian/spanner';
import { openFreshStore } from '@meridian/spanner/testing';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { headCommand, verifyCommand } from './verify.ts';

const emulatorHost = environmentFor(test, 'audit verify on Spanner (Spanner emulator)', 'SPANNER_EMULATOR_HOST', { requiredUnderCi: true });

if (emulatorHost !== undefined)
  test('verify reports an intact Spanner log with its sealed head, then the event someone changed', async (t) => {
    const store = await openFreshStore(emulatorHost);
    const client = openSpanner(store.location);
    try {
      for (let revision = 0; revision < 3; revision++)
        await store.append({
          streamId: 'parcel-x',
          events: [newEvent('parcel.thing.v1', { revision })],
          expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
        });
      await sealOnce(client.database);
      await store.append({ streamId: 'parcel-y', events: [newEvent()], expectedRevision: 'no_stream' });
      const config = {
        MERIDIAN_SPANNER_DATABASE: `${store.location.instanceId}/${store.location.databaseId}`,
        GOOGLE_CLOUD_PROJECT: store.location.projectId,
        SPANNER_EMULATOR_HOST: emulatorHost,
      };
      const run = async () => {
        const out: string[] = [];
        const status = await verifyCommand({
          config,
          dataDir: '/nonexistent',
          out: (line) => out.push(line),
          err: (line) => out.push(line),
          expectHeads: [],
          anchors: async () => E.right([]),
        });
        return { status, text: out.join('\n') };
      };
      const intact = await run();
      t.is(intact.status, 0, intact.text);
      t.regex(
        intact.text,
        /intact: 4 events in 2 streams; every stream chain verifies, and the global chain through 3 sealed events \(head position \d+, hash [0-9a-f]{64}\)/,
      );
      t.regex(intact.text, /the 1 newest events are covered by their streams' chains only/);
      await client.database.table('events').update({ stream_id: 'parcel-x', revision: 1, data: '{"revision":7}' });
      const tampered = await run();
      t.is(tampered.status, 1);
      t.regex(tampered.text, /TAMPERED: the stream chain breaks at position \d+ \(parcel-x revision 1/);
    } finally {
      await client.close();
      await store.close();
    }
  });

if (emulatorHost !== undefined)
  test('head prints the last seal; verify holds the Spanner log to the archive anchors and --expect-head, and names a cut tail', async (t) => {
    const store = await openFreshStore(emulatorHost);
    const client = openSpanner(store.location);
    try {
      const config = {
        MERIDIAN_SPANNER_DATABASE: `${store.location.instanceId}/${store.location.databaseId}`,
        GOOGLE_CLOUD_PROJECT: store.location.projectId,
        SPANNER_EMULATOR_HOST: emulatorHost,
      };
      const collect = () => {
        const out: string[] = [];
        const err: string[] = [];
        return {
          out,
          err,
          deps: { config, dataDir: '/nonexistent', out: (line: string) => out.push(line), err: (line: string) => err.push(line) },
        };
      };
      const noSeal = collect();
      t.is(await headCommand(noSeal.deps), 1);
      t.regex(noSeal.err.join('\n'), /no seal yet/);

      await store.append({ streamId: 'parcel-x', events: [newEvent()], expectedRevision: 'no_stream' });
      await sealOnce(client.database);
      const anchor = (await store.chainHead?.())!;
      await store.append({ streamId: 'parcel-x', events: [newEvent()], expectedRevision: 0 });
      await sealOnce(client.database);
      const printed = collect();
      t.is(await headCommand(printed.deps), 0, printed.err.join('\n'));
      const [position, hash] = printed.out[0]!.split(':');
      t.is(printed.out.length, 1);
      t.regex(hash ?? '', /^[0-9a-f]{64}$/);
      const expectHeads = [{ position: Number(position), hash: hash!, source: '--expect-head' }];
      const anchors = async () => E.right([{ position: anchor.position, hash: anchor.hash, recordedAt: '2026-11-21T08:00:00.000Z' }]);

      const run = async () => {
        const { out, err, deps } = collect();
        const status = await verifyCommand({ ...deps, expectHeads, anchors });
        return { status, text: [...out, ...err].join('\n') };
      };
      const intact = await run();
      t.is(intact.status, 0, intact.text);
      t.regex(intact.text, /anchors in the archive: 1, 1 on the log with the same hash/);
      t.regex(intact.text, /expected heads: 1, 1 on the log with the same hash/);

      // Cut the last event, mend the stream's row, and remove the seal that covered it: the rest still chains.
      const [rows] = await client.database.run({
        sql: "SELECT stream_hash FROM events WHERE stream_id = 'parcel-x' AND revision = 0",
        json: true,
      });
      const first: unknown = rows[0];
      const tip = typeof first === 'object' && first !== null && 'stream_hash' in first ? String(first.stream_hash) : '';
      await client.database.runTransactionAsync(async (transaction) => {
        await transaction.batchUpdate([
          "DELETE FROM events WHERE stream_id = 'parcel-x' AND revision = 1",
          { sql: "UPDATE streams SET revision = 0, last_hash = @tip WHERE stream_id = 'parcel-x'", params: { tip } },
          'DELETE FROM log_seals WHERE seal = 2',
        ]);
        await transaction.commit();
      });
      const cut = await run();
      t.is(cut.status, 1, cut.text);
      t.regex(cut.text, /every stream chain verifies over 1 events in 1 streams, .* but not against the heads recorded elsewhere/);
      t.regex(
        cut.text,
        new RegExp(`TAMPERED: the log ends at position ${anchor.position}, but --expect-head has its head at position ${position}`),
      );
      t.regex(cut.text, /anchors in the archive: 1, 1 on the log with the same hash/);
    } finally {
      await client.close();
      await store.close();
    }
  });
