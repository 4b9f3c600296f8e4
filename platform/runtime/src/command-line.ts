// Command lines: every tool and app describes its options once, as data, and gets from that both the
// parsing (node's util.parseArgs) and its --help text. `--help` prints the usage and exits 0; anything the
// description does not allow is answered with one line naming it, and exit status 2.
import { parseArgs } from 'node:util';

export type OptionSpec = {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** A string option that may be repeated; its values are collected in order. */
  readonly multiple?: boolean;
  /** How the value is shown in the help, for a string option: `--runs <n>`. */
  readonly value?: string;
  readonly description: string;
};

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type CommandLineSpec<O extends OptionSpecs> = {
  /** How it is run, without the options: `npm run bench`. */
  readonly command: string;
  /** What follows the command in the usage line: `[options]`, `<consumer> [--list]`. */
  readonly synopsis: string;
  /** What it does, for people: a paragraph (or a few). */
  readonly summary: string;
  /** The words it takes besides options, with how many are allowed (none when absent). */
  readonly positionals?: { readonly name: string; readonly description: string; readonly min: number; readonly max: number };
  readonly options: O;
  /** After the options: exit statuses, environment, examples. */
  readonly notes?: string;
};

export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? readonly string[] : string;
};

export type CommandLine<O extends OptionSpecs> =
  | { readonly kind: 'help'; readonly text: string }
  /** One line: what is wrong with the command line. */
  | { readonly kind: 'usage'; readonly error: string }
  | { readonly kind: 'run'; readonly values: OptionValues<O>; readonly positionals: readonly string[] };

export const usageExitCode = 2;

const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'this text' };

const withHelp = (options: OptionSpecs): OptionSpecs => ({ ...options, help: helpOption });

const flagOf = (name: string, option: OptionSpec): string =>
  `${option.short === undefined ? '' : `-${option.short}, `}--${name}${option.type === 'string' ? ` ${option.value ?? '<value>'}` : ''}`;

const indent = (text: string, width: number): string => text.split('\n').join(`\n${' '.repeat(width)}`);

/** Two columns, the left as wide as its widest entry (within reason); long entries get a line of their own. */
const columns = (rows: readonly (readonly [string, string])[]): string => {
  const width = Math.min(28, Math.max(...rows.map(([left]) => left.length))) + 4;
  return rows
    .map(([left, right]) =>
      left.length + 4 > width
        ? `  ${left}\n${' '.repeat(width)}${indent(right, width)}`
        : `  ${left.padEnd(width - 2)}${indent(right, width)}`,
    )
    .join('\n');
};

/** The --help text, made from the same description the parser uses. */
export const helpText = <O extends OptionSpecs>(spec: CommandLineSpec<O>): string => {
  const options = withHelp(spec.options);
  const rows: (readonly [string, string])[] = [
    ...(spec.positionals === undefined ? [] : [[spec.positionals.name, spec.positionals.description] as const]),
    ...Object.entries(options).map(([name, option]) => [flagOf(name, option), option.description] as const),
  ];
  const heading = spec.positionals === undefined ? 'Options:' : 'Arguments and options:';
  return [
    `Usage: ${spec.command}${spec.synopsis === '' ? '' : ` ${spec.synopsis}`}`,
    '',
    spec.summary,
    '',
    heading,
    columns(rows),
    ...(spec.notes === undefined ? [] : ['', spec.notes]),
  ].join('\n');
};

/** What parseArgs reports of each word, as far as it matters here. */
type Token =
  | {
      readonly kind: 'option';
      readonly name: string;
      readonly rawName: string;
      readonly value?: string | undefined;
      readonly inlineValue?: boolean | undefined;
    }
  | { readonly kind: 'positional'; readonly value: string }
  | { readonly kind: 'option-terminator' };

/** What is wrong with one token, if anything. */
const tokenProblem = (token: Token, options: OptionSpecs): string | undefined => {
  if (token.kind !== 'option') return undefined;
  const option = options[token.name];
  if (option === undefined) return `unknown option ${token.rawName}`;
  if (option.type === 'boolean') return token.value === undefined ? undefined : `${token.rawName} takes no value`;
  if (token.value === undefined) return `${token.rawName} needs a value`;
  // `--only --quick`: the next option was taken for the value, which is almost always a slip.
  if (!token.inlineValue && token.value.startsWith('-'))
    return `${token.rawName} needs a value (to give one that starts with "-", write ${token.rawName}=${token.value})`;
  return undefined;
};

const countProblem = (positionals: readonly string[], spec: CommandLineSpec<OptionSpecs>): string | undefined => {
  const { min = 0, max = 0, name = '' } = spec.positionals ?? {};
  if (positionals.length > max) return `unexpected argument ${JSON.stringify(positionals[max])}`;
  if (positionals.length < min) return `missing ${name}`;
  return undefined;
};

/**
 * Reads a command line against its description. Help wins over everything else; otherwise the first
 * problem found is reported, as one line.
 */
export const readCommandLine = <O extends OptionSpecs>(spec: CommandLineSpec<O>, argv: readonly string[]): CommandLine<O> => {
  const options = withHelp(spec.options);
  // Not strict: the tokens are checked here, so that every problem gets one plain line of our own words.
  const tokens: readonly Token[] = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true }).tokens;
  if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) return { kind: 'help', text: helpText(spec) };
  const problem = tokens.map((token) => tokenProblem(token, options)).find((p) => p !== undefined);
  if (problem !== undefined) return { kind: 'usage', error: problem };
  const positionals = tokens.flatMap((token) => (token.kind === 'positional' ? [token.value] : []));
  const counted = countProblem(positionals, spec);
  if (counted !== undefined) return { kind: 'usage', error: counted };
  const given = tokens.flatMap((token) => (token.kind === 'option' ? [{ name: token.name, value: token.value ?? '' }] : []));
  const values: Record<string, string | boolean | readonly string[]> = {};
  for (const [name, option] of Object.entries(options)) {
    const of = given.filter((entry) => entry.name === name).map((entry) => entry.value);
    if (of.length === 0) continue;
    values[name] = option.type === 'boolean' ? true : option.multiple === true ? of : (of.at(-1) ?? '');
  }
  // Each value was made above from its option's own type, which is what OptionValues<O> says of it.
  return { kind: 'run', values: values as OptionValues<O>, positionals };
};

/** How to ask for the help: an npm script passes it on after `--`. */
const helpCommand = ({ command }: CommandLineSpec<OptionSpecs>): string =>
  `${command}${command.startsWith('npm ') && !command.endsWith(' --') ? ' --' : ''} --help`;

/** The one line a usage error gets, with where to read more. */
export const usageLine = (name: string, spec: CommandLineSpec<OptionSpecs>, error: string): string =>
  `${name}: ${error} (see: ${helpCommand(spec)})`;

/**
 * For a program's entry point: prints the help and exits 0, or prints the problem in one line and exits
 * 2, or gives back the values.
 */
export const commandLineOrExit = <O extends OptionSpecs>(
  name: string,
  spec: CommandLineSpec<O>,
  argv: readonly string[] = process.argv.slice(2),
): { readonly values: OptionValues<O>; readonly positionals: readonly string[] } => {
  const read = readCommandLine(spec, argv);
  switch (read.kind) {
    case 'help':
      process.stdout.write(`${read.text}\n`);
      return process.exit(0);
    case 'usage':
      return exitWithUsage(name, spec, read.error);
    case 'run':
      return read;
  }
};

/** A problem the caller found in the values (a bad number, a missing choice): one line, exit 2. */
export const exitWithUsage = (name: string, spec: CommandLineSpec<OptionSpecs>, error: string): never => {
  process.stderr.write(`${usageLine(name, spec, error)}\n`);
  return process.exit(usageExitCode);
};
