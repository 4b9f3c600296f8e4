import test from 'ava';
import { helpText, readCommandLine, usageLine, type CommandLineSpec, type OptionSpecs } from './command-line.ts';

const spec = {
  command: 'npm run tool --',
  synopsis: '[options]',
  summary: 'Does a thing.',
  options: {
    quick: { type: 'boolean', description: 'a small run' },
    only: { type: 'string', value: '<names>', description: 'these, comma-separated' },
    type: { type: 'string', multiple: true, value: '<type>', description: 'repeatable' },
  },
} as const satisfies CommandLineSpec<OptionSpecs>;

test('values come back typed from their options', (t) => {
  const read = readCommandLine(spec, ['--quick', '--only', 'a,b', '--type', 'x', '--type=y']);
  t.deepEqual(read, { kind: 'run', values: { quick: true, only: 'a,b', type: ['x', 'y'] }, positionals: [] });
});

test('--help and -h answer with the help, whatever else is on the line', (t) => {
  for (const argv of [['--help'], ['-h'], ['--bogus', '--help']])
    t.deepEqual(readCommandLine(spec, argv), { kind: 'help', text: helpText(spec) });
});

test('the help is made from the options, each with its description', (t) => {
  const text = helpText(spec);
  t.true(text.startsWith('Usage: npm run tool -- [options]\n\nDoes a thing.\n'));
  t.regex(text, /--quick +a small run/);
  t.regex(text, /--only <names> +these, comma-separated/);
  t.regex(text, /-h, --help +this text/);
});

test('each problem is one line naming what is wrong', (t) => {
  const cases: [string[], string][] = [
    [['--bogus'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['--only'], '--only needs a value'],
    [['--only', '--quick'], '--only needs a value (to give one that starts with "-", write --only=--quick)'],
    [['--quick=yes'], '--quick takes no value'],
    [['stray'], 'unexpected argument "stray"'],
  ];
  for (const [argv, error] of cases) t.deepEqual(readCommandLine(spec, argv), { kind: 'usage', error }, argv.join(' '));
});

test('positionals are counted against what the command takes', (t) => {
  const one = { ...spec, synopsis: '<consumer>', positionals: { name: '<consumer>', description: 'whose dead letters', min: 1, max: 1 } };
  t.deepEqual(readCommandLine(one, []), { kind: 'usage', error: 'missing <consumer>' });
  t.deepEqual(readCommandLine(one, ['a', 'b']), { kind: 'usage', error: 'unexpected argument "b"' });
  t.deepEqual(readCommandLine(one, ['a', '--', '--b']), { kind: 'usage', error: 'unexpected argument "--b"' });
  t.like(readCommandLine(one, ['a']), { kind: 'run', positionals: ['a'] });
  t.regex(helpText(one), /<consumer> +whose dead letters/);
});

test('a usage line says where the help is, after the -- an npm script needs', (t) => {
  t.is(usageLine('tool', spec, 'unknown option --x'), 'tool: unknown option --x (see: npm run tool -- --help)');
  t.is(usageLine('meridian-local', { ...spec, command: 'npm start' }, 'e'), 'meridian-local: e (see: npm start -- --help)');
  t.is(usageLine('relay', { ...spec, command: 'node apps/relay/src/main.ts' }, 'e'), 'relay: e (see: node apps/relay/src/main.ts --help)');
});
