// The command line: options with defaults, checked all at once, and the admin key from the dev keys file.
import { helpText as describeCommandLine, readCommandLine, type CommandLineSpec, type OptionSpecs } from '@meridian/runtime';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type WaveOptions = {
  readonly url: string;
  readonly key: string;
  readonly vehicles: number;
  readonly stopsPerRoute: number;
  readonly pingIntervalMs: number;
  /** Simulated seconds per wall-clock second. */
  readonly speed: number;
  readonly failRate: number;
  readonly concurrency: number;
  /** Set to resume an interrupted run; otherwise a new one is made from the clock. */
  readonly runId?: string;
  readonly progressMs: number;
  /** Share of first route offers a driver declines, and share it lets run out. */
  readonly declineRate: number;
  readonly noAnswerRate: number;
  /** How long a driver has to answer an offer (30 s at least, the window's rule). */
  readonly acceptanceSeconds: number;
  /** The drivers' keys; each van goes on duty with one of them, round-robin, and answers its offers with it. */
  readonly drivers: readonly { readonly driverId: string; readonly key: string }[];
};

export const defaults = {
  url: 'http://127.0.0.1:8080',
  vehicles: 40,
  stopsPerRoute: 15,
  pingIntervalMs: 5000,
  speed: 80,
  failRate: 0.08,
  concurrency: 32,
  progressMs: 3000,
  declineRate: 0.1,
  noAnswerRate: 0.05,
  acceptanceSeconds: 30,
} as const;

/** The command line, described once: the parser and the --help text both come from it. */
export const commandLine = {
  command: 'npm run demo --',
  synopsis: '[options]',
  summary: `Drives a morning wave of deliveries against a running Meridian platform, over HTTP only: vans register
and go on duty, parcels are registered, a dispatch window per depot is opened and its saga plans
the routes and offers them to the drivers, who accept (a few decline or do not answer), and each
van drives the route it accepted,
delivering or failing at each door, returns what it could not deliver, and goes off duty. Meanwhile
every van reports its position to POST /v1/telemetry.`,
  options: {
    url: { type: 'string', value: '<url>', description: `the platform (default ${defaults.url})` },
    key: {
      type: 'string',
      value: '<key>',
      description:
        'an admin API key (default: the admin key in $MERIDIAN_DATA_DIR/api-keys.json,\n./data/api-keys.json by default, which `npm start` creates); the drivers\nanswer with the driver keys of that file',
    },
    vehicles: { type: 'string', value: '<n>', description: `vans in the wave, 1-999 (default ${defaults.vehicles})` },
    'stops-per-route': {
      type: 'string',
      value: '<n>',
      description: `stops per route, 1-200, with 1 or 2 parcels each (default ${defaults.stopsPerRoute})`,
    },
    'ping-interval-ms': {
      type: 'string',
      value: '<ms>',
      description: `how often each van reports its position (default ${defaults.pingIntervalMs})`,
    },
    speed: {
      type: 'string',
      value: '<x>',
      description: `simulated seconds per real second (default ${defaults.speed}: a van's ~2 h round\ntakes ~1.5 min, the whole wave ~2 min; 1 is real time)`,
    },
    'fail-rate': { type: 'string', value: '<0..1>', description: `share of delivery attempts that fail (default ${defaults.failRate})` },
    concurrency: { type: 'string', value: '<n>', description: `commands in flight at most, 1-1000 (default ${defaults.concurrency})` },
    'run-id': {
      type: 'string',
      value: '<id>',
      description:
        'resume an interrupted run with the id it printed, and the same options: every\nstep is sent again with ' +
        'the same Idempotency-Key, so what was done is not\ndone twice (default: a new run, whose ids cannot collide with earlier runs)',
    },
    'decline-rate': {
      type: 'string',
      value: '<0..1>',
      description: `share of first route offers a driver declines (default ${defaults.declineRate})`,
    },
    'no-answer-rate': {
      type: 'string',
      value: '<0..1>',
      description: `share of first route offers a driver lets run out (default ${defaults.noAnswerRate})`,
    },
    'acceptance-seconds': {
      type: 'string',
      value: '<s>',
      description: `how long a driver has to answer, 30-14400 (default ${defaults.acceptanceSeconds})`,
    },
    'progress-ms': { type: 'string', value: '<ms>', description: `how often progress is printed (default ${defaults.progressMs})` },
  },
  notes: `Exits 0 when every command was accepted, 1 when any answer was unexpected (the summary lists examples),
2 when the options are wrong or the platform cannot be reached.`,
} as const satisfies CommandLineSpec<OptionSpecs>;

export const helpText = describeCommandLine(commandLine);

export type ParsedArgs =
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly errors: readonly string[] }
  | { readonly kind: 'run'; readonly options: Omit<WaveOptions, 'key' | 'drivers'> & { readonly key?: string } };

type NumberRule = { readonly name: string; readonly min: number; readonly max: number; readonly integer: boolean };

const numberOption = (raw: string | undefined, fallback: number, rule: NumberRule, errors: string[]): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const ok =
    raw.trim() !== '' && Number.isFinite(value) && value >= rule.min && value <= rule.max && (!rule.integer || Number.isInteger(value));
  if (!ok)
    errors.push(`--${rule.name} must be ${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}, not "${raw}"`);
  return value;
};

/** A run id is the wave's start time in base 36; resuming needs it to rebuild the same requests. */
export const runIdPattern = /^[0-9a-z]{8,9}$/;
export const epochOfRunId = (runId: string): number => parseInt(runId, 36);
export const newRunId = (now: number): string => now.toString(36);

export const parseOptions = (argv: readonly string[]): ParsedArgs => {
  const read = readCommandLine(commandLine, argv);
  if (read.kind === 'help') return { kind: 'help' };
  if (read.kind === 'usage') return { kind: 'invalid', errors: [read.error] };
  const { values } = read;
  const errors: string[] = [];
  const url = values.url ?? defaults.url;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) errors.push(`--url must be an http(s) URL, not "${url}"`);
  const runId = values['run-id'];
  if (runId !== undefined && !runIdPattern.test(runId))
    errors.push(`--run-id must be an id printed by an earlier run (8 or 9 letters and digits), not "${runId}"`);
  const options = {
    url: url.replace(/\/+$/, ''),
    ...(values.key !== undefined && { key: values.key }),
    vehicles: numberOption(values.vehicles, defaults.vehicles, { name: 'vehicles', min: 1, max: 999, integer: true }, errors),
    stopsPerRoute: numberOption(
      values['stops-per-route'],
      defaults.stopsPerRoute,
      { name: 'stops-per-route', min: 1, max: 200, integer: true },
      errors,
    ),
    pingIntervalMs: numberOption(
      values['ping-interval-ms'],
      defaults.pingIntervalMs,
      { name: 'ping-interval-ms', min: 10, max: 600_000, integer: true },
      errors,
    ),
    speed: numberOption(values.speed, defaults.speed, { name: 'speed', min: 0.01, max: 1_000_000, integer: false }, errors),
    failRate: numberOption(values['fail-rate'], defaults.failRate, { name: 'fail-rate', min: 0, max: 1, integer: false }, errors),
    concurrency: numberOption(values.concurrency, defaults.concurrency, { name: 'concurrency', min: 1, max: 1000, integer: true }, errors),
    progressMs: numberOption(
      values['progress-ms'],
      defaults.progressMs,
      { name: 'progress-ms', min: 100, max: 3_600_000, integer: true },
      errors,
    ),
    declineRate: numberOption(
      values['decline-rate'],
      defaults.declineRate,
      { name: 'decline-rate', min: 0, max: 1, integer: false },
      errors,
    ),
    noAnswerRate: numberOption(
      values['no-answer-rate'],
      defaults.noAnswerRate,
      { name: 'no-answer-rate', min: 0, max: 1, integer: false },
      errors,
    ),
    acceptanceSeconds: numberOption(
      values['acceptance-seconds'],
      defaults.acceptanceSeconds,
      { name: 'acceptance-seconds', min: 30, max: 14_400, integer: true },
      errors,
    ),
    ...(runId !== undefined && { runId }),
  };
  if (options.declineRate + options.noAnswerRate > 1) errors.push('--decline-rate and --no-answer-rate must add up to 1 at most');
  return errors.length > 0 ? { kind: 'invalid', errors } : { kind: 'run', options };
};

const hasRole =
  (role: string) =>
  (entry: unknown): entry is { key: string; principal: string; roles: string[] } =>
    typeof entry === 'object' &&
    entry !== null &&
    'key' in entry &&
    typeof entry.key === 'string' &&
    'principal' in entry &&
    typeof entry.principal === 'string' &&
    'roles' in entry &&
    Array.isArray(entry.roles) &&
    entry.roles.includes(role);

/** The admin key and the driver keys of the development keys `npm start` writes, or why there are none. */
export const keysFromDataDir = (dataDir: string): { key: string; drivers: { driverId: string; key: string }[] } | { error: string } => {
  const file = join(dataDir, 'api-keys.json');
  if (!existsSync(file))
    return { error: `no --key given and ${file} does not exist (start the platform with \`npm start\` first, or pass --key)` };
  try {
    const keys: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const entries: unknown[] = Array.isArray(keys) ? keys : [];
    const admin = entries.find(hasRole('admin'));
    const drivers = entries.filter(hasRole('driver')).map((entry) => ({ driverId: entry.principal, key: entry.key }));
    if (admin === undefined) return { error: `${file} holds no admin key; pass --key` };
    return drivers.length === 0
      ? { error: `${file} holds no driver key: the drivers answer their offers with one` }
      : { key: admin.key, drivers };
  } catch (error) {
    return { error: `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
};
