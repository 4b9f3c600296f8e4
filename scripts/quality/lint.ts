// `npm run lint` (part of `npm test`): the rules that hold the layout and the style, each a well-kept tool:
// dependency-cruiser for the arrows between folders (.dependency-cruiser.cjs), typescript-eslint for the
// code (eslint.config.js), prettier for the format (.prettierrc.json). Every one runs; the exit status
// says whether all passed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { commandLineOrExit } from '@meridian/runtime';

const root = new URL('../..', import.meta.url).pathname;
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

const checks: readonly { readonly name: string; readonly command: string; readonly args: readonly string[] }[] = [
  {
    name: 'the arrows (dependency-cruiser)',
    command: bin('depcruise'),
    args: [
      'domain',
      'projections',
      'adapters',
      'platform',
      'apps',
      'scripts',
      'web',
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'err',
    ],
  },
  { name: 'the code (typescript-eslint)', command: bin('eslint'), args: ['.'] },
  { name: 'the format (prettier)', command: bin('prettier'), args: ['--check', '--log-level', 'warn', '.'] },
];

const run = (command: string, args: readonly string[]): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });

commandLineOrExit('lint', {
  command: 'npm run lint',
  synopsis: '',
  summary: 'Checks the arrows between folders, the code and the format; fails on any violation.',
  options: {},
});
let failed = 0;
for (const check of checks) {
  const status = await run(check.command, check.args);
  process.stdout.write(`[meridian lint] ${check.name}: ${status === 0 ? 'ok' : 'FAILED'}\n`);
  if (status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
