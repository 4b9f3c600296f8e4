// Runs a replay task in a fresh child process on the project's Node, and reads back its result.
import { spawn } from 'node:child_process';
import type { Task, TaskResult } from './tasks.ts';

const taskMain = new URL('./task-main.ts', import.meta.url).pathname;

export const runInChild = (task: Task): Promise<TaskResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', taskMain, JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'inherit'] });
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
