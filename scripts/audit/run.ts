// Runs one audit command: opens what it needs from the environment (read-only), asks, prints, closes.
// Resolves with the exit status: 0 answered, 1 not found or refused, 2 usage.
import { isRecord, type EventArchive, type Logger } from '@meridian/kernel';
import { defaultAuditSqlTimeoutMs } from '@meridian/query-api';
import { createLogger, decodeEnvironment, nonEmptyVariable, type Environment } from '@meridian/runtime';
import {
  ArchiveNotFound,
  archiveVariables,
  commonVariables,
  defaultDataDir,
  defaultPort,
  developmentKeysFile,
  DuckDbArchiveLocked,
  eventStoreKind,
  eventStoreVariables,
  openArchive,
  openEventStore,
} from '@meridian/wiring';
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuditCommand, Remote } from './options.ts';
import { causationTreeText, eventsTable, historyTable, jsonLines, sqlCsv, sqlJsonLines, sqlTable, stateText } from './render.ts';
import {
  localArchiveSource,
  localStreamSource,
  remoteArchiveSource,
  type ArchiveSource,
  type Failure,
  type Outcome,
  type RemoteDeps,
  type StreamSource,
} from './sources.ts';
import { headCommand, verifyCommand } from './verify.ts';

/** Where output goes; `write` waits when the reader is slower than the export. */
export type Output = { readonly write: (text: string) => Promise<void>; readonly err: (line: string) => void };

export type RunDeps = { readonly env: Environment; readonly output: Output };

const auditVariables = { ...commonVariables, ...eventStoreVariables, ...archiveVariables, MERIDIAN_URL: nonEmptyVariable };
const decodeAuditConfig = (env: Environment) => decodeEnvironment(env, {}, auditVariables);
type AuditConfig = Extract<ReturnType<typeof decodeAuditConfig>, E.Right<unknown>>['right'];

type Context = {
  readonly config: AuditConfig;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly remote: Remote;
  readonly output: Output;
};

/** The platform on this machine, at the port `npm start` was given (PORT, as for the platform itself). */
const defaultUrl = (config: AuditConfig) => `http://127.0.0.1:${config.PORT || defaultPort}`;

// ---- opening the sources ----

const failed = (message: string, exitCode: 1 | 2 = 1): Failure => ({ exitCode, message });

/** The event store, read by this process alongside any running platform (SQLite's WAL allows readers). */
const withStreamSource = async <A>(context: Context, run: (source: StreamSource) => Promise<Outcome<A>>): Promise<Outcome<A>> => {
  const path = join(context.dataDir, 'events.db');
  if (eventStoreKind(context.config) === 'sqlite' && !existsSync(path))
    return E.left(failed(`no event store at ${path} (set MERIDIAN_DATA_DIR)`));
  const store = openEventStore(context.config, context.logger, context.dataDir);
  try {
    return await run(localStreamSource(store));
  } finally {
    await store.close();
  }
};

/** The auditor's development key, when `npm start` made them in the data directory. */
const auditorKeyIn = (dataDir: string): string | undefined => {
  const file = developmentKeysFile(dataDir);
  if (!existsSync(file)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const keys: readonly unknown[] = Array.isArray(parsed) ? parsed : [];
  const auditor = keys.find((k) => isRecord(k) && Array.isArray(k['roles']) && k['roles'].includes('auditor'));
  const key = isRecord(auditor) ? auditor['key'] : undefined;
  return typeof key === 'string' ? key : undefined;
};

const remoteOf = (context: Context): Outcome<RemoteDeps> => {
  const url = (context.remote.url ?? context.config.MERIDIAN_URL ?? defaultUrl(context.config)).replace(/\/+$/, '');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    return E.left(failed(`--url must be an http(s) URL, not "${url}"`, 2));
  const key = context.remote.key ?? auditorKeyIn(context.dataDir);
  if (key === undefined) return E.left(failed(`no auditor key: pass --key (none in ${developmentKeysFile(context.dataDir)})`, 2));
  return E.right({ url, key });
};

/**
 * The archive, read-only; while the running platform writes the embedded one (DuckDB allows one process per
 * file), its audit API answers instead, and the user is told so in one line.
 */
const withArchiveSource = async <A>(
  context: Context,
  run: (source: ArchiveSource) => Promise<Outcome<A>>,
  { whenMissing }: { readonly whenMissing?: () => Outcome<A> } = {},
): Promise<Outcome<A>> => {
  let archive: EventArchive;
  try {
    archive = await openArchive(context.config, context.logger, context.dataDir, { readOnly: true });
  } catch (error) {
    if (error instanceof ArchiveNotFound) return whenMissing?.() ?? E.left(failed(error.message));
    if (!(error instanceof DuckDbArchiveLocked)) throw error;
    const remote = remoteOf(context);
    if (E.isLeft(remote)) return remote;
    context.output.err(`the archive is in use by the running platform; asking its audit API at ${remote.right.url}`);
    return run(remoteArchiveSource(remote.right));
  }
  try {
    return await run(
      localArchiveSource(archive, { sqlTimeoutMs: context.config.MERIDIAN_AUDIT_SQL_TIMEOUT_MS ?? defaultAuditSqlTimeoutMs }),
    );
  } finally {
    await archive.close();
  }
};

// ---- the commands ----

type Print = (text: string) => Promise<void>;

/** Prints the answer, rendered; a failure passes through. */
const printed = async <A>(print: Print, outcome: Promise<Outcome<A>>, render: (answer: A) => string): Promise<Outcome<void>> => {
  const answer = await outcome;
  if (E.isLeft(answer)) return answer;
  await print(render(answer.right));
  return E.right(undefined);
};

const streamAll = async (print: Print, chunks: AsyncIterable<string>) => {
  for await (const chunk of chunks) await print(chunk);
};

type EventsCommand = Extract<AuditCommand, { name: 'events' }>;

/** A table of one page, or of every page with --all (a table needs every row to align them). */
const eventsAsTable = async (source: ArchiveSource, print: Print, command: EventsCommand): Promise<Outcome<void>> => {
  const entries = [];
  let after = command.after;
  for (;;) {
    const page = await source.events(command.filter, { limit: command.all ? 1000 : command.limit, ...(after !== undefined && { after }) });
    if (E.isLeft(page)) return page;
    entries.push(...page.right.items);
    after = page.right.next ?? undefined;
    if (!command.all || after === undefined) break;
  }
  await print(entries.length === 0 ? 'no events match\n' : eventsTable(entries));
  if (!command.all && after !== undefined) await print(`more: add --after ${after}\n`);
  return E.right(undefined);
};

const eventsCommand = (context: Context, print: Print, command: EventsCommand): Promise<Outcome<void>> =>
  withArchiveSource(context, async (source) => {
    if (command.format === 'table') return eventsAsTable(source, print, command);
    const options = {
      format: command.format,
      ...(!command.all && { limit: command.limit }),
      ...(command.after !== undefined && { after: command.after }),
    };
    const chunks = await source.exportEvents(command.filter, options);
    if (E.isLeft(chunks)) return chunks;
    await streamAll(print, chunks.right);
    return E.right(undefined);
  });

const runCommand = (context: Context, command: AuditCommand): Promise<Outcome<void>> => {
  const print: Print = context.output.write;
  switch (command.name) {
    case 'history':
      return withStreamSource(context, (source) =>
        printed(print, source.history(command.streamId, command.fromRevision), (history) =>
          command.format === 'jsonl' ? jsonLines(history.events) : historyTable(history),
        ),
      );
    case 'state':
      return withStreamSource(context, (source) =>
        printed(print, source.state(command.streamId, command.asOf), (found) =>
          command.format === 'json' ? `${JSON.stringify(found, null, 2)}\n` : stateText(found),
        ),
      );
    case 'correlation':
      return withArchiveSource(context, (source) =>
        printed(print, source.correlation(command.correlationId), (view) =>
          command.format === 'jsonl' ? jsonLines(view.events) : causationTreeText(view),
        ),
      );
    case 'events':
      return eventsCommand(context, print, command);
    case 'sql':
      return withArchiveSource(context, (source) =>
        printed(print, source.sql(command.query), (result) =>
          command.format === 'jsonl' ? sqlJsonLines(result) : command.format === 'csv' ? sqlCsv(result) : sqlTable(result),
        ),
      );
    case 'verify':
    case 'head':
      throw new Error(`${command.name} runs apart: it reads the event log's own file`);
  }
};

/** The log's integrity, against the anchors in the archive (none when no archive has been written yet). */
const verifyAgainstAnchors = (context: Context, command: Extract<AuditCommand, { name: 'verify' }>): Promise<number> =>
  verifyCommand({
    config: context.config,
    dataDir: context.dataDir,
    out: (line) => void context.output.write(`${line}\n`),
    err: context.output.err,
    expectHeads: command.expectHeads,
    anchors: command.anchors
      ? () => withArchiveSource(context, (source) => source.anchors(), { whenMissing: () => E.right([]) })
      : 'not asked',
  });

export const runAudit = async (command: AuditCommand, remote: Remote, { env, output }: RunDeps): Promise<number> => {
  const decoded = decodeAuditConfig(env);
  if (E.isLeft(decoded)) {
    output.err(`audit: the configuration is not valid:\n${decoded.left.map((problem) => `  - ${problem}`).join('\n')}`);
    return 2;
  }
  const config = decoded.right;
  const dataDir = resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir);
  if (command.name === 'head') return headCommand({ config, dataDir, out: (line) => void output.write(`${line}\n`), err: output.err });
  // Logs go to stderr, and only warnings: stdout is the answer, which may be piped into another tool.
  const logger = createLogger({ service: 'audit', level: config.MERIDIAN_LOG_LEVEL ?? 'WARNING', write: (line) => output.err(line) });
  const context: Context = { config, dataDir, logger, remote, output };
  if (command.name === 'verify') return verifyAgainstAnchors(context, command);
  const outcome = await runCommand(context, command);
  if (E.isRight(outcome)) return 0;
  output.err(outcome.left.message);
  return outcome.left.exitCode;
};
