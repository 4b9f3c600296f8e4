// The cloud wiring on this machine: the command API, relay and projector as their own processes, through
// the Pub/Sub, Firestore and Spanner emulators (reused when PUBSUB_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST
// and SPANNER_EMULATOR_HOST are set, else started and stopped here), the parcel documents watched in
// Firestore from this process.
import { silentLogger } from '@meridian/kernel';
import { platformProjections } from '@meridian/projections';
import { openDocumentStore, openEventStore } from '@meridian/wiring';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCloudLocal, type CloudLocal } from '../../cloud-local/cloud-local.ts';
import { emulatorUnavailable } from '../../emulators/emulators.ts';
import { measureLag, type LagResult } from './measure.ts';
import type { TrafficOptions } from './traffic.ts';

const runningEmulators = () => {
  const pubsub = process.env['PUBSUB_EMULATOR_HOST'];
  const firestore = process.env['FIRESTORE_EMULATOR_HOST'];
  const spanner = process.env['SPANNER_EMULATOR_HOST'];
  return pubsub !== undefined && firestore !== undefined && spanner !== undefined ? { pubsub, firestore, spanner } : undefined;
};

/**
 * Only the processes on the measured path run, as they would on machines of their own in the cloud: the
 * command API, the relay and the projector with the read-model projections (in the cloud the archive is a
 * service apart, and the query API, telemetry and webhook service do not touch this path). On this
 * machine's two cores the others would only add their CPU to the lag.
 */
const pathApps = ['command-api', 'relay', 'projector'] as const;
const readModels = platformProjections.map((projection) => projection.name).join(',');

/** Undefined (with the reason logged) when the emulators cannot run here. */
export const emulatorLag = async (
  traffic: Omit<TrafficOptions, 'baseUrl' | 'key'>,
  log: (line: string) => void,
): Promise<LagResult | undefined> => {
  const reuse = runningEmulators();
  const unavailable =
    reuse === undefined ? (emulatorUnavailable('pubsub') ?? emulatorUnavailable('firestore') ?? emulatorUnavailable('spanner')) : undefined;
  if (unavailable !== undefined) return void log(`no emulator lag figures: ${unavailable}`);
  process.env['METADATA_SERVER_DETECTION'] = 'none';
  const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-lag-cloud-'));
  // A project of its own: on reused emulators no other run's topics, subscriptions or documents are seen.
  const project = `meridian-bench-lag-${randomUUID().slice(0, 8)}`;
  let cloud: CloudLocal;
  try {
    cloud = await startCloudLocal({
      dataDir: dir,
      project,
      logLevel: 'WARNING',
      apps: pathApps,
      appEnv: { projector: { MERIDIAN_PROJECTIONS: readModels } },
      ...(reuse && { emulators: reuse }),
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return void log(`no emulator lag figures: the cloud wiring did not start (${error instanceof Error ? error.message : String(error)})`);
  }
  log(
    `cloud wiring up (${reuse ? 'reusing' : 'started'} emulators: Pub/Sub ${cloud.env['PUBSUB_EMULATOR_HOST']}, Firestore ${cloud.env['FIRESTORE_EMULATOR_HOST']}; project ${project})`,
  );
  const firestoreHost = cloud.env['FIRESTORE_EMULATOR_HOST'];
  // The Firestore client finds the emulator through the environment.
  process.env['FIRESTORE_EMULATOR_HOST'] = firestoreHost;
  const documents = openDocumentStore(
    {
      MERIDIAN_READ_MODELS: 'firestore',
      ...(firestoreHost !== undefined && { FIRESTORE_EMULATOR_HOST: firestoreHost }),
      GOOGLE_CLOUD_PROJECT: project,
    },
    silentLogger,
    dir,
  );
  // The log the command API appends to and the relay reads (Spanner): recordedAt of each event, read at the end.
  const store = openEventStore(cloud.env, silentLogger, dir);
  const admin = cloud.keys.find((k) => k.roles.includes('admin'));
  try {
    if (admin === undefined) throw new Error('no admin key among the development keys');
    return await measureLag({
      traffic: { ...traffic, baseUrl: cloud.urls['command-api'], key: admin.key },
      documents,
      log: store,
      settleMs: 1_000,
      drainMs: 30_000,
    });
  } finally {
    await documents.close();
    await store.close();
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
