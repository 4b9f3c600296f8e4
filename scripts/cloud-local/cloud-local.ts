// The cloud wiring on one machine: the Pub/Sub, Firestore and Spanner emulators, the topology and the event
// store's database provisioned, and each app as its own process wired to them, exactly as they would run on
// Cloud Run. No file is shared between processes: the log is in Spanner, read models and checkpoints in
// Firestore, the bus is Pub/Sub (the data directory holds the development keys, the logs, and the
// projector's own embedded archive, since no BigQuery runs here).
import { silentLogger } from '@meridian/kernel';
import { StartupFailure } from '@meridian/runtime';
import { developmentKeys, developmentTrackingKey, developmentWebhookSecretKey, openBus, provisionEventStore } from '@meridian/wiring';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, startEmulator, type RunningEmulator } from '../emulators/emulators.ts';

/** Every app, in the order of their ports: app i listens on the port base + i. */
export const appNames = ['command-api', 'query-api', 'telemetry', 'webhook-dispatcher', 'relay', 'projector', 'reactions'] as const;
export type AppName = (typeof appNames)[number];

const root = new URL('../..', import.meta.url).pathname;
const servesApi = (app: AppName) => app === 'command-api' || app === 'query-api' || app === 'telemetry' || app === 'webhook-dispatcher';
/** Where each deployable's composition root is (its folder under apps/). */
const folderOf: Readonly<Record<AppName, string>> = {
  'command-api': 'command-api',
  'query-api': 'query-api',
  telemetry: 'telemetry-api',
  'webhook-dispatcher': 'webhooks',
  relay: 'relay',
  projector: 'projector',
  reactions: 'reactions',
};
const mainOf = (app: AppName) => join(root, 'apps', folderOf[app], 'src', 'main.ts');

/** The Spanner instance and database of the event store, as MERIDIAN_SPANNER_DATABASE names them. */
export const spannerDatabase = 'meridian/events';

export type EmulatorHosts = { readonly pubsub: string; readonly firestore: string; readonly spanner: string };

export type CloudLocalOptions = {
  readonly dataDir: string;
  /** Reuse running emulators (the test runner's) instead of starting new ones. */
  readonly emulators?: EmulatorHosts;
  readonly project?: string;
  /** The first app's port; app i listens on portBase + i (appNames order). Absent or 0: free ports. */
  readonly portBase?: number;
  readonly logLevel?: string;
  /** Extra environment for every app (a live-map interval, webhook rules, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment for one app (which projections the projector runs, say). */
  readonly appEnv?: Partial<Record<AppName, Readonly<Record<string, string>>>>;
  /** The apps to start (default: all of them); a benchmark starts only those on the path it measures. */
  readonly apps?: readonly AppName[];
};

export type CloudLocal = {
  /** Every app's address: the APIs, and the relay's and projector's health. */
  readonly urls: Readonly<Record<AppName, string>>;
  readonly keys: readonly { key: string; roles: readonly string[] }[];
  /** What every app runs with (the emulators, the project, the store): also what a tool needs to reach them. */
  readonly env: Readonly<Record<string, string>>;
  readonly logDir: string;
  /** Kills one app (SIGKILL by default: a crash, not a shutdown) and waits for it to exit. */
  readonly kill: (app: AppName, signal?: NodeJS.Signals) => Promise<void>;
  readonly start: (app: AppName) => Promise<void>;
  readonly stop: () => Promise<void>;
};

/** The last line an app wrote before it stopped: its start-up failure says why in one line (a port in use, say). */
const lastLineOf = (logFile: string) => {
  const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
  return lines.at(-1) ?? '';
};

// Patient: seven apps and three emulators start at once, and on a busy two-core machine an app can take a minute.
const waitForHealth = async (url: string, child: ChildProcess, logFile: string, timeoutMs = 150_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Its own reason and status (78 for a port in use), so that start:cloud says and exits as the app did.
    if (child.exitCode !== null)
      throw new StartupFailure(`${url} exited with ${child.exitCode}: ${lastLineOf(logFile)}`, { exitCode: child.exitCode });
    try {
      // Bounded: whatever else holds the port (the reason this app exited) may accept and never answer.
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} was not healthy after ${timeoutMs} ms`);
};

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/** The emulators, all started at once (each takes seconds, mostly waiting on its own JVM or binary). */
const startEmulators = async (logDir: string, project: string): Promise<{ hosts: EmulatorHosts; running: RunningEmulator[] }> => {
  const results = await Promise.allSettled(
    (['pubsub', 'firestore', 'spanner'] as const).map((kind) => startEmulator(kind, { logDir, project })),
  );
  const running = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(running.map((emulator) => emulator.stop()));
    throw failed.reason;
  }
  const host = (kind: RunningEmulator['kind']) => running.find((emulator) => emulator.kind === kind)!.host;
  return { hosts: { pubsub: host('pubsub'), firestore: host('firestore'), spanner: host('spanner') }, running };
};

/** One value per app. */
const byApp = <A>(of: (app: AppName) => A): Record<AppName, A> => ({
  'command-api': of('command-api'),
  'query-api': of('query-api'),
  telemetry: of('telemetry'),
  'webhook-dispatcher': of('webhook-dispatcher'),
  relay: of('relay'),
  projector: of('projector'),
  reactions: of('reactions'),
});

/** Each app's port: base + its index, the base free ports when none is given. */
const portsOf = async (base: number | undefined): Promise<Record<AppName, number>> => {
  const first = base || (await freePorts(appNames.length));
  return byApp((app) => first + appNames.indexOf(app));
};

export const startCloudLocal = async (options: CloudLocalOptions): Promise<CloudLocal> => {
  const project = options.project ?? 'meridian-local';
  const logDir = join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const started = options.emulators === undefined ? await startEmulators(logDir, project) : undefined;
  const emulatorHosts = options.emulators ?? started!.hosts;
  const stopEmulators = () => Promise.all((started?.running ?? []).map((emulator) => emulator.stop()));
  const keys = developmentKeys(options.dataDir).keys;
  // The webhook service's sealing key is kept with the data. Where webhooks may go is the cloud's rule
  // (public HTTPS only) unless MERIDIAN_WEBHOOK_ALLOW / MERIDIAN_WEBHOOK_ALLOW_HTTP say otherwise.
  const webhookKey = developmentWebhookSecretKey(options.dataDir).key.toString('base64');
  const env: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: project,
    PUBSUB_EMULATOR_HOST: emulatorHosts.pubsub,
    FIRESTORE_EMULATOR_HOST: emulatorHosts.firestore,
    SPANNER_EMULATOR_HOST: emulatorHosts.spanner,
    MERIDIAN_SPANNER_DATABASE: spannerDatabase,
    METADATA_SERVER_DETECTION: 'none',
    MERIDIAN_DATA_DIR: options.dataDir,
    MERIDIAN_API_KEYS: JSON.stringify(keys),
    MERIDIAN_PROVISION: 'false',
    MERIDIAN_LOG_LEVEL: options.logLevel ?? 'INFO',
    MERIDIAN_WEBHOOK_SECRET_KEY: webhookKey,
    // Tracking links, signed as npm start signs them: with a key kept with the data.
    MERIDIAN_TRACKING_KEY: developmentTrackingKey(options.dataDir).toString('base64'),
    ...options.env,
  };
  // Provision once, before the apps, so they never race to create the same subscription or table.
  try {
    await Promise.all([
      openBus(
        { MERIDIAN_BUS: 'pubsub', PUBSUB_EMULATOR_HOST: emulatorHosts.pubsub, GOOGLE_CLOUD_PROJECT: project, MERIDIAN_PROVISION: 'true' },
        { logger: silentLogger },
      ).then((bus) => bus.close()),
      provisionEventStore({
        MERIDIAN_SPANNER_DATABASE: spannerDatabase,
        GOOGLE_CLOUD_PROJECT: project,
        SPANNER_EMULATOR_HOST: emulatorHosts.spanner,
      }),
    ]);
  } catch (error) {
    await stopEmulators();
    throw error;
  }

  const ports = await portsOf(options.portBase);
  const url = (app: AppName) => `http://127.0.0.1:${ports[app]}`;
  const children = new Map<AppName, ChildProcess>();
  const start = async (app: AppName) => {
    const logFile = join(logDir, `${app}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(process.execPath, [mainOf(app)], {
      env: { ...process.env, ...env, ...options.appEnv?.[app], PORT: String(ports[app]) },
      stdio: ['ignore', log, log],
    });
    children.set(app, child);
    // The APIs are waited for; the workers (relay, projector, reactions) serve their health too, but are not waited
    // for: they have nothing to answer until the log or the bus has something for them.
    if (servesApi(app)) await waitForHealth(url(app), child, logFile);
  };
  const kill = async (app: AppName, signal: NodeJS.Signals = 'SIGKILL') => {
    const child = children.get(app);
    if (child === undefined) return;
    child.kill(signal);
    // A shutdown that hangs is finished as a crash.
    const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(deadline);
  };
  const stop = async () => {
    await Promise.all(appNames.map((app) => kill(app, 'SIGTERM')));
    await stopEmulators();
  };
  try {
    // All at once: each app spends its start-up loading modules and connecting, not waiting on another.
    const results = await Promise.allSettled((options.apps ?? appNames).map(start));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } catch (error) {
    // Nothing may outlive a failed start: an emulator left running holds its port and half a gigabyte.
    await stop();
    const message = `${error instanceof Error ? error.message : String(error)}; see the logs in ${logDir}`;
    throw error instanceof StartupFailure
      ? new StartupFailure(message, { exitCode: error.exitCode, cause: error })
      : new Error(message, { cause: error });
  }
  return { urls: byApp(url), keys, env, logDir, kill, start, stop };
};
