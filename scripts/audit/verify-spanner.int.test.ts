// `npm run audit -- verify` against a Spanner event store on the emulator: the command the auditor runs,
// configured as the apps are (MERIDIAN_SPANNER_DATABASE).
import { environmentFor, newEvent } from '@meridian/kernel/testing';
import { openSpanner, sealOnce } from '@meridian/spanner';
import { openFreshStore } from '@meridian/spanner/testing';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { verifyCommand } from './verify.ts';

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
