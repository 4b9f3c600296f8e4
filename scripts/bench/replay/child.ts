// Runs a replay task in a fresh child process on the project's Node, and reads back its result.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Task, TaskResult } from './tasks.ts';

const taskMain = new URL('./task-main.ts', import.meta.url).pathname;

/** The Node options `npm run replay` runs with (package.json), so that a rebuild is measured as it runs. */
export const replayNodeOptions = (): string[] => {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [, ...words] = (manifest.scripts['replay'] ?? '').split(/\s+/);
  return words.filter((word) => word.startsWith('--'));
};

export const runInChild = (task: Task): Promise<TaskResult> =>
  new Promise((resolve, reject) => {
    // The CLI rebuilds into a document store; the in-memory figure measures the engine alone, on Node's defaults.
    const options = task.task === 'rebuild' && task.into !== 'memory' ? replayNodeOptions() : [];
    const child = spawn(process.execPath, ['--expose-gc', ...options, taskMain, JSON.stringify(task)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`replay task ${task.task} exited with ${code}`));
      try {
        resolve(JSON.parse(output.trim().split('\n').pop() ?? '') as TaskResult);
      } catch {
        reject(new Error(`replay task ${task.task} printed no result: ${output.slice(-300)}`));
      }
    });
  });
