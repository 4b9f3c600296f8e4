// The replay CLI as an engineer runs it: dry run with a report, a rebuild killed with SIGKILL and run again
// (it resumes), the switch, and the cleanup.
import { createStateCache, handleCommand, randomId } from '@meridian/kernel';
import { parcel, type ParcelCommand } from '@meridian/parcel';
import { applyEvents, parcelStatusProjection, parcelsCollection, physicalCollection, readGenerations } from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWholeLog } from '@meridian/kernel/testing';
import * as E from 'fp-ts/lib/Either.js';

const main = new URL('./main.ts', import.meta.url).pathname;

const prepare = async (parcels: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-replay-cli-'));
  const log = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
  const cache = createStateCache();
  const send = async (type: ParcelCommand['type'], data: Record<string, unknown>) => {
    const result = await handleCommand(
      { store: log, cache },
      {
        aggregate: parcel,
        command: { type, data, metadata: { now: new Date('2026-11-21T08:00:00Z') } } as ParcelCommand,
        context: { actor: { principalId: 'a', role: 'admin' }, correlationId: 'c', causationId: randomId() },
      },
    );
    if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  };
  await Promise.all(
    Array.from({ length: parcels }, async (_, i) => {
      const parcelId = `p-${i}`;
      await send('RegisterParcel', {
        parcelId,
        clientId: 'acme',
        recipient: { name: 'Ada' },
        address: { line1: 'x', city: 'y', postalCode: 'z', country: 'NL', location: { lat: 1, lng: 1 } },
        weightKg: 1,
        slaDeadline: '2026-11-21T18:00:00Z',
      });
      await send('AssignParcelToRoute', { parcelId, routeId: 'r-1' });
      await send('LoadParcel', { parcelId, vehicleId: 'v-1' });
    }),
  );
  // The live generation, as the platform's projector would have built it.
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  await applyEvents(
    documents,
    parcelStatusProjection,
    (await readWholeLog(log)).filter((e) => parcelStatusProjection.eventTypes.includes(e.type)),
  );
  await documents.close();
  await log.close();
  return dir;
};

const replayCli = (dir: string, args: readonly string[], { killAfterProgress = false } = {}) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    // The embedded wiring, whatever the test runner exported for the emulators.
    const child = spawn(process.execPath, [main, ...args], {
      env: {
        ...process.env,
        MERIDIAN_DATA_DIR: dir,
        MERIDIAN_READ_MODELS: 'sqlite',
        FIRESTORE_EMULATOR_HOST: '',
        PUBSUB_EMULATOR_HOST: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      if (killAfterProgress && /position [1-9]\d*\//.test(stderr)) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

const readModels = (dir: string) => createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });

/** The parcel-status generation a fresh store starts with: its projection's version. */
const first = `v${parcelStatusProjection.version}`;

test('a dry run writes a report and switches nothing', async (t) => {
  const dir = await prepare(30);
  const report = join(dir, 'report.json');
  const run = await replayCli(dir, ['parcel-status', '--dry-run', '--report', report]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /parcel-status\/parcels: 0 added, 0 changed, 0 removed, 30 unchanged/);
  t.like(JSON.parse(readFileSync(report, 'utf8')), { projection: 'parcel-status', live: first });
  const documents = readModels(dir);
  t.like(await readGenerations(documents, parcelStatusProjection), { live: first, retired: [] });
  await documents.close();
});

test('a rebuild killed with SIGKILL resumes from its checkpoint, then switches; cleanup drops the old generation', async (t) => {
  const dir = await prepare(1500);
  const killed = await replayCli(dir, ['parcel-status'], { killAfterProgress: true });
  t.is(killed.signal, 'SIGKILL');
  const before = readModels(dir);
  const building = (await readGenerations(before, parcelStatusProjection)).building;
  t.is(building, `${first}r1`, 'the interrupted build is remembered');
  await before.close();
  const resumed = await replayCli(dir, ['parcel-status']);
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stdout, new RegExp(`generation ${first}r1 is live \\(was ${first}\\); 4500 events`));
  t.regex(resumed.stderr, /events\/s/, 'a progress line with the rate');
  const after = readModels(dir);
  t.like(await readGenerations(after, parcelStatusProjection), { live: `${first}r1`, retired: [first] });
  t.is((await after.query(physicalCollection(parcelsCollection, `${first}r1`), { limit: 2000 })).documents.length, 1500);
  await after.close();
  const cleaned = await replayCli(dir, ['parcel-status', '--cleanup']);
  t.regex(cleaned.stdout, new RegExp(`dropped ${first}`));
});

test('usage mistakes exit 2', async (t) => {
  for (const args of [[], ['nonsense'], ['parcel-status', '--from', '2026-11-21T00:00:00Z']])
    t.is((await replayCli(mkdtempSync(join(tmpdir(), 'x')), args)).code, 2, args.join(' '));
});
