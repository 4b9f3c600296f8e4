// Runs a load generator in its own process (the same Node 24) and resolves with its last stdout line as JSON.
import { spawn } from 'node:child_process';

export const runChild = <A>(script: string, spec: unknown): Promise<A> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      try {
        resolve(JSON.parse(output.trim().split('\n').pop() ?? '') as A);
      } catch {
        reject(new Error(`${script} printed no result: ${output.slice(-300)}`));
      }
    });
  });
