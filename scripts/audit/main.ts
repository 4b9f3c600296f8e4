// `npm run audit -- <command> [options]`: the auditor's questions from the command line. `--help` for the
// commands. The stores (and the cloud clients behind them) are loaded only once the command line is
// known to be good, so help and usage errors answer at once.
import { once } from 'node:events';
import { parseCommandLine } from './options.ts';

const parsed = parseCommandLine(process.argv.slice(2));

// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const write = async (text: string) => {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
};

switch (parsed.kind) {
  case 'help':
    await write(`${parsed.text}\n`);
    break;
  case 'usage':
    // A line per mistake, with where to read more on the same line; a whole help text follows instead.
    process.stderr.write(
      parsed.hint.includes('\n')
        ? `${parsed.errors.map((error) => `audit: ${error}`).join('\n')}\n${parsed.hint}\n`
        : `${parsed.errors.map((error) => `audit: ${error} (${parsed.hint})`).join('\n')}\n`,
    );
    process.exitCode = 2;
    break;
  case 'run': {
    const { runAudit } = await import('./run.ts');
    try {
      process.exitCode = await runAudit(parsed.command, parsed.remote, {
        env: process.env,
        output: { write, err: (line) => process.stderr.write(`${line}\n`) },
      });
    } catch (error) {
      // A store that cannot be opened or read: say what, without a stack trace an auditor cannot act on.
      process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
    break;
  }
}
