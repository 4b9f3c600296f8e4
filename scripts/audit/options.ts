// The audit CLI's command line: one command and its options, checked all at once, with help for the whole
// tool and for each command. Nothing here opens a store.
import { IsoDateTime, maxArchivePageSize, type ArchiveFilter, type ChainCheckpoint } from '@meridian/kernel';
import { auditedAggregates, auditedEventTypes, streamIdPattern, type AsOf } from '@meridian/query-api';
import { parseArgs } from 'node:util';

export type Remote = { readonly url?: string; readonly key?: string };

export type AuditCommand =
  | { readonly name: 'history'; readonly streamId: string; readonly fromRevision: number; readonly format: 'table' | 'jsonl' }
  | { readonly name: 'state'; readonly streamId: string; readonly asOf: AsOf; readonly format: 'text' | 'json' }
  | { readonly name: 'correlation'; readonly correlationId: string; readonly format: 'tree' | 'jsonl' }
  | {
      readonly name: 'events';
      readonly filter: ArchiveFilter;
      /** Events shown (a page, for the table), or exported at most; every match with `all`. */
      readonly limit: number;
      readonly after?: string;
      readonly all: boolean;
      readonly format: 'table' | 'jsonl' | 'csv';
    }
  | { readonly name: 'sql'; readonly query: string; readonly format: 'table' | 'jsonl' | 'csv' }
  | { readonly name: 'verify'; readonly expectHeads: readonly ChainCheckpoint[]; readonly anchors: boolean }
  | { readonly name: 'head' };

export type ParsedCommandLine =
  | { readonly kind: 'help'; readonly text: string }
  /** What is wrong, and what to read next. */
  | { readonly kind: 'usage'; readonly errors: readonly string[]; readonly hint: string }
  | { readonly kind: 'run'; readonly command: AuditCommand; readonly remote: Remote };

const remoteHelp = `Where the stores come from: the same environment as the apps (MERIDIAN_DATA_DIR, default ./data;
EVENTSTORE_CONNECTION_STRING; BIGQUERY_DATASET), opened read-only. While a running platform holds the
embedded archive (DuckDB allows one process per file), archive commands ask its audit API instead:
  --url <url>     the platform (default: $MERIDIAN_URL, or http://127.0.0.1:$PORT, PORT being 8080 unless set)
  --key <key>     an auditor's API key (default: the auditor key in $MERIDIAN_DATA_DIR/api-keys.json)`;

const commandHelp = {
  history: `Usage: npm run audit -- history <streamId> [--from-revision <n>] [--format table|jsonl]

A stream's history from the event store: each event's revision, time, type, who (actor) and why
(request, correlation and causation ids). --format jsonl prints every field, data included.
Example: npm run audit -- history parcel-p-1`,
  state: `Usage: npm run audit -- state <streamId> [--at <time> | --revision <n>] [--format text|json]

An aggregate's state as of an instant (every event recorded at or before it) or a revision, folded with
the aggregate's own evolve; with neither, its latest state. <time> is RFC 3339 with an offset.
Example: npm run audit -- state parcel-p-1 --at 2026-11-21T14:05:00Z`,
  correlation: `Usage: npm run audit -- correlation <correlationId> [--format tree|jsonl]

Every archived event of one business transaction, printed as its causation tree: under each command,
the events it caused, and under each event the events that reacted to it. --format jsonl: the events.`,
  events: `Usage: npm run audit -- events [filters] [--format table|jsonl|csv] [--limit <n>] [--after <cursor>] [--all]

Archived events in global order. Filters (all optional, combined):
  --type <type>          an event type (repeat, or comma-separate, for several)
  --from <time>          recorded at or after (RFC 3339)
  --to <time>            recorded before (RFC 3339)
  --actor <principalId>  done by this principal
  --stream <streamId>    of this stream
  --correlation <id>     of this business transaction
--limit: how many (default 100; a table page holds at most ${maxArchivePageSize}); --all: every match.
jsonl prints each envelope as archived; csv the archive's columns, with data and metadata as JSON.`,
  sql: `Usage: npm run audit -- sql "<query>" [--format table|jsonl|csv]

One read-only SELECT over the archive's tables, events and telemetry, in the archive's dialect (DuckDB
embedded, BigQuery in the cloud). Anything else is refused.
Example: npm run audit -- sql "SELECT type, count(*) FROM events GROUP BY type"`,
  verify: `Usage: npm run audit -- verify [--expect-head <position>:<hash>]... [--no-anchors]

Checks the event log for tampering: recomputes both hash chains of the embedded store (keyed links with
MERIDIAN_CHAIN_KEY, which it then needs), or Spanner's stream chains and seals (MERIDIAN_SPANNER_DATABASE),
then checks that the log still reaches every head the platform
anchored in the archive, and every --expect-head (from an earlier "head"), with the same hash. A changed
or removed event breaks a chain; a cut tail or a rewritten chain misses an anchor. --no-anchors checks
the log without the archive's anchors, where no archive can be read (npm run start:cloud keeps it in the
projector's own DuckDB file); the answer then says so.
Exit status: 0 intact, 1 tampered or unreadable, 2 usage (or the chain key is missing).
Example: npm run audit -- verify --expect-head 42:5f0c…`,
  head: `Usage: npm run audit -- head

Prints the event log's head as <position>:<hash> (the last event's position and global hash; on Spanner,
the last seal's), for an
auditor to keep somewhere else (a ticket, a signed note) and check later with verify --expect-head.`,
} as const;

type CommandName = keyof typeof commandHelp;
const commandNames = Object.keys(commandHelp);

export const generalHelp = `Usage: npm run audit -- <command> [options]

Answers an auditor's questions: what happened to this parcel, who did it, and what did we know at 14:05?

Commands:
  history <streamId>                         a stream's events with who, when and why
  state <streamId> [--at <time> | --revision <n>]
                                             an aggregate's state as of an instant or a revision
  correlation <correlationId>                a business transaction as a causation tree
  events [--type] [--from] [--to] [--actor] [--stream] [--format table|jsonl|csv] [--limit] [--all]
                                             archived events by type, time, actor or stream; export
  sql "<query>"                              a read-only SQL query over the archive
  verify [--expect-head <position>:<hash>]    tamper evidence of the event log, against its anchors
  head                                       the event log's head, to check later with verify

Options of every command:
  -h, --help      help for the command

${remoteHelp}

Output is for people (aligned tables, a tree) unless --format asks for a machine format.
Exit status: 0 answered, 1 not found or refused, 2 usage.`;

const common = {
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  key: { type: 'string' },
  format: { type: 'string' },
} as const;

const optionSpecs = {
  history: { ...common, 'from-revision': { type: 'string' } },
  state: { ...common, at: { type: 'string' }, revision: { type: 'string' } },
  correlation: common,
  events: {
    ...common,
    type: { type: 'string', multiple: true },
    from: { type: 'string' },
    to: { type: 'string' },
    actor: { type: 'string' },
    stream: { type: 'string' },
    correlation: { type: 'string' },
    limit: { type: 'string' },
    after: { type: 'string' },
    all: { type: 'boolean' },
  },
  sql: common,
  verify: {
    help: common.help,
    url: common.url,
    key: common.key,
    'expect-head': { type: 'string', multiple: true },
    'no-anchors': { type: 'boolean' },
  },
  head: { help: common.help },
} as const;

type Values = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** One step of checking: collects what is wrong rather than stopping at the first. */
type Check = { readonly errors: string[] };

const textOf = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

const integerOf = (check: Check, values: Values, name: string, min: number, max: number): number | undefined => {
  const raw = textOf(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    check.errors.push(`--${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return Number(raw);
};

const instantOf = (check: Check, values: Values, name: string): string | undefined => {
  const raw = textOf(values, name);
  if (raw !== undefined && !IsoDateTime.is(raw))
    check.errors.push(`--${name} must be an RFC 3339 time with an offset, for example 2026-11-21T14:05:00Z, not "${raw}"`);
  return raw;
};

const formatOf = <F extends string>(check: Check, values: Values, allowed: readonly [F, ...F[]]): F => {
  const raw = textOf(values, 'format') ?? allowed[0];
  const format = allowed.find((candidate) => candidate === raw);
  if (format === undefined) check.errors.push(`--format must be one of ${allowed.join(', ')}, not "${raw}"`);
  return format ?? allowed[0];
};

const streamIdOf = (check: Check, raw: string | undefined, { aggregate = false } = {}): string => {
  if (raw === undefined) check.errors.push('give a stream id, for example parcel-p-1');
  else if (!streamIdPattern.test(raw)) check.errors.push(`"${raw}" is not a stream id: <aggregateType>-<id>, for example parcel-p-1`);
  else if (aggregate && !auditedAggregates.has(raw.slice(0, raw.indexOf('-'))))
    check.errors.push(`"${raw.slice(0, raw.indexOf('-'))}" is not an aggregate type; known: ${[...auditedAggregates.keys()].join(', ')}`);
  return raw ?? '';
};

const typesOf = (check: Check, values: Values): string[] | undefined => {
  const raw = values['type'];
  if (!Array.isArray(raw)) return undefined;
  const types = raw
    .flatMap((value: string) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  for (const type of types)
    if (!auditedEventTypes.includes(type))
      check.errors.push(`--type "${type}" is not an event type; known: ${auditedEventTypes.join(', ')}`);
  return types.length === 0 ? undefined : types;
};

const exactly = (check: Check, positionals: readonly string[], count: number, what: string) => {
  if (positionals.length > count)
    check.errors.push(
      `unexpected ${positionals
        .slice(count)
        .map((p) => `"${p}"`)
        .join(' ')}: ${what}`,
    );
};

const history = (check: Check, values: Values, positionals: readonly string[]): AuditCommand => {
  exactly(check, positionals, 1, 'history takes one stream id');
  return {
    name: 'history',
    streamId: streamIdOf(check, positionals[0]),
    fromRevision: integerOf(check, values, 'from-revision', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    format: formatOf(check, values, ['table', 'jsonl']),
  };
};

const state = (check: Check, values: Values, positionals: readonly string[]): AuditCommand => {
  exactly(check, positionals, 1, 'state takes one stream id');
  const at = instantOf(check, values, 'at');
  const revision = integerOf(check, values, 'revision', 0, Number.MAX_SAFE_INTEGER);
  if (at !== undefined && revision !== undefined) check.errors.push('give --at or --revision, not both');
  const asOf: AsOf = at !== undefined ? { at } : revision !== undefined ? { revision } : { latest: true };
  return {
    name: 'state',
    streamId: streamIdOf(check, positionals[0], { aggregate: true }),
    asOf,
    format: formatOf(check, values, ['text', 'json']),
  };
};

const correlation = (check: Check, values: Values, positionals: readonly string[]): AuditCommand => {
  exactly(check, positionals, 1, 'correlation takes one correlation id');
  const correlationId = positionals[0];
  if (correlationId === undefined || !/^[\x21-\x7e]{1,128}$/.test(correlationId))
    check.errors.push('give a correlation id (1-128 visible characters)');
  return { name: 'correlation', correlationId: correlationId ?? '', format: formatOf(check, values, ['tree', 'jsonl']) };
};

const events = (check: Check, values: Values, positionals: readonly string[]): AuditCommand => {
  exactly(check, positionals, 0, 'events takes options only');
  const eventTypes = typesOf(check, values);
  const from = instantOf(check, values, 'from');
  const to = instantOf(check, values, 'to');
  const principalId = textOf(values, 'actor');
  const stream = textOf(values, 'stream');
  const streamId = stream === undefined ? undefined : streamIdOf(check, stream);
  const correlationId = textOf(values, 'correlation');
  const format = formatOf(check, values, ['table', 'jsonl', 'csv']);
  const all = values['all'] === true;
  const limit = integerOf(check, values, 'limit', 1, format === 'table' && !all ? maxArchivePageSize : Number.MAX_SAFE_INTEGER) ?? 100;
  if (all && textOf(values, 'limit') !== undefined) check.errors.push('give --limit or --all, not both');
  const after = textOf(values, 'after');
  const filter: ArchiveFilter = {
    ...(eventTypes !== undefined && { eventTypes }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    ...(principalId !== undefined && { principalId }),
    ...(streamId !== undefined && { streamId }),
    ...(correlationId !== undefined && { correlationId }),
  };
  return { name: 'events', filter, limit, all, format, ...(after !== undefined && { after }) };
};

const sql = (check: Check, values: Values, positionals: readonly string[]): AuditCommand => {
  // Unquoted words are joined back: `sql SELECT 1` means what it says.
  const query = positionals.join(' ').trim();
  if (query === '') check.errors.push('give a query, for example: sql "SELECT count(*) FROM events"');
  return { name: 'sql', query, format: formatOf(check, values, ['table', 'jsonl', 'csv']) };
};

const headPattern = /^(\d{1,16}):([0-9a-f]{64})$/;

const expectedHeadsOf = (check: Check, values: Values): ChainCheckpoint[] => {
  const raw = values['expect-head'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((text: string) => {
    const parts = headPattern.exec(text.trim());
    if (parts === null || Number(parts[1]) < 1) {
      check.errors.push(`--expect-head must be <position>:<hash> as "head" prints it (a position from 1, 64 hex digits), not "${text}"`);
      return [];
    }
    return [{ position: Number(parts[1]), hash: parts[2]!, source: '--expect-head' }];
  });
};

const verify = (check: Check, values: Values, positionals: readonly string[]): AuditCommand => {
  exactly(check, positionals, 0, 'verify takes options only');
  return { name: 'verify', expectHeads: expectedHeadsOf(check, values), anchors: values['no-anchors'] !== true };
};

const head = (check: Check, _values: Values, positionals: readonly string[]): AuditCommand => {
  exactly(check, positionals, 0, 'head takes no arguments');
  return { name: 'head' };
};

const builders: Record<CommandName, (check: Check, values: Values, positionals: readonly string[]) => AuditCommand> = {
  history,
  state,
  correlation,
  events,
  sql,
  verify,
  head,
};

const readArgs = (name: CommandName, args: readonly string[]) => {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: optionSpecs[name], allowPositionals: true, strict: true });
    return { ok: true as const, values: values as Values, positionals };
  } catch (error) {
    return { ok: false as const, error: error instanceof Error ? error.message : String(error) };
  }
};

const isCommand = (name: string): name is CommandName => Object.hasOwn(commandHelp, name);

export const parseCommandLine = (argv: readonly string[]): ParsedCommandLine => {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'usage', errors: ['give a command'], hint: generalHelp };
  if (first === '-h' || first === '--help' || first === 'help') {
    const topic = rest[0];
    return { kind: 'help', text: topic !== undefined && isCommand(topic) ? commandHelp[topic] : generalHelp };
  }
  if (!isCommand(first))
    return {
      kind: 'usage',
      errors: [`unknown command "${first}"; commands: ${commandNames.join(', ')}`],
      hint: 'see: npm run audit -- --help',
    };
  const read = readArgs(first, rest);
  const hint = `see: npm run audit -- ${first} --help`;
  if (!read.ok) return { kind: 'usage', errors: [read.error], hint };
  if (read.values['help'] === true)
    return { kind: 'help', text: first === 'head' ? commandHelp.head : `${commandHelp[first]}\n\n${remoteHelp}` };
  const check: Check = { errors: [] };
  const command = builders[first](check, read.values, read.positionals);
  if (check.errors.length > 0) return { kind: 'usage', errors: check.errors, hint };
  const url = textOf(read.values, 'url');
  const key = textOf(read.values, 'key');
  return { kind: 'run', command, remote: { ...(url !== undefined && { url }), ...(key !== undefined && { key }) } };
};
