// One command request, in named steps: who, what body, which data, which request identity, then the
// kernel's command handling. Every failure leaves as a problem; nothing is appended unless all passed.
//
// With an Idempotency-Key, the request's first decided answer (202, or a refusal of the domain) is given
// again, exactly, to every retry, with `Idempotent-Replayed: true` (the kernel records it in the event
// store). A retry while the first is still being handled here gets 409 with Retry-After.
import {
  fingerprintOf,
  randomId,
  recordedAnswer,
  uuidFromName,
  type Actor,
  type CommandAnswer,
  type CommandHandlerDeps,
  type CommandResult,
  type FieldError,
  type RequestIdentity,
} from '@meridian/kernel';
import {
  activeTraceparent,
  HttpProblem,
  invalidParameter,
  problemOfCommandError,
  problems,
  readJsonBody,
  requireActor,
  type AuthState,
  type Principal,
  type RequestContextState,
  type RequestError,
} from '@meridian/http';
import { recordCommand, type CommandOutcome } from '@meridian/runtime';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import * as E from 'fp-ts/lib/Either.js';
import type { Context } from 'koa';
import { runEdgeCheck, type EdgeFacts, type EdgeLists } from './edge-checks.ts';
import type { InFlight } from './in-flight.ts';
import type { AcceptedCommand, CommandRoute } from './routes.ts';

export type CommandState = AuthState & RequestContextState;

export type CommandApiDeps = CommandHandlerDeps & {
  readonly now?: () => Date;
  readonly bodyLimit?: number;
};

/** What the edge checks read: the read models first, the aggregates' histories to confirm a refusal; what selections list. */
export type EdgeSources = { readonly readModels: EdgeFacts; readonly confirm: EdgeFacts; readonly lists: EdgeLists };

/** What a command request is answered with: its result, and whether it is a retried request's first answer. */
export type RouteAnswer = { readonly id: string; readonly result: CommandResult; readonly replayed: boolean };

const replayedHeaders = { 'Idempotent-Replayed': 'true' } as const;

/** Seconds a client should wait before retrying a request that is still being handled. */
const inFlightRetryAfter = '1';

const claimOrRefuse = (inFlight: InFlight, request: RequestIdentity): void => {
  const claim = inFlight.claim(request);
  if (claim === 'reused') throw new HttpProblem(problems.idempotencyKeyReused(request.requestId));
  if (claim === 'retry')
    throw new HttpProblem(
      problems.conflict(
        'request-in-flight',
        'a request with this Idempotency-Key is still being handled; retry it in a moment to get its answer',
      ),
      { 'Retry-After': inFlightRetryAfter },
    );
};

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

const idempotencyKeyOf = (ctx: Context): string | undefined => {
  const key = ctx.get('idempotency-key');
  if (key === '') return undefined;
  if (!idempotencyKeyPattern.test(key)) throw invalidParameter('Idempotency-Key', 'header', 'must be 1 to 255 printable ASCII characters');
  return key;
};

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** Merges path parameters into the body; the body may not set them itself. */
const dataOf = (commandRoute: CommandRoute, body: Record<string, unknown>, params: Record<string, string>): Record<string, unknown> => {
  const clashes: FieldError[] = commandRoute.fromPath
    .filter((name) => body[name] !== undefined)
    .map((name) => ({ pointer: `#/${name}`, detail: `is taken from the path; leave it out of the body` }));
  if (clashes.length > 0) throw new HttpProblem(problems.invalidRequest(clashes));
  return { ...body, ...Object.fromEntries(commandRoute.fromPath.map((name) => [name, params[name]])) };
};

/** A creation route generates the new id, from the Idempotency-Key when there is one so a retry finds it. */
const withGeneratedId = (commandRoute: CommandRoute, data: Record<string, unknown>, principal: Principal, key: string | undefined) => {
  const field = commandRoute.generatesId;
  if (field === undefined || data[field] !== undefined) return data;
  return { ...data, [field]: key === undefined ? randomId() : uuidFromName(`${principal.id}/${key}/${commandRoute.command}`) };
};

/** A client's own clientId fills in for an absent one; naming another client is refused. */
const withClient = (commandRoute: CommandRoute, data: Record<string, unknown>, actor: Actor) => {
  const field = commandRoute.clientField;
  if (field === undefined || actor.role !== 'client') return data;
  if (data[field] === undefined) return { ...data, [field]: actor.clientId };
  if (data[field] !== actor.clientId)
    throw new HttpProblem(problems.forbidden(`a client key may only act for its own client (${actor.clientId})`));
  return data;
};

/** A driver answers for itself: its own principal id fills the driver field; naming another driver is refused. */
const withDriver = (commandRoute: CommandRoute, data: Record<string, unknown>, actor: Actor) => {
  const field = commandRoute.driverField;
  if (field === undefined || actor.role !== 'driver') return data;
  if (data[field] === undefined) return { ...data, [field]: actor.principalId };
  if (data[field] !== actor.principalId)
    throw new HttpProblem(problems.forbidden(`a driver key may only answer for its own driver (${actor.principalId})`));
  return data;
};

/**
 * The route's edge check, if it has one (rules that span aggregates, edge-checks.ts). A request already
 * answered is not checked again: its retry gets the first answer, whatever changed since. An edge refusal
 * is not recorded as the request's answer: the read models move on, and the same request may pass later.
 */
const passEdgeCheck = async (
  deps: CommandHandlerDeps & { readonly edge: EdgeSources },
  commandRoute: CommandRoute,
  data: unknown,
  request: RequestIdentity | undefined,
): Promise<void> => {
  if (commandRoute.edgeCheck === undefined) return;
  if (request !== undefined && (await deps.store.findRequest(request.requestId)) !== undefined) return;
  const refusal = await runEdgeCheck(commandRoute.edgeCheck, data, deps.edge);
  if (refusal !== undefined) throw new HttpProblem(refusal);
};

/** A failing field that came from the path is a path parameter to the client, not a place in its body. */
const locatedErrors = (commandRoute: CommandRoute, errors: readonly FieldError[]): RequestError[] =>
  errors.map((error) => {
    const parameter = commandRoute.fromPath.find((name) => error.pointer === `#/${name}`);
    return parameter === undefined ? error : { parameter, in: 'path', detail: error.detail };
  });

const accepted = (commandRoute: CommandRoute, data: Record<string, unknown>, now: Date): AcceptedCommand => {
  const decoded = commandRoute.accept(data, now);
  if (E.isLeft(decoded)) throw new HttpProblem(problems.invalidRequest(locatedErrors(commandRoute, decoded.left)));
  return decoded.right;
};

type HandleDeps = CommandApiDeps & { readonly inFlight: InFlight; readonly edge: EdgeSources };
type RouteContext = Context & { state: CommandState; params: Record<string, string> };

/** Whether the domain decided (so a problem thrown after is its refusal, not a rejected request). */
type Progress = { decided: boolean };

const outcomeOf = (error: unknown, progress: Progress): CommandOutcome =>
  !(error instanceof HttpProblem) || error.problem.status >= 500 ? 'failed' : progress.decided ? 'refused' : 'rejected';

/**
 * A command request in a span of its own (child of the request's), counted by type and outcome with its
 * latency: appended, unchanged (nothing to append), refused by the domain, rejected (not a valid request),
 * failed.
 */
export const handleRoute = (deps: HandleDeps, commandRoute: CommandRoute, ctx: RouteContext): Promise<RouteAnswer> =>
  trace.getTracer('meridian-commands').startActiveSpan(`command ${commandRoute.command}`, async (span) => {
    const started = performance.now();
    const progress: Progress = { decided: false };
    let outcome: CommandOutcome = 'failed';
    try {
      const answer = await decideRoute(deps, commandRoute, ctx, progress);
      outcome = answer.result.events.length > 0 ? 'appended' : 'unchanged';
      return answer;
    } catch (error) {
      outcome = outcomeOf(error, progress);
      throw error;
    } finally {
      recordCommand(commandRoute.command, outcome, (performance.now() - started) / 1000);
      span.setAttributes({ 'meridian.command': commandRoute.command, 'meridian.command.outcome': outcome });
      if (outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  });

/** A replayed answer of a route: its id is the one its stream was named for. */
const answerOf = (commandRoute: CommandRoute, { answer, replayed }: CommandAnswer, progress: Progress): RouteAnswer => {
  progress.decided = true;
  if (E.isLeft(answer)) throw new HttpProblem(problemOfCommandError(answer.left), replayed ? replayedHeaders : {});
  return { id: answer.right.streamId.slice(commandRoute.aggregateType.length + 1), result: answer.right, replayed };
};

const decideRoute = async (deps: HandleDeps, commandRoute: CommandRoute, ctx: RouteContext, progress: Progress): Promise<RouteAnswer> => {
  const { principal, correlationId, traceparent } = ctx.state;
  const actor = requireActor(principal, commandRoute.roles);
  const key = idempotencyKeyOf(ctx);
  const body = await readJsonBody(ctx, { limit: commandRoute.bodyLimit ?? deps.bodyLimit ?? 256 * 1024, emptyAsObject: true });
  if (!isObject(body)) throw new HttpProblem(problems.invalidRequest([{ pointer: '#', detail: 'must be a JSON object' }]));
  const raw = withDriver(
    commandRoute,
    withClient(commandRoute, withGeneratedId(commandRoute, dataOf(commandRoute, body, ctx.params), principal, key), actor),
    actor,
  );
  // Keys are scoped to their principal: two clients choosing the same key never meet, nor learn of each other.
  const request: RequestIdentity | undefined =
    key === undefined
      ? undefined
      : { requestId: `${principal.id}/${key}`, fingerprint: fingerprintOf({ method: ctx.method, path: ctx.path, body }) };
  const selection = commandRoute.selection;
  if (selection !== undefined && raw[selection.field] !== undefined) {
    // A retry gets the first answer: the selection is not resolved again from read models that moved on since.
    const replay = request === undefined ? undefined : await recordedAnswer(deps.store, request);
    if (replay !== undefined) return answerOf(commandRoute, replay, progress);
  }
  const data = selection !== undefined && raw[selection.field] !== undefined ? await selection.resolve(raw, deps.edge.lists) : raw;
  const { id, answer: answered } = accepted(commandRoute, data, (deps.now ?? (() => new Date()))());
  if (request !== undefined) claimOrRefuse(deps.inFlight, request);
  try {
    await passEdgeCheck(deps, commandRoute, data, request);
    const { answer, replayed } = await answered(deps, {
      actor,
      correlationId,
      causationId: key === undefined ? randomId() : uuidFromName(`${principal.id}/${key}/command`),
      // The command's span: the events it appends continue the trace from here.
      traceparent: activeTraceparent() ?? traceparent,
      ...(request && { request }),
    });
    progress.decided = true;
    if (E.isLeft(answer)) throw new HttpProblem(problemOfCommandError(answer.left), replayed ? replayedHeaders : {});
    return { id, result: answer.right, replayed };
  } finally {
    if (request !== undefined) deps.inFlight.release(request);
  }
};
