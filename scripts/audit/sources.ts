// Where the audit CLI gets its answers: the stores themselves (the same functions the audit API runs), or,
// while a running platform holds the embedded archive, that platform's audit API. Both answer the same
// shapes, so the commands print alike whichever answered.
import {
  maxArchivePageSize,
  type ArchiveFilter,
  type EventArchive,
  type EventStore,
  type LogAnchor,
  type SqlRefusal,
  type SqlResult,
} from '@meridian/kernel';
import {
  auditEntryOf,
  correlationOf,
  eventsPage,
  exportEvents,
  exportFormats,
  stateAsOf,
  type AsOf,
  type AuditEventsPage,
  type CorrelationView,
  type ExportOptions,
  type StateAsOf,
  type StateRefusal,
  type StreamHistory,
} from '@meridian/query-api';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/** Why there is no answer, and the exit status that says so: 1 not found or refused, 2 usage. */
export type Failure = { readonly exitCode: 1 | 2; readonly message: string };
export type Outcome<A> = E.Either<Failure, A>;

const notFound = (message: string): Failure => ({ exitCode: 1, message });
const refused = (message: string): Failure => ({ exitCode: 1, message: `refused: ${message}` });
const usage = (message: string): Failure => ({ exitCode: 2, message });

export type StreamSource = {
  readonly history: (streamId: string, fromRevision: number) => Promise<Outcome<StreamHistory>>;
  readonly state: (streamId: string, asOf: AsOf) => Promise<Outcome<StateAsOf>>;
};

export type ArchiveSource = {
  readonly correlation: (correlationId: string) => Promise<Outcome<CorrelationView>>;
  readonly events: (filter: ArchiveFilter, page: { readonly limit: number; readonly after?: string }) => Promise<Outcome<AuditEventsPage>>;
  /** The export's text, chunk by chunk, read as it is written. */
  readonly exportEvents: (filter: ArchiveFilter, options: ExportOptions) => Promise<Outcome<AsyncIterable<string>>>;
  readonly sql: (query: string) => Promise<Outcome<SqlResult>>;
  /** Every anchor of the log's head, in position order. */
  readonly anchors: () => Promise<Outcome<readonly LogAnchor[]>>;
};

// ---- the stores themselves ----

const stateFailure = (refusal: StateRefusal): Failure =>
  refusal._tag === 'UnknownAggregate'
    ? usage(`"${refusal.aggregateType}" is not an aggregate type; known: ${refusal.known.join(', ')}`)
    : notFound(`${refusal.streamId} has no events at that moment`);

export const localStreamSource = (store: EventStore): StreamSource => ({
  history: async (streamId, fromRevision) => {
    const events = await store.readStream(streamId, { fromRevision });
    if (events.length === 0 && fromRevision === 0) return E.left(notFound(`stream ${streamId} does not exist`));
    return E.right({ streamId, events: events.map(auditEntryOf) });
  },
  state: async (streamId, asOf) => E.mapLeft(stateFailure)(await stateAsOf(store, streamId, asOf)),
});

/** How long one SQL query may run here, as in the audit API (MERIDIAN_AUDIT_SQL_TIMEOUT_MS). */
export type LocalArchiveOptions = { readonly sqlTimeoutMs: number };

export const localArchiveSource = (archive: EventArchive, { sqlTimeoutMs }: LocalArchiveOptions): ArchiveSource => ({
  correlation: async (correlationId) => {
    const view = await correlationOf(archive, correlationId);
    return view.events.length === 0 ? E.left(notFound(`no archived event has the correlation id ${correlationId}`)) : E.right(view);
  },
  events: async (filter, page) => E.right(await eventsPage(archive, filter, page)),
  exportEvents: async (filter, options) => E.right(await exportEvents(archive, filter, options)),
  sql: async (query) =>
    E.mapLeft(({ reason, message }: SqlRefusal): Failure =>
      reason === 'rejected'
        ? refused(message)
        : {
            exitCode: 1,
            message: `the query ran longer than ${sqlTimeoutMs} ms and was stopped; narrow it, or set MERIDIAN_AUDIT_SQL_TIMEOUT_MS`,
          },
    )(await archive.sql(query, { signal: AbortSignal.timeout(sqlTimeoutMs) })),
  anchors: async () => {
    const anchors: LogAnchor[] = [];
    for (
      let page = await archive.anchors({ limit: maxArchivePageSize });
      ;
      page = await archive.anchors({ after: anchors[anchors.length - 1]!.position, limit: maxArchivePageSize })
    ) {
      anchors.push(...page);
      if (page.length < maxArchivePageSize) return E.right(anchors);
    }
  },
});

// ---- a running platform's audit API ----

export type RemoteDeps = { readonly url: string; readonly key: string };

/** An answer's problem+json, as far as the tool reads it (problem details may carry more fields). */
const Problem = t.partial({
  type: t.string,
  title: t.string,
  detail: t.string,
  /** A body field (pointer) or a query or path parameter (parameter) each. */
  errors: t.readonlyArray(t.intersection([t.type({ detail: t.string }), t.partial({ pointer: t.string, parameter: t.string })])),
});
type Problem = t.TypeOf<typeof Problem>;

/** The problem+json an answer holds; undefined when it holds something else (a proxy's page). */
const problemIn = (text: string): Problem | undefined => {
  try {
    const decoded = Problem.decode(JSON.parse(text));
    return E.isRight(decoded) ? decoded.right : undefined;
  } catch {
    return undefined;
  }
};

const problemText = (problem: Problem) =>
  [problem.detail ?? problem.title ?? 'no detail', ...(problem.errors ?? []).map((e) => `${e.parameter ?? e.pointer}: ${e.detail}`)].join(
    '; ',
  );

/** A problem answer as a failure: the caller's mistake is usage, a refused query or a missing thing is 1. */
const failureOf = async (response: Response): Promise<Failure> => {
  const text = await response.text();
  const problem = problemIn(text) ?? { detail: text.slice(0, 500) };
  if (response.status === 400 && problem.type === '/problems/sql-rejected') return refused(problemText(problem));
  if (response.status === 400) return usage(problemText(problem));
  if (response.status === 401 || response.status === 403) return refused(`${problemText(problem)} (check --key)`);
  if (response.status === 404) return notFound(problemText(problem));
  return { exitCode: 1, message: `the audit API answered ${response.status}: ${problemText(problem)}` };
};

const ask = async (
  { url, key }: RemoteDeps,
  path: string,
  init: { readonly accept?: string; readonly body?: unknown } = {},
): Promise<Outcome<Response>> => {
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        accept: init.accept ?? 'application/json',
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
  } catch (error) {
    return E.left({
      exitCode: 1,
      message: `cannot reach the platform at ${url}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
    });
  }
  return response.ok ? E.right(response) : E.left(await failureOf(response));
};

/** The answer's JSON, as the audit API shapes it (the same types the local source builds). */
const askJson = async <A>(deps: RemoteDeps, path: string, body?: unknown): Promise<Outcome<A>> => {
  const answer = await ask(deps, path, body === undefined ? {} : { body });
  return E.isLeft(answer) ? answer : E.right((await answer.right.json()) as A);
};

const segment = encodeURIComponent;

export const eventsQuery = (filter: ArchiveFilter, page: { readonly limit?: number; readonly after?: string }): string => {
  const query = new URLSearchParams();
  if (filter.eventTypes !== undefined) query.set('type', filter.eventTypes.join(','));
  for (const name of ['from', 'to', 'principalId', 'streamId', 'correlationId'] as const) {
    const value = filter[name];
    if (value !== undefined) query.set(name, value);
  }
  if (page.limit !== undefined) query.set('limit', String(page.limit));
  if (page.after !== undefined) query.set('after', page.after);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
};

async function* textOf(body: ReadableStream<Uint8Array> | null): AsyncIterable<string> {
  if (body === null) return;
  const decoder = new TextDecoder();
  for await (const chunk of body) yield decoder.decode(chunk, { stream: true });
  const tail = decoder.decode();
  if (tail !== '') yield tail;
}

export const remoteArchiveSource = (deps: RemoteDeps): ArchiveSource => ({
  correlation: (correlationId) => askJson(deps, `/v1/audit/correlations/${segment(correlationId)}`),
  events: (filter, page) => askJson(deps, `/v1/audit/events${eventsQuery(filter, page)}`),
  exportEvents: async (filter, options) => {
    const answer = await ask(deps, `/v1/audit/events${eventsQuery(filter, options)}`, { accept: exportFormats[options.format].mediaType });
    return E.map((response: Response) => textOf(response.body))(answer);
  },
  sql: (query) => askJson(deps, '/v1/audit/sql', { query }),
  anchors: async () => {
    const anchors: LogAnchor[] = [];
    let after: string | null = '0';
    while (after !== null) {
      const page: Outcome<{ readonly items: readonly LogAnchor[]; readonly next: string | null }> = await askJson(
        deps,
        `/v1/audit/anchors?after=${after}&limit=${maxArchivePageSize}`,
      );
      if (E.isLeft(page)) return page;
      anchors.push(...page.right.items);
      after = page.right.next;
    }
    return E.right(anchors);
  },
});
