// The delivery log over real HTTP: every attempt, newest first, paged and filtered; one delivery with its
// CloudEvent; redelivery and replay handed to the dispatcher's operations.
import test, { type ExecutionContext } from 'ava';
import { webhookDeliveries, type DeliveryDocument } from '@meridian/webhooks';
import { appendParcelEvents } from '../testing/harness.ts';
import { deliveryDocument, endpointBody, keys, startWebhookApi, write, type ProblemBody, type TestApi } from './test-fixtures.ts';
import type { DeliverySummary, DeliveryView, EndpointView } from './views.ts';

type Page = { readonly items: readonly DeliverySummary[]; readonly next: string | null };

const withApi = (run: (api: TestApi, t: ExecutionContext) => Promise<void>) => async (t: ExecutionContext) => {
  const api = await startWebhookApi();
  try {
    await run(api, t);
  } finally {
    await api.close();
  }
};

const createEndpoint = async (api: TestApi, key: string = keys.acme): Promise<string> => {
  const response = await api.call('POST', '/v1/webhooks/endpoints', key, endpointBody());
  return (response.body as { endpoint: EndpointView }).endpoint.endpointId;
};

const minute = (n: number) => new Date(Date.parse('2026-11-21T08:00:00Z') + n * 60_000).toISOString();

/** Five deliveries of one endpoint (d0 oldest) and one of another. */
const seed = async (api: TestApi, endpointId: string, otherEndpointId: string): Promise<DeliveryDocument[]> => {
  const deliveries = [
    deliveryDocument({ webhookId: 'd0', endpointId, status: 'delivered', eventType: 'parcel.registered.v1', createdAt: minute(0) }),
    deliveryDocument({
      webhookId: 'd1',
      endpointId,
      status: 'dead',
      createdAt: minute(1),
      attempts: [
        { attempt: 1, at: minute(1), statusCode: 500, latencyMs: 120, error: 'HTTP 500', responseExcerpt: 'boom' },
        { attempt: 2, at: minute(2), statusCode: null, latencyMs: 15_000, error: 'timed out after 15000 ms', responseExcerpt: null },
      ],
    }),
    deliveryDocument({ webhookId: 'd2', endpointId, status: 'pending', createdAt: minute(2), attempts: [], nextAttemptAt: minute(3) }),
    deliveryDocument({
      webhookId: 'd3',
      endpointId,
      status: 'delivering',
      eventType: 'parcel.cancelled.v1',
      createdAt: minute(3),
      attempts: [],
    }),
    deliveryDocument({ webhookId: 'd4', endpointId, status: 'delivered', createdAt: minute(4) }),
    deliveryDocument({ webhookId: 'x0', endpointId: otherEndpointId, createdAt: minute(5) }),
  ];
  for (const delivery of deliveries) await write(api.documents, webhookDeliveries.name, delivery.webhookId, delivery);
  return deliveries;
};

const list = async (api: TestApi, endpointId: string, query = '', key: string = keys.acme) => {
  const response = await api.call('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries${query}`, key);
  if (response.status !== 200) throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
  return response.body as Page;
};

const ids = (page: Page) => page.items.map((d) => d.webhookId);

test(
  'the delivery log lists every attempt, newest first, paged',
  withApi(async (api, t) => {
    const endpointId = await createEndpoint(api);
    await seed(api, endpointId, await createEndpoint(api));
    const all = await list(api, endpointId);
    t.deepEqual(ids(all), ['d4', 'd3', 'd2', 'd1', 'd0']);
    t.is(all.next, null);
    const dead = all.items.find((d) => d.webhookId === 'd1');
    t.like(dead, { status: 'dead', attemptCount: 2, eventType: 'parcel.delivered.v1' });
    t.deepEqual(
      dead?.attempts.map((a) => [a.at, a.statusCode, a.latencyMs, a.error]),
      [
        [minute(1), 500, 120, 'HTTP 500'],
        [minute(2), null, 15_000, 'timed out after 15000 ms'],
      ],
    );
    t.false('body' in (dead ?? {}), 'a listing leaves the payloads out');

    const pages: string[][] = [];
    let after: string | null = null;
    do {
      const page: Page = await list(api, endpointId, `?limit=2${after === null ? '' : `&after=${after}`}`);
      pages.push(ids(page));
      after = page.next;
    } while (after !== null);
    t.deepEqual(pages, [['d4', 'd3'], ['d2', 'd1'], ['d0']]);
  }),
);

test(
  'the delivery log filters by status and event type',
  withApi(async (api, t) => {
    const endpointId = await createEndpoint(api);
    await seed(api, endpointId, await createEndpoint(api));
    t.deepEqual(ids(await list(api, endpointId, '?status=dead')), ['d1']);
    t.deepEqual(ids(await list(api, endpointId, '?status=pending,delivering')), ['d3', 'd2']);
    t.deepEqual(ids(await list(api, endpointId, '?status=delivered&status=dead')), ['d4', 'd1', 'd0']);
    t.deepEqual(ids(await list(api, endpointId, '?eventType=parcel.cancelled.v1')), ['d3']);
    t.deepEqual(ids(await list(api, endpointId, '?eventType=parcel.delivered.v1&status=delivered')), ['d4']);
    t.deepEqual(ids(await list(api, endpointId, '?eventType=parcel.delivered.v1&status=delivered,dead&limit=1')), ['d4']);
    for (const [query, parameter] of [
      ['?status=lost', 'status'],
      ['?eventType=DROP%20TABLE', 'eventType'],
      ['?limit=0', 'limit'],
      ['?after=not-a-cursor', 'after'],
    ] as const) {
      const response = await api.call('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries${query}`, keys.acme);
      t.is(response.status, 400, query);
      t.like((response.body as ProblemBody).errors, [{ parameter, in: 'query' }], query);
      t.false(JSON.stringify(response.body).includes('pointer'), 'a parameter is named, not pointed at in a body');
    }
    const badId = await api.call('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries/${'x'.repeat(65)}`, keys.acme);
    t.like(badId.body, { status: 400, errors: [{ parameter: 'webhookId', in: 'path' }] });
  }),
);

test(
  "one delivery shows its CloudEvent; another endpoint's delivery is not found",
  withApi(async (api, t) => {
    const endpointId = await createEndpoint(api);
    const otherId = await createEndpoint(api);
    await seed(api, endpointId, otherId);
    const one = await api.call('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries/d1`, keys.acme);
    t.is(one.status, 200);
    t.like(one.body, { webhookId: 'd1', status: 'dead', payload: { specversion: '1.0', type: 'parcel.delivered.v1' } });
    t.is((await api.call('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries/x0`, keys.acme)).status, 404);
    t.is((await api.call('GET', `/v1/webhooks/endpoints/${otherId}/deliveries/x0`, keys.acme)).status, 200);
    t.is(
      (await api.call('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries/d1`, keys.globex)).status,
      404,
      'nor is a delivery of another client',
    );
    t.is((await api.call('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries/d1`, keys.admin)).status, 200);
  }),
);

const stored = async (api: TestApi, webhookId: string) =>
  (await api.documents.get(webhookDeliveries.name, webhookId)) as DeliveryDocument | undefined;

test(
  'redelivering makes a dead or delivered message due again, with the same webhook-id',
  withApi(async (api, t) => {
    const endpointId = await createEndpoint(api);
    await seed(api, endpointId, await createEndpoint(api));
    api.clock.now = new Date('2026-11-21T10:00:00.000Z');
    const again = await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/deliveries/d1/redeliver`, keys.acme);
    t.is(again.status, 202, JSON.stringify(again.body));
    t.like(again.body as DeliveryView, { webhookId: 'd1', status: 'pending', nextAttemptAt: '2026-11-21T10:00:00.000Z', attemptCount: 2 });
    t.like(
      await stored(api, 'd1'),
      { status: 'pending', nextAttemptAt: '2026-11-21T10:00:00.000Z', deadReason: null, roundStart: 2 },
      'a new round of the schedule',
    );
    const onItsWay = await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/deliveries/d2/redeliver`, keys.acme);
    t.is(onItsWay.status, 202);
    t.like(onItsWay.body, { webhookId: 'd2', status: 'pending', nextAttemptAt: minute(3) }, 'a pending one is on its way already');

    t.is(
      (await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/deliveries/x0/redeliver`, keys.acme)).status,
      404,
      "another endpoint's delivery",
    );
    t.is((await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/deliveries/nope/redeliver`, keys.acme)).status, 404);
    t.is((await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/deliveries/d4/redeliver`, keys.globex)).status, 404);
    t.like(await stored(api, 'x0'), { status: 'delivered' }, 'the refused ones changed nothing');
    t.like(await stored(api, 'd4'), { status: 'delivered' });
  }),
);

test(
  "a replay queues the endpoint's events from a log position or a time, exactly one of them",
  withApi(async (api, t) => {
    const endpointId = await createEndpoint(api);
    const delivered = await createEndpoint(api);
    await api.call('PATCH', `/v1/webhooks/endpoints/${delivered}`, keys.acme, { eventTypes: ['parcel.delivered.v1'] });
    const acme = await appendParcelEvents(api.log, 'p-acme', 'acme', 5);
    await appendParcelEvents(api.log, 'p-globex', 'globex', 3);

    const all = await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/replay`, keys.acme, { fromPosition: 0 });
    t.is(all.status, 202, JSON.stringify(all.body));
    const { replayId, queued } = all.body as { replayId: string; queued: number };
    t.is(queued, 5, "only its own client's events");
    const replayed = (await list(api, endpointId, '?limit=50')).items.filter((d) => d.replayId === replayId);
    t.deepEqual(replayed.map((d) => d.eventId).toSorted(), acme.map((e) => e.eventId).toSorted());
    t.true(replayed.every((d) => d.status === 'pending'));

    const later = await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/replay`, keys.acme, {
      fromPosition: acme[3]!.globalPosition,
    });
    t.is((later.body as { queued: number }).queued, 2, 'from a position, inclusive');
    const byTime = await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/replay`, keys.acme, { fromTime: acme[0]!.recordedAt });
    t.is((byTime.body as { queued: number }).queued, 5);
    const future = await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/replay`, keys.acme, { fromTime: '2099-01-01T00:00:00Z' });
    t.like(future.body, { queued: 0 });
    const onlyDelivered = await api.call('POST', `/v1/webhooks/endpoints/${delivered}/replay`, keys.acme, { fromPosition: 1 });
    t.like(onlyDelivered.body, { queued: 1 }, "the endpoint's event types");

    const before = (await api.documents.query(webhookDeliveries.name, { limit: 1_000 })).documents.length;
    for (const body of [
      {},
      { fromPosition: 1, fromTime: '2026-11-01T00:00:00Z' },
      { fromPosition: -1 },
      { fromTime: 'yesterday' },
      { fromPosition: 1, other: 2 },
    ]) {
      const refused = await api.call('POST', `/v1/webhooks/endpoints/${endpointId}/replay`, keys.acme, body);
      t.is(refused.status, 400, JSON.stringify(body));
    }
    t.is((await api.documents.query(webhookDeliveries.name, { limit: 1_000 })).documents.length, before, 'refused replays queue nothing');
  }),
);
