// Configuration is the environment, decoded once at start. Every bad variable is reported at once, by
// name, and the process exits before it opens a port or a file.
import { fieldErrors } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { configurationExitCode } from './start-up.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The parser's reason a text is not JSON, only when it quotes none of the text (variables holding JSON may
 * hold secrets, and V8 quotes the text around an unexpected token): its positional messages and "end of
 * input" say where without saying what.
 */
const jsonSyntaxReason = (error: unknown): string => {
  const message = error instanceof Error ? error.message : '';
  const positional = /^[^"]*? in JSON at position \d+/.exec(message)?.[0];
  if (positional !== undefined) return ` (${positional})`;
  return message === 'Unexpected end of JSON input' ? ' (it ends too soon)' : '';
};

/** A variable holding JSON, decoded with a codec; errors name the path inside the JSON, never its text. */
export const jsonVariable = <A>(codec: t.Type<A, unknown, unknown>, name = codec.name): t.Type<A, unknown, unknown> =>
  new t.Type<A, unknown, unknown>(
    name,
    codec.is,
    (u, context) => {
      if (typeof u !== 'string') return t.failure(u, context, 'must be a JSON string');
      let parsed: unknown;
      try {
        parsed = JSON.parse(u);
      } catch (error) {
        return t.failure(u, context, `is not valid JSON${jsonSyntaxReason(error)}`);
      }
      return codec.validate(parsed, context);
    },
    (a) => JSON.stringify(codec.encode(a)),
  );

/** An integer in a range, given as a string. */
export const integerVariable = (name: string, min: number, max: number): t.Type<number, string, unknown> =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, context) => {
      const n = typeof u === 'string' && /^-?\d+$/.test(u.trim()) ? Number(u) : NaN;
      return Number.isInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, context, `must be an integer from ${min} to ${max}`);
    },
    String,
  );

/** A string from a fixed set, given as a string. */
export const enumVariable = <V extends string>(values: readonly [V, ...V[]]): t.Type<V, string, unknown> => {
  const isValue = (u: unknown): u is V => values.some((value) => value === u);
  return new t.Type<V, string, unknown>(
    values.join('|'),
    isValue,
    (u, context) => (isValue(u) ? t.success(u) : t.failure(u, context, `must be one of ${values.join(', ')}`)),
    (v) => v,
  );
};

export const nonEmptyVariable = new t.Type<string, string, unknown>(
  'string',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, context) => (typeof u === 'string' && u.trim().length > 0 ? t.success(u.trim()) : t.failure(u, context, 'must not be blank')),
  (s) => s,
);

/**
 * Lets an empty value mean "not set" for this variable, so its default applies. Only for variables whose
 * default is harmless to fall back on (a log level, a tuning knob): everywhere else an empty value is an
 * error, since a variable that was meant to be set (an API key list, a connection string, a secret) but came
 * out empty must not quietly turn into development keys, an embedded store or a generated secret.
 */
export const emptyMeansUnset = <C extends t.Mixed>(codec: C): t.Type<t.TypeOf<C> | undefined, t.OutputOf<C> | '', unknown> =>
  new t.Type<t.TypeOf<C> | undefined, t.OutputOf<C> | '', unknown>(
    codec.name,
    (u): u is t.TypeOf<C> | undefined => u === undefined || codec.is(u),
    (u, context) => (u === '' ? t.success(undefined) : codec.validate(u, context)),
    (a) => (a === undefined ? '' : codec.encode(a)),
  );

const setButEmpty = (required: boolean) => `is set but empty: give it a value${required ? '' : ', or unset it to use the default'}`;

/**
 * Decodes the variables a process reads: `required` must be set, `optional` may be absent. An empty value
 * counts as absent only for variables wrapped in `emptyMeansUnset`; for the rest it is reported. The report
 * lists every failure as `NAME: problem`, never a value (some are secrets).
 */
export const decodeEnvironment = <R extends t.Props, O extends t.Props>(
  env: Environment,
  required: R,
  optional: O,
): E.Either<string[], { [K in keyof R]: Exclude<t.TypeOf<R[K]>, undefined> } & { [K in keyof O]?: Exclude<t.TypeOf<O[K]>, undefined> }> => {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const read = (name: string, codec: t.Mixed, isRequired: boolean) => {
    const raw = env[name];
    if (raw === undefined) {
      if (isRequired) problems.push(`${name}: is required`);
      return;
    }
    const decoded = codec.decode(raw);
    if (E.isRight(decoded)) {
      // undefined: an empty value that means "not set" (emptyMeansUnset).
      if (decoded.right !== undefined) values[name] = decoded.right;
      else if (isRequired) problems.push(`${name}: ${setButEmpty(true)}`);
    } else if (raw === '') problems.push(`${name}: ${setButEmpty(isRequired)}`);
    else
      for (const error of fieldErrors(decoded.left))
        problems.push(`${name}${error.pointer === '#' ? '' : error.pointer.slice(1)}: ${error.detail}`);
  };
  for (const [name, codec] of Object.entries(required)) read(name, codec, true);
  for (const [name, codec] of Object.entries(optional)) read(name, codec, false);
  // Every value was decoded by its own variable's codec and every required one is there, which is what the
  // type says; the compiler cannot follow a mapped type through the loop above.
  return problems.length > 0 ? E.left(problems) : E.right(values as never);
};

/** Decodes or exits: the readable report goes to stderr, then the process ends with status 78 (config). */
export const configOrExit = <A>(service: string, decoded: E.Either<string[], A>): A => {
  if (E.isRight(decoded)) return decoded.right;
  const [only, ...more] = decoded.left;
  // One problem, one line; several, a line each under a heading.
  process.stderr.write(
    more.length === 0 && only !== undefined
      ? `${service}: the configuration is not valid: ${only}\n`
      : `${service}: the configuration is not valid:\n${decoded.left.map((p) => `  - ${p}`).join('\n')}\n`,
  );
  process.exit(configurationExitCode);
};

/** For an app's --help: the variables it reads, as a wrapped list. */
export const variablesHelp = (variables: t.Props): string => {
  const lines = Object.keys(variables).reduce<string[]>((out, name) => {
    const last = out[out.length - 1];
    if (last !== undefined && last.length + name.length + 2 <= 100) out[out.length - 1] = `${last}, ${name}`;
    else out.push(`  ${name}`);
    return out;
  }, []);
  return `Configured by environment variables (README.md, "Configuration"):\n${lines.join(',\n')}`;
};
