// What the browser tests stand on: a real `npm start` on a free port with a data directory of its own and
// no map tiles (offline), Chromium from the system's packages driven by playwright-core, and the API called
// as the README's curl lines call it. Every wait waits on a condition, with a deadline that allows a loaded
// machine; screenshots go under .test-output/browser/.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = new URL('../../../..', import.meta.url).pathname;
export const screenshotDir = join(root, '.test-output', 'browser');

export { browserTestsPlan, chromiumPath } from './chromium.ts';

export const until = async <A>(read: () => Promise<A | undefined>, what: string, timeoutMs = 60_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};

export type Platform = {
  readonly url: string;
  readonly dataDir: string;
  readonly keyOf: (role: string) => string;
  /** Calls the API as `role`; answers the status and the JSON body. */
  readonly call: (method: string, path: string, role: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
  /** Sends a command (or any POST) as `role`, and fails unless it is accepted. */
  readonly send: (path: string, role: string, body: unknown) => Promise<unknown>;
  readonly stop: () => Promise<void>;
};

/** `npm start`, in a process group of its own (npm, node) to stop as one. */
export const startPlatform = async (): Promise<Platform> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-console-'));
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('MERIDIAN_') && !name.endsWith('_EMULATOR_HOST'));
  const env = {
    ...Object.fromEntries(inherited),
    PORT: '0',
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_MAP_TILES: '',
    MERIDIAN_LIVE_MAP_INTERVAL_MS: '100',
    MERIDIAN_LOG_LEVEL: 'WARNING',
  };
  const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  let running = true;
  const exited = once(child, 'exit').then(() => (running = false));
  const stop = async () => {
    if (running && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(60_000, false, { ref: false })]);
    if (!stopped && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    mkdirSync(screenshotDir, { recursive: true });
    writeFileSync(join(screenshotDir, 'npm-start.log'), log);
  };
  let url: string;
  try {
    url = await until(
      async () => {
        if (!running) throw new Error('npm start exited');
        const found = /Meridian is running at (http:\/\/\S+)/.exec(log)?.[1];
        return found !== undefined && (await fetch(`${found}/healthz`)).ok ? found : undefined;
      },
      'npm start to answer /healthz',
      180_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`npm start did not come up:\n${log}`, { cause: error });
  }
  const keys: { key: string; roles: string[] }[] = JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8'));
  const keyOf = (role: string) => keys.find((k) => k.roles.includes(role))?.key ?? '';
  const call: Platform['call'] = async (method, path, role, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${keyOf(role)}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const answer: unknown = text === '' ? undefined : JSON.parse(text);
    return { status: response.status, body: answer };
  };
  const send: Platform['send'] = async (path, role, body) => {
    const { status, body: answer } = await call('POST', path, role, body);
    if (status >= 300) throw new Error(`POST ${path} answered ${status}: ${JSON.stringify(answer)}`);
    return answer;
  };
  return { url, dataDir, keyOf, call, send, stop };
};

export const launchBrowser = (executablePath: string): Promise<Browser> =>
  // As root (CI's containers), Chromium runs only without its sandbox.
  chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });

export const screenshot = async (page: Page, name: string): Promise<string> => {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};

/** Signs in through the form, as a person would. */
export const signIn = async (page: Page, url: string, key: string): Promise<void> => {
  await page.goto(url);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
};
