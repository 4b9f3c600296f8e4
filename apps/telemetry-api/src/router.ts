// POST /v1/telemetry: a driver app's batch of positions, decoded once and handed to the telemetry queue
// or topic. 202 means the queue holds every ping of the batch; 503 with Retry-After means it held none.
// Nothing here touches the event store: positions are not facts of the domain.
import Router from '@koa/router';
import { decodeWith, type Publisher, type Role } from '@meridian/kernel';
import { authenticate, HttpProblem, problems, readJsonBody, requireActor, type AuthState, type Principal } from '@meridian/http';
import { recordTelemetryRefusal } from '@meridian/runtime';
import * as E from 'fp-ts/lib/Either.js';
import { TelemetryBatch, type TelemetryPing } from '@meridian/vehicle';

export type TelemetryRouterDeps = {
  readonly publisher: Publisher<TelemetryPing>;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  /** The largest body accepted, in bytes (default 256 KiB: 1,000 pings of about 150 bytes, with room). */
  readonly bodyLimit?: number;
};

/**
 * Who may send pings. Any of these roles may send pings for any vehicle: tying a driver's key to the
 * vehicle it drives would need the vehicle's duty state on this path, which the firehose does without,
 * and a wrong position is corrected by the vehicle's next ping.
 */
export const telemetrySenders: readonly Role[] = ['driver', 'dispatcher', 'admin'];

export const telemetryPath = '/v1/telemetry';

const decodeBatch = decodeWith(TelemetryBatch);

const pingsOf = (body: unknown): readonly TelemetryPing[] => {
  const decoded = decodeBatch(body);
  if (E.isLeft(decoded)) throw new HttpProblem(problems.invalidRequest(decoded.left));
  return decoded.right.pings;
};

/** A full queue is a 503 with the queue's own estimate of when to come back, in whole seconds. */
const unavailable = (retryAfterSeconds: number) =>
  new HttpProblem(
    problems.unavailable('too many pings are waiting; none of this batch was accepted, send it again after Retry-After seconds'),
    {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    },
  );

const publishOrRefuse = async (publisher: Publisher<TelemetryPing>, pings: readonly TelemetryPing[]) => {
  const answer = await publisher.publish(pings);
  if (E.isRight(answer)) return;
  recordTelemetryRefusal();
  throw unavailable(answer.left.retryAfterSeconds);
};

export const telemetryRouter = (deps: TelemetryRouterDeps): Router<AuthState> => {
  const router = new Router<AuthState>();
  const limit = deps.bodyLimit ?? 256 * 1024;
  router.use(authenticate(deps.findPrincipal));
  router.post(telemetryPath, async (ctx) => {
    requireActor(ctx.state.principal, telemetrySenders);
    // Full already: refuse before reading and decoding a body that could not be taken anyway.
    const full = deps.publisher.saturated?.();
    if (full !== undefined) {
      recordTelemetryRefusal();
      throw unavailable(full.retryAfterSeconds);
    }
    const pings = pingsOf(await readJsonBody(ctx, { limit }));
    await publishOrRefuse(deps.publisher, pings);
    ctx.status = 202;
    ctx.body = { accepted: pings.length };
  });
  return router;
};
