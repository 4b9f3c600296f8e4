// The replay fixture: a log of parcel days, built once through the SQLite store's own (group-committed)
// appends and cached in the bench's work directory. Parcels move in waves of 1,000, step by step, so the
// streams interleave in the global log as a depot's morning would.
import type { NewEvent } from '@meridian/kernel';
import { parcelDecider, parcelEvents, type ParcelState } from '@meridian/parcel';
import { createSqliteEventStore } from '@meridian/sqlite';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { journeyOf, seededRandom, type Step } from './journeys.ts';

export type LogFixture = { readonly path: string; readonly events: number; readonly parcels: number; readonly bytes: number };

/** Bumped whenever the generator changes, so a cached log of another shape is not reused. */
const generatorVersion = 1;
const waveSize = 1_000;

const label = (events: number) => (events % 1_000_000 === 0 ? `${events / 1_000_000}m` : `${events / 1_000}k`);

type Journey = { readonly streamId: string; readonly steps: readonly Step[]; state: ParcelState; revision: number };

/** The envelope metadata of one command's events, as the command API would record it. */
const metadataOf = (parcelStep: string, dispatcher: number): NewEvent['metadata'] => {
  const hex = randomBytes(56).toString('hex');
  return {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    requestId: `dispatcher-${dispatcher}/${parcelStep}`,
    requestFingerprint: hex.slice(0, 64),
    actor: { principalId: `dispatcher-${dispatcher}`, role: 'dispatcher' },
    traceparent: `00-${hex.slice(64, 96)}-${hex.slice(96, 112)}-01`,
  };
};

const build = async (path: string, target: number): Promise<{ events: number; parcels: number }> => {
  const clock = { now: new Date(0) };
  const store = createSqliteEventStore({ path, synchronous: 'NORMAL', now: () => clock.now });
  const random = seededRandom(20_261_121);
  let events = 0;
  let parcels = 0;
  for (let wave = 0; events < target; wave++) {
    const day = new Date(Date.UTC(2026, 0, 5) + wave * 86_400_000);
    const journeys: Journey[] = Array.from({ length: waveSize }, (_, index) => ({
      streamId: `parcel-w${wave}-p${index}`,
      steps: journeyOf({ random, day, wave, index }),
      state: parcelDecider.initialState,
      revision: -1,
    }));
    const longest = Math.max(...journeys.map((j) => j.steps.length));
    for (let s = 0; s < longest && events < target; s++) {
      const appends: Promise<unknown>[] = [];
      let latest = 0;
      journeys.forEach((journey, index) => {
        const step = journey.steps[s];
        if (step === undefined) return;
        const now = new Date(day.getTime() + step.minute * 60_000 + index * 1_000);
        const decision = parcelDecider.decide(step.command(now), journey.state);
        if (E.isLeft(decision)) throw new Error(`fixture journey refused at ${journey.streamId} step ${s}: ${decision.left.message}`);
        const facts = decision.right;
        if (facts.length === 0 || events + facts.length > target) return;
        const metadata = metadataOf(`${journey.streamId}:${s}`, index % 12);
        const expectedRevision = journey.revision < 0 ? 'no_stream' : journey.revision;
        appends.push(
          store
            .append({
              streamId: journey.streamId,
              expectedRevision,
              events: facts.map((fact) => ({ eventId: randomUUID(), ...parcelEvents.encode(fact), metadata })),
            })
            .then((result) => {
              if (result.outcome !== 'appended') throw new Error(`fixture append refused: ${JSON.stringify(result)}`);
            }),
        );
        for (const fact of facts) journey.state = parcelDecider.evolve(journey.state, fact);
        journey.revision += facts.length;
        events += facts.length;
        if (s === 0) parcels += 1;
        latest = Math.max(latest, now.getTime());
      });
      clock.now = new Date(latest + 1_000);
      await Promise.all(appends);
    }
  }
  await store.close();
  return { events, parcels };
};

/** The cached log of `events` events, built first if it is not there (about a minute for 1,000,000). */
export const ensureLog = async (workDir: string, target: number, log: (line: string) => void): Promise<LogFixture> => {
  const path = join(workDir, `log-${label(target)}-v${generatorVersion}.db`);
  const manifest = `${path}.json`;
  if (existsSync(path) && existsSync(manifest)) return { ...(JSON.parse(readFileSync(manifest, 'utf8')) as LogFixture), path };
  const building = `${path}.building`;
  for (const file of [building, `${building}-wal`, `${building}-shm`, manifest]) rmSync(file, { force: true });
  log(`building the replay fixture: ${target.toLocaleString('en-US')} parcel events through the SQLite store's appends (first run only)`);
  const started = performance.now();
  const { events, parcels } = await build(building, target);
  renameSync(building, path);
  const { size } = statSync(path);
  const fixture: LogFixture = { path, events, parcels, bytes: size };
  writeFileSync(manifest, `${JSON.stringify(fixture)}\n`);
  log(
    `fixture built in ${((performance.now() - started) / 1000).toFixed(1)} s: ${events.toLocaleString('en-US')} events, ${parcels.toLocaleString('en-US')} parcels, ${(size / 2 ** 20).toFixed(0)} MiB`,
  );
  return fixture;
};
