// Starting and stopping the Google Cloud emulators (see ../shared/EMULATORS.md for what they do and do
// not do). Each runs in its own process group so that stopping it stops java too; output goes to a log
// file, never to an unread pipe (the Firestore emulator hangs when a pipe fills).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export type EmulatorKind = 'pubsub' | 'firestore';

export type RunningEmulator = {
  readonly kind: EmulatorKind;
  /** host:port, as PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST expect it. */
  readonly host: string;
  readonly logFile: string;
  readonly stop: () => Promise<void>;
};

export const gcloudSdk = process.env['MERIDIAN_GCLOUD_SDK'] ?? '/usr/lib/google-cloud-sdk';

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Why an emulator cannot start here, or undefined when it can. */
export const emulatorUnavailable = (kind: EmulatorKind): string | undefined => {
  const component = kind === 'pubsub' ? 'platform/pubsub-emulator' : 'platform/cloud-firestore-emulator';
  if (!existsSync(join(gcloudSdk, 'bin', 'gcloud'))) return `no Google Cloud SDK at ${gcloudSdk}`;
  if (!existsSync(join(gcloudSdk, component))) return `the ${kind} emulator component is not installed in ${gcloudSdk}`;
  return undefined;
};

const commandFor = (kind: EmulatorKind, hostPort: string, project: string): string[] =>
  kind === 'pubsub'
    ? ['beta', 'emulators', 'pubsub', 'start', `--host-port=${hostPort}`, `--project=${project}`]
    : ['emulators', 'firestore', 'start', `--host-port=${hostPort}`];

const waitUntilReady = async (host: string, timeoutMs: number, exited: () => boolean): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('the emulator exited while starting');
    try {
      const response = await fetch(`http://${host}/`);
      if ((await response.text()).trim() === 'Ok') return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the emulator at ${host} was not ready after ${timeoutMs} ms`);
};

export const startEmulator = async (kind: EmulatorKind, { logDir, project = 'meridian-test' }: { logDir: string; project?: string }): Promise<RunningEmulator> => {
  const unavailable = emulatorUnavailable(kind);
  if (unavailable !== undefined) throw new Error(unavailable);
  mkdirSync(logDir, { recursive: true });
  const host = `127.0.0.1:${await freePort()}`;
  const logFile = join(logDir, `${kind}-emulator.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(join(gcloudSdk, 'bin', 'gcloud'), commandFor(kind, host, project), {
    detached: true,
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
    await waitUntilReady(host, 60_000, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`${kind} emulator: ${(error as Error).message}; see ${logFile}`);
  }
  return { kind, host, logFile, stop };
};
