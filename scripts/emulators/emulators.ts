// Starting and stopping the Google Cloud emulators (see ../shared/EMULATORS.md for what they do and do
// not do). Each runs in its own process group so that stopping it stops java (or the Spanner emulator's
// two binaries) too; output goes to a log file, never to an unread pipe (the Firestore emulator hangs when
// a pipe fills).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export type EmulatorKind = 'pubsub' | 'firestore' | 'spanner';

export const emulatorKinds: readonly EmulatorKind[] = ['pubsub', 'firestore', 'spanner'];

export type RunningEmulator = {
  readonly kind: EmulatorKind;
  /** host:port, as PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST / SPANNER_EMULATOR_HOST expect it. */
  readonly host: string;
  readonly logFile: string;
  /** True once the emulator has exited (when that was not `stop`, it crashed: the Spanner one did once under load). */
  readonly exited: () => boolean;
  readonly stop: () => Promise<void>;
};

export const gcloudSdk = process.env['MERIDIAN_GCLOUD_SDK'] ?? '/usr/lib/google-cloud-sdk';

/** The first port the kernel hands out by itself: to outgoing connections and to listeners on port 0. */
const ephemeralLow = existsSync('/proc/sys/net/ipv4/ip_local_port_range')
  ? Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0])
  : 32_768;
const lowestPicked = 10_000;
// Ports this process has handed out: two emulators or apps of one start never get the same one, even
// before either listens.
const picked = new Set<number>();

/** Whether nothing listens on the port (or holds it) right now. */
export const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A port that is free now, for a process that will listen on it a few seconds later (an emulator's JVM, an
 * app). Picked below the ephemeral range, not by listening on port 0: in the seconds before the listen, the
 * kernel gives ports of that range to every outgoing connection of every test running beside this one, and
 * one of them once took a port an app was about to listen on (it exited 78, the port in use).
 */
export const freePorts = async (count: number): Promise<number> => {
  for (;;) {
    const base = lowestPicked + Math.floor(Math.random() * (ephemeralLow - count - lowestPicked));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((port) => picked.has(port))) continue;
    if (!(await Promise.all(ports.map(isFree))).every(Boolean)) continue;
    if (ports.some((port) => picked.has(port))) continue; // taken by another pick while this one checked
    for (const port of ports) picked.add(port);
    return base;
  }
};

/** One free port, as freePorts picks them. */
export const freePort = (): Promise<number> => freePorts(1);

/** The environment variable through which the clients find each emulator. */
export const hostVariable: Readonly<Record<EmulatorKind, string>> = {
  pubsub: 'PUBSUB_EMULATOR_HOST',
  firestore: 'FIRESTORE_EMULATOR_HOST',
  spanner: 'SPANNER_EMULATOR_HOST',
};

const components: Readonly<Record<EmulatorKind, string>> = {
  pubsub: 'platform/pubsub-emulator',
  firestore: 'platform/cloud-firestore-emulator',
  // The package google-cloud-cli-spanner-emulator: the gateway (REST) and the emulator (gRPC).
  spanner: 'bin/cloud_spanner_emulator/gateway_main',
};

/** Why an emulator cannot start here, or undefined when it can. */
export const emulatorUnavailable = (kind: EmulatorKind): string | undefined => {
  const component = components[kind];
  if (!existsSync(join(gcloudSdk, 'bin', 'gcloud'))) return `no Google Cloud SDK at ${gcloudSdk}`;
  if (!existsSync(join(gcloudSdk, component))) return `the ${kind} emulator component is not installed in ${gcloudSdk}`;
  return undefined;
};

/** How to run one emulator: the command, and the URL that answers once it is ready. */
type Launch = {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly ready: { readonly url: string; readonly ok: (status: number, body: string) => boolean };
};

const launchOf = async (kind: EmulatorKind, host: string, project: string): Promise<Launch> => {
  const gcloud = join(gcloudSdk, 'bin', 'gcloud');
  const okBody = (_: number, body: string) => body.trim() === 'Ok';
  switch (kind) {
    case 'pubsub':
      return {
        command: gcloud,
        args: ['beta', 'emulators', 'pubsub', 'start', `--host-port=${host}`, `--project=${project}`],
        ready: { url: `http://${host}/`, ok: okBody },
      };
    case 'firestore':
      return {
        command: gcloud,
        args: ['emulators', 'firestore', 'start', `--host-port=${host}`],
        ready: { url: `http://${host}/`, ok: okBody },
      };
    case 'spanner': {
      // The gateway itself (what `gcloud emulators spanner start` runs, without gcloud's Python in front):
      // gRPC for the clients on `host`, its REST port answers once the emulator serves.
      const rest = `127.0.0.1:${await freePort()}`;
      const directory = join(gcloudSdk, 'bin', 'cloud_spanner_emulator');
      const [hostname, grpcPort] = host.split(':');
      return {
        command: join(directory, 'gateway_main'),
        args: [
          '--hostname',
          hostname!,
          '--grpc_port',
          grpcPort!,
          '--http_port',
          rest.split(':')[1]!,
          '--grpc_binary',
          join(directory, 'emulator_main'),
        ],
        cwd: directory,
        ready: { url: `http://${rest}/v1/projects/${project}/instances`, ok: (status) => status === 200 },
      };
    }
  }
};

const waitUntilReady = async (ready: Launch['ready'], timeoutMs: number, exited: () => boolean): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('the emulator exited while starting');
    try {
      const response = await fetch(ready.url);
      if (ready.ok(response.status, await response.text())) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the emulator at ${ready.url} was not ready after ${timeoutMs} ms`);
};

export const startEmulator = async (
  kind: EmulatorKind,
  { logDir, project = 'meridian-test' }: { logDir: string; project?: string },
): Promise<RunningEmulator> => {
  const unavailable = emulatorUnavailable(kind);
  if (unavailable !== undefined) throw new Error(unavailable);
  mkdirSync(logDir, { recursive: true });
  const host = `127.0.0.1:${await freePort()}`;
  const logFile = join(logDir, `${kind}-emulator.log`);
  const log = openSync(logFile, 'a');
  const launch = await launchOf(kind, host, project);
  const child = spawn(launch.command, launch.args, {
    detached: true,
    ...(launch.cwd !== undefined && { cwd: launch.cwd }),
    stdio: ['ignore', log, log],
    env: { ...process.env, JAVA_TOOL_OPTIONS: '-Xmx256m', CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    // Java takes a few seconds to leave; make sure the port is freed.
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }, 8_000);
    await exit;
    clearTimeout(killer);
  };
  try {
    await waitUntilReady(launch.ready, 60_000, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`${kind} emulator: ${error instanceof Error ? error.message : String(error)}; see ${logFile}`);
  }
  return { kind, host, logFile, exited: () => exited, stop };
};
