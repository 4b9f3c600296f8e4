// The cloud wiring on one machine: the Pub/Sub and Firestore emulators, the topology provisioned, and each
// app as its own process wired to them, exactly as they would run on Cloud Run (the event store is the
// embedded SQLite file shared by the command API and the relay, since no EventStoreDB runs here).
import { silentLogger } from '@meridian/kernel';
import { developmentKeys, developmentWebhookSecretKey, openBus } from '@meridian/wiring';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startEmulator, type RunningEmulator } from '../emulators/emulators.ts';

export const appNames = ['command-api', 'query-api', 'telemetry', 'webhook-dispatcher', 'relay', 'projector'] as const;
export type AppName = (typeof appNames)[number];

const root = new URL('../..', import.meta.url).pathname;
/** Where each deployable's composition root is (its folder under apps/). */
const folderOf: Readonly<Record<AppName, string>> = { 'command-api': 'command-api', 'query-api': 'query-api', telemetry: 'telemetry-api', 'webhook-dispatcher': 'webhook-dispatcher', relay: 'relay', projector: 'projector' };
const mainOf = (app: AppName) => join(root, 'apps', folderOf[app], 'src', 'main.ts');
const servesHttp = (app: AppName) => app === 'command-api' || app === 'query-api' || app === 'telemetry' || app === 'webhook-dispatcher';

export type CloudLocalOptions = {
  readonly dataDir: string;
  /** Reuse running emulators (the test runner's) instead of starting new ones. */
  readonly emulators?: { readonly pubsub: string; readonly firestore: string };
  readonly project?: string;
  readonly ports?: Partial<Record<AppName, number>>;
  readonly logLevel?: string;
  /** Extra environment for every app (a live-map interval, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment for one app (which projections the projector runs, say). */
  readonly appEnv?: Partial<Record<AppName, Readonly<Record<string, string>>>>;
  /** The apps to start (default: all of them); a benchmark starts only those on the path it measures. */
  readonly apps?: readonly AppName[];
};

export type CloudLocal = {
  readonly urls: Readonly<Record<'command-api' | 'query-api' | 'telemetry' | 'webhook-dispatcher', string>>;
  readonly keys: readonly { key: string; roles: readonly string[] }[];
  readonly env: Readonly<Record<string, string>>;
  readonly logDir: string;
  /** Kills one app (SIGKILL by default: a crash, not a shutdown) and waits for it to exit. */
  readonly kill: (app: AppName, signal?: NodeJS.Signals) => Promise<void>;
  readonly start: (app: AppName) => Promise<void>;
  readonly stop: () => Promise<void>;
};

const waitForHealth = async (url: string, child: ChildProcess, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} was not healthy after ${timeoutMs} ms`);
};

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

export const startCloudLocal = async (options: CloudLocalOptions): Promise<CloudLocal> => {
  const project = options.project ?? 'meridian-local';
  const logDir = join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const started: RunningEmulator[] = [];
  const emulatorHosts =
    options.emulators ??
    (await (async () => {
      const [pubsub, firestore] = await Promise.all([startEmulator('pubsub', { logDir, project }), startEmulator('firestore', { logDir, project })]);
      started.push(pubsub, firestore);
      return { pubsub: pubsub.host, firestore: firestore.host };
    })());
  const keys = developmentKeys(options.dataDir).keys;
  // Webhooks on this machine: a sealing key kept with the data, receivers on loopback and plain http allowed.
  const webhookKey = developmentWebhookSecretKey(options.dataDir).key.toString('base64');
  const env: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: project,
    PUBSUB_EMULATOR_HOST: emulatorHosts.pubsub,
    FIRESTORE_EMULATOR_HOST: emulatorHosts.firestore,
    METADATA_SERVER_DETECTION: 'none',
    MERIDIAN_DATA_DIR: options.dataDir,
    MERIDIAN_API_KEYS: JSON.stringify(keys),
    MERIDIAN_PROVISION: 'false',
    MERIDIAN_LOG_LEVEL: options.logLevel ?? 'INFO',
    MERIDIAN_WEBHOOK_SECRET_KEY: webhookKey,
    MERIDIAN_WEBHOOK_ALLOW: '127.0.0.1/32,::1',
    MERIDIAN_WEBHOOK_ALLOW_HTTP: 'true',
    ...options.env,
  };
  // Provision once, before the apps, so they never race to create the same subscription.
  try {
    const provisioning = await openBus({ MERIDIAN_BUS: 'pubsub', PUBSUB_EMULATOR_HOST: emulatorHosts.pubsub, GOOGLE_CLOUD_PROJECT: project, MERIDIAN_PROVISION: 'true' }, { logger: silentLogger });
    await provisioning.close();
  } catch (error) {
    await Promise.all(started.map((emulator) => emulator.stop()));
    throw error;
  }

  const ports: Record<string, number> = {};
  for (const app of appNames) if (servesHttp(app)) ports[app] = options.ports?.[app] ?? (await freePort());
  const children = new Map<AppName, ChildProcess>();
  const start = async (app: AppName) => {
    const log = openSync(join(logDir, `${app}.log`), 'a');
    const child = spawn(process.execPath, [mainOf(app)], {
      env: { ...process.env, ...env, ...options.appEnv?.[app], ...(ports[app] !== undefined && { PORT: String(ports[app]) }) },
      stdio: ['ignore', log, log],
    });
    children.set(app, child);
    if (servesHttp(app)) await waitForHealth(`http://127.0.0.1:${ports[app]}`, child);
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
    await Promise.all(started.map((emulator) => emulator.stop()));
  };
  try {
    for (const app of options.apps ?? appNames) await start(app);
  } catch (error) {
    // Nothing may outlive a failed start: an emulator left running holds its port and half a gigabyte.
    await stop();
    throw new Error(`${(error as Error).message}; see the logs in ${logDir}`, { cause: error });
  }
  const url = (app: AppName) => `http://127.0.0.1:${ports[app]}`;
  return {
    urls: { 'command-api': url('command-api'), 'query-api': url('query-api'), telemetry: url('telemetry'), 'webhook-dispatcher': url('webhook-dispatcher') },
    keys,
    env,
    logDir,
    kill,
    start,
    stop,
  };
};
