// `npm run demo -- [options]`: a morning wave of deliveries against a running platform. See --help.
import { usageLine } from '@meridian/runtime';
import { keysFromDataDir, commandLine, helpText, parseOptions, type WaveOptions } from './options.ts';
import { runMorningWave, WaveCannotStart } from './wave.ts';

export { runMorningWave, type WaveDeps, type WaveResult } from './wave.ts';
export type { WaveOptions } from './options.ts';

const fail = (lines: readonly string[], code: number): never => {
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(code);
};

const main = async () => {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed.kind === 'help') return void process.stdout.write(`${helpText}\n`);
  if (parsed.kind === 'invalid')
    return fail(
      parsed.errors.map((error) => usageLine('demo', commandLine, error)),
      2,
    );
  const keys = keysFromDataDir(process.env['MERIDIAN_DATA_DIR'] ?? './data');
  if ('error' in keys) return fail([keys.error], 2);
  const options: WaveOptions = { ...parsed.options, key: parsed.options.key ?? keys.key, drivers: keys.drivers };
  try {
    const result = await runMorningWave(options, { log: (line) => process.stdout.write(`${line}\n`) });
    process.exitCode = result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof WaveCannotStart) fail([`morning wave: ${error.message}`], 2);
    throw error;
  }
};

if (import.meta.main) await main();
