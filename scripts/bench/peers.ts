// The peers the benchmarks compare with live outside the platform's install (see peers/emmett/package.json):
// installed on first use with the machine's npm, and run on the machine's Node in a child process, because
// Emmett's driver (sqlite3) is a native module built from source for that Node, not for the project's Node 24.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const emmettDirectory = new URL('./peers/emmett/', import.meta.url).pathname;

/** The machine's own node and npm (not the project's node@24 that npm scripts put first on PATH). */
const machineBinary = (name: string): string => {
  for (const directory of ['/usr/local/bin', '/usr/bin']) if (existsSync(join(directory, name))) return join(directory, name);
  return name;
};
export const machineNode = machineBinary('node');

/** Installs Emmett (a one-time native build of sqlite3, about a minute) when it is not there yet. */
export const ensureEmmett = (log: (line: string) => void): void => {
  if (existsSync(join(emmettDirectory, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node'))) return;
  log("installing the Emmett peer (first run only: builds sqlite3 for the machine's Node)");
  execFileSync(machineBinary('npm'), ['ci', '--no-audit', '--no-fund'], { cwd: emmettDirectory, stdio: ['ignore', 'ignore', 'inherit'] });
};

/** Runs a script of the peer directory on the machine's Node; resolves with its last stdout line as JSON. */
export const runPeer = <A>(script: string, args: readonly string[]): Promise<A> =>
  new Promise((resolve, reject) => {
    const child = spawn(machineNode, [join(emmettDirectory, script), ...args], {
      cwd: emmettDirectory,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      try {
        resolve(JSON.parse(output.trim().split('\n').pop() ?? '') as A);
      } catch {
        reject(new Error(`${script} printed no result: ${output.slice(-300)}`));
      }
    });
  });
