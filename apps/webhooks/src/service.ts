// The webhook service as parts to mount: its consumer of the event plane (the fan-out and the delivery loop,
// one unit) and its endpoints API, over the stores and bus it is given. Its own process (main.ts) and the
// all-in-one local app mount the same parts.
import type Router from '@koa/router';
import type { Principal } from '@meridian/http';
import type { DocumentStore, EventStore, Logger } from '@meridian/kernel';
import { createConsumerStatus } from '@meridian/projections';
import { webhookConsumer, type Bus, type RunnableConsumer } from '@meridian/wiring';
import type { RetrySchedule } from '@meridian/webhooks';
import { webhookRouter } from './api/router.ts';
import { createDoorbell } from './delivery/doorbell.ts';
import { runDispatcher } from './dispatcher.ts';
import { createWebhookOperations } from './operations/operations.ts';
import { checkDestination as systemCheckDestination, type CheckDestination, type DestinationPolicy } from './transport/destinations.ts';
import type { Secrets } from './transport/secrets.ts';

export type WebhookServiceDeps = {
  readonly bus: Pick<Bus, 'events' | 'holdGapsMs'>;
  readonly documents: DocumentStore;
  /** The log, read for replays and backfills (deliveries come from the bus). */
  readonly log: EventStore;
  readonly secrets: Secrets;
  readonly policy: DestinationPolicy;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
  /** Default: the dispatcher's check with the system resolver. */
  readonly checkDestination?: CheckDestination;
  /** How long a rotated-out secret stays valid (default 24 h). */
  readonly rotationGraceMs?: number;
  readonly schedule?: RetrySchedule;
  readonly timeoutMs?: number;
};

export type WebhookService = {
  readonly consumers: readonly RunnableConsumer[];
  readonly router: Router;
};

/**
 * The API's operations ring the dispatcher's doorbell, so a test event or a redelivery goes out at once
 * rather than at the next sweep.
 */
export const webhookService = (deps: WebhookServiceDeps): WebhookService => {
  const { documents, secrets, policy } = deps;
  const logger = deps.logger.child({ consumer: webhookConsumer.name });
  const checkDestination = deps.checkDestination ?? systemCheckDestination;
  const doorbell = createDoorbell();
  const status = createConsumerStatus(webhookConsumer.name);
  const dispatcher: RunnableConsumer = {
    name: webhookConsumer.name,
    status,
    run: (signal) =>
      runDispatcher({
        subscription: deps.bus.events(webhookConsumer, { onCheckpoint: status.recordCheckpoint }),
        documents,
        secrets,
        policy,
        logger,
        signal,
        doorbell,
        status,
        holdGapsMs: deps.bus.holdGapsMs,
        checkDestination,
        ...(deps.schedule !== undefined && { schedule: deps.schedule }),
        ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
      }),
  };
  const operations = createWebhookOperations({ documents, log: deps.log, logger, doorbell });
  const router = webhookRouter({
    documents,
    findPrincipal: deps.findPrincipal,
    logger: deps.logger,
    secrets,
    checkDestination,
    policy,
    operations,
    ...(deps.rotationGraceMs !== undefined && { rotationGraceMs: deps.rotationGraceMs }),
  });
  return { consumers: [dispatcher], router };
};
