// The platform as `npm start` runs it, in a child process of a test: started on a data directory and a free
// port, killed as an operator or a crash would. Tests that kill the process mid-work start it from here.
import { spawn, type ChildProcess } from 'node:child_process';

const main = new URL('./main.ts', import.meta.url).pathname;

export type SpawnedPlatform = {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<void>;
  /** SIGTERM, then waits for the exit. */
  readonly stop: () => Promise<void>;
  /** SIGKILL: no shutdown, as a crash. */
  readonly kill: () => Promise<void>;
};

/** Starts apps/local/src/main.ts on `dataDir` with these API keys and variables; resolves once it serves. */
export const spawnPlatform = async (
  dataDir: string,
  apiKeys: readonly { readonly key: string; readonly principal: string; readonly roles: readonly string[]; readonly clientId?: string }[],
  env: NodeJS.ProcessEnv = {},
): Promise<SpawnedPlatform> => {
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      MERIDIAN_DATA_DIR: dataDir,
      MERIDIAN_API_KEYS: JSON.stringify(apiKeys),
      PORT: '0',
      MERIDIAN_LOG_LEVEL: 'WARNING',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`the platform did not start: ${output}`)));
  });
  const end = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, url, exited, stop: end('SIGTERM'), kill: end('SIGKILL') };
};
