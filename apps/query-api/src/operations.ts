// What an operator looks at first (admin): where each consumer stands against the log's head and how late
// it is, the dead letters each one holds (and their redrive after a fix), and how full the telemetry queues
// are. Served whole (GET /v1/operations) and live (an `overview` at once, again whenever a dead letter comes
// or goes, and every couple of seconds, since positions and queues move without a document changing).
import type Router from '@koa/router';
import { HttpProblem, openEventStream, problems, requireActor, type AuthState, type RequestContextState } from '@meridian/http';
import { deadLetters, type DocumentStore, type Logger, type Role } from '@meridian/kernel';
import type { ConsumerSnapshot } from '@meridian/projections';
import type { DeadLetterDesk, TelemetryBacklog } from '@meridian/wiring';
import type { Context } from 'koa';

export type OperationsDeps = {
  readonly documents: DocumentStore;
  readonly logger: Logger;
  /** Where each consumer this process runs (or hears of: in the cloud, the reports of the consumer services) stands. */
  readonly consumers?: () => readonly ConsumerSnapshot[] | Promise<readonly ConsumerSnapshot[]>;
  /** The log's head position, where this process reads the log. */
  readonly headPosition?: () => Promise<number>;
  readonly deadLetters?: DeadLetterDesk;
  readonly telemetryBacklog?: () => readonly TelemetryBacklog[];
  readonly now?: () => Date;
  /** How often the live overview is sent when nothing else moved it (default 2 s). */
  readonly overviewEveryMs?: number;
};

export type ConsumerStanding = ConsumerSnapshot & {
  /** Events of the log past the consumer's checkpoint (known where the consumer reads the log itself). */
  readonly behind: number | null;
  readonly deadLetters: number | null;
};

export type OperationsOverview = {
  readonly at: string;
  readonly headPosition: number | null;
  readonly consumers: readonly ConsumerStanding[];
  /** Dead letters per consumer whose letters this wiring keeps (null where it cannot count them here). */
  readonly deadLetters: Readonly<Record<string, number>>;
  readonly telemetry: readonly TelemetryBacklog[];
};

const operators: readonly Role[] = ['admin'];

const deadLetterCounts = async (desk: DeadLetterDesk | undefined): Promise<Record<string, number>> =>
  desk === undefined
    ? {}
    : Object.fromEntries(
        await Promise.all(desk.consumers.map(async (consumer) => [consumer, (await desk.list(consumer)).length] as const)),
      );

export const operationsOverview = async (deps: OperationsDeps): Promise<OperationsOverview> => {
  const [headPosition, deadLetters, consumers] = await Promise.all([
    deps.headPosition?.() ?? Promise.resolve(null),
    deadLetterCounts(deps.deadLetters),
    deps.consumers?.() ?? [],
  ]);
  // A consumer's dead letters are kept under its log subscription's name (`<projection>-projector`).
  const lettersOf = (name: string) => deadLetters[name] ?? deadLetters[`${name}-projector`] ?? null;
  return {
    at: (deps.now ?? (() => new Date()))().toISOString(),
    headPosition,
    consumers: consumers.map((consumer) => ({
      ...consumer,
      behind: headPosition === null || consumer.checkpoint === undefined ? null : Math.max(0, headPosition - consumer.checkpoint),
      deadLetters: lettersOf(consumer.name),
    })),
    deadLetters,
    telemetry: deps.telemetryBacklog?.() ?? [],
  };
};

const deskOf = (deps: OperationsDeps, consumer: string | undefined): { desk: DeadLetterDesk; consumer: string } => {
  if (deps.deadLetters === undefined || consumer === undefined || !deps.deadLetters.consumers.includes(consumer))
    throw new HttpProblem(
      problems.notFound(
        `no consumer ${consumer ?? ''} keeps dead letters here${deps.deadLetters === undefined ? '' : `; these do: ${deps.deadLetters.consumers.join(', ')}`}`,
      ),
    );
  return { desk: deps.deadLetters, consumer };
};

const streamOverview = async (ctx: Context, deps: OperationsDeps) => {
  const stream = openEventStream(ctx);
  let sending = false;
  let again = false;
  // One overview at a time; a request for another while one is read is served once it is sent.
  const send = async (): Promise<void> => {
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    try {
      stream.send('overview', await operationsOverview(deps));
    } catch (error) {
      deps.logger.error('the operations overview could not be read; closing the stream', { error });
      stream.close();
    } finally {
      sending = false;
    }
    if (again) {
      again = false;
      await send();
    }
  };
  const stopWatching = deps.documents.watch(deadLetters.name, () => void send());
  const timer = setInterval(() => void send(), deps.overviewEveryMs ?? 2_000);
  stream.onClose(() => {
    clearInterval(timer);
    stopWatching();
  });
  await send();
};

export const operationsRoutes = (router: Router<AuthState & RequestContextState>, deps: OperationsDeps): void => {
  router.get('/v1/operations', async (ctx) => {
    requireActor(ctx.state.principal, operators);
    ctx.body = await operationsOverview(deps);
  });
  router.get('/v1/operations/stream', async (ctx) => {
    requireActor(ctx.state.principal, operators);
    await streamOverview(ctx, deps);
  });
  router.get('/v1/dead-letters/:consumer', async (ctx) => {
    requireActor(ctx.state.principal, operators);
    const { desk, consumer } = deskOf(deps, ctx.params['consumer']);
    ctx.body = { consumer, items: await desk.list(consumer) };
  });
  router.post('/v1/dead-letters/:consumer/redrive', async (ctx) => {
    const actor = requireActor(ctx.state.principal, operators);
    const { desk, consumer } = deskOf(deps, ctx.params['consumer']);
    const outcome = await desk.redrive(consumer);
    deps.logger.info('dead letters redriven over the API', { consumer, principalId: actor.principalId, ...outcome });
    ctx.body = { consumer, ...outcome };
  });
};
