// The endpoints API over real HTTP: create (the secret shown once, stored only sealed), list, read,
// update, delete, rotate; who sees what; what is refused and where.
import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { webhookDeliveries, webhookEndpoints } from '@meridian/webhooks';
import {
  deliveryDocument,
  endpointBody,
  keys,
  startWebhookApi,
  storedEndpoint,
  write,
  type ProblemBody,
  type Response,
  type TestApi,
} from './test-fixtures.ts';
import type { DeliveryView, EndpointView } from './views.ts';

type Created = { readonly endpoint: EndpointView; readonly secret: string };
type Page = { readonly items: readonly EndpointView[]; readonly next: string | null };

const withApi =
  (run: (api: TestApi, t: ExecutionContext) => Promise<void>, policy?: { allowHttp: boolean; allow: string[] }) =>
  async (t: ExecutionContext) => {
    const api = await startWebhookApi(policy === undefined ? {} : { policy });
    try {
      await run(api, t);
    } finally {
      await api.close();
    }
  };

const create = async (api: TestApi, key: string, overrides: Record<string, unknown> = {}): Promise<Created> => {
  const response = await api.call('POST', '/v1/webhooks/endpoints', key, endpointBody(overrides));
  if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as Created;
};

const problemOf = (t: ExecutionContext, response: Response, status: number): ProblemBody => {
  t.is(response.status, status, JSON.stringify(response.body));
  t.is(response.headers.get('content-type'), 'application/problem+json');
  return response.body as ProblemBody;
};

const pointers = (problem: ProblemBody) => (problem.errors ?? []).map((e) => e.pointer);

test(
  'creating answers 201 with the secret once; the store holds it only sealed',
  withApi(async (api, t) => {
    const response = await api.call(
      'POST',
      '/v1/webhooks/endpoints',
      keys.acme,
      endpointBody({ eventTypes: ['parcel.delivered.v1', 'parcel.delivery-attempt-failed.v1'] }),
    );
    t.is(response.status, 201);
    t.is(response.headers.get('cache-control'), 'no-store');
    const { endpoint, secret } = response.body as Created;
    t.regex(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    t.is(response.headers.get('location'), `/v1/webhooks/endpoints/${endpoint.endpointId}`);
    t.like(endpoint, {
      clientId: 'acme',
      url: 'https://hooks.example.com/meridian',
      enabled: true,
      disabledReason: null,
      description: 'order updates',
      createdBy: 'acme-shop',
      previousSecret: null,
    });
    t.deepEqual(endpoint.eventTypes, ['parcel.delivered.v1', 'parcel.delivery-attempt-failed.v1']);
    t.is(endpoint.secret.fingerprint, createHash('sha256').update(secret).digest('hex').slice(-4));

    const raw = JSON.stringify(await api.documents.get(webhookEndpoints.name, endpoint.endpointId));
    const secretBytes = secret.slice('whsec_'.length);
    t.false(raw.includes(secretBytes), 'the plaintext is nowhere in the stored document');
    t.false(raw.includes(Buffer.from(secretBytes, 'base64').toString('hex')));
    const stored = await storedEndpoint(api.documents, endpoint.endpointId);
    t.is(api.secrets.open(stored!.secret), secret, 'what is stored is the secret, sealed');

    const read = await api.call('GET', `/v1/webhooks/endpoints/${endpoint.endpointId}`, keys.acme);
    t.is(read.status, 200);
    t.false(JSON.stringify(read.body).includes(secretBytes), 'never shown again');
    t.deepEqual(read.body, endpoint);
  }),
);

test(
  'endpoints are listed newest first and paged, read, updated and deleted',
  withApi(async (api, t) => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      api.clock.now = new Date(Date.parse('2026-11-21T09:00:00Z') + n * 1000);
      ids.push((await create(api, keys.acme, { description: `hook ${n}` })).endpoint.endpointId);
    }
    await create(api, keys.globex);
    const first = (await api.call('GET', '/v1/webhooks/endpoints?limit=2', keys.acme)).body as Page;
    t.deepEqual(
      first.items.map((e) => e.description),
      ['hook 3', 'hook 2'],
    );
    t.truthy(first.next);
    const second = (await api.call('GET', `/v1/webhooks/endpoints?limit=2&after=${first.next}`, keys.acme)).body as Page;
    t.deepEqual(
      second.items.map((e) => e.description),
      ['hook 1'],
    );
    t.is(second.next, null);

    const changed = await api.call('PATCH', `/v1/webhooks/endpoints/${ids[0]}`, keys.acme, {
      url: 'https://other.example.com/in',
      eventTypes: ['parcel.cancelled.v1'],
      description: null,
      enabled: false,
    });
    t.is(changed.status, 200, JSON.stringify(changed.body));
    t.like(changed.body, {
      url: 'https://other.example.com/in',
      eventTypes: ['parcel.cancelled.v1'],
      description: null,
      enabled: false,
      disabledReason: null,
    });
    t.like(await storedEndpoint(api.documents, ids[0]!), { url: 'https://other.example.com/in', enabled: false });

    // More deliveries than one transaction of the clean-up holds, and one of another endpoint.
    const log = Array.from({ length: 1_100 }, (_, n) => deliveryDocument({ webhookId: `w-${n}`, endpointId: ids[1]! }));
    await api.documents.transact([], () => ({
      writes: [...log, deliveryDocument({ webhookId: 'kept', endpointId: ids[2]! })].map((d) => ({
        collection: webhookDeliveries.name,
        id: d.webhookId,
        document: d,
      })),
      result: undefined,
    }));
    const deleted = await api.call('DELETE', `/v1/webhooks/endpoints/${ids[1]}`, keys.acme);
    t.is(deleted.status, 204);
    t.is((await api.call('GET', `/v1/webhooks/endpoints/${ids[1]}`, keys.acme)).status, 404);
    const left = await api.documents.query(webhookDeliveries.name, { limit: 10 });
    t.deepEqual(
      left.documents.map((d) => d.id),
      ['kept'],
      'its delivery log goes with it, and only its own',
    );
    t.is((await api.call('DELETE', `/v1/webhooks/endpoints/${ids[1]}`, keys.acme)).status, 404);
  }),
);

test(
  're-enabling an endpoint the platform disabled clears the reason and the failing streak',
  withApi(async (api, t) => {
    const { endpoint } = await create(api, keys.acme);
    const stored = await storedEndpoint(api.documents, endpoint.endpointId);
    await write(api.documents, webhookEndpoints.name, endpoint.endpointId, {
      ...stored,
      enabled: false,
      disabledReason: 'the endpoint answered 410 Gone',
      failingSince: '2026-11-18T00:00:00.000Z',
    });
    const disabled = (await api.call('GET', `/v1/webhooks/endpoints/${endpoint.endpointId}`, keys.acme)).body as EndpointView;
    t.like(disabled, { enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
    const test = problemOf(t, await api.call('POST', `/v1/webhooks/endpoints/${endpoint.endpointId}/test`, keys.acme), 409);
    t.is(test.type, '/problems/endpoint-disabled');
    const enabled = await api.call('PATCH', `/v1/webhooks/endpoints/${endpoint.endpointId}`, keys.acme, { enabled: true });
    t.like(enabled.body, { enabled: true, disabledReason: null, failingSince: null });
  }),
);

test(
  'a client sees and changes only its own endpoints; an admin all, creating for a named client',
  withApi(async (api, t) => {
    const { endpoint } = await create(api, keys.acme);
    const path = `/v1/webhooks/endpoints/${endpoint.endpointId}`;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { enabled: false }],
      ['DELETE', '', undefined],
      ['POST', '/secret/rotate', undefined],
      ['POST', '/test', undefined],
      ['GET', '/deliveries', undefined],
      ['POST', '/replay', { fromPosition: 0 }],
    ] as const)
      problemOf(t, await api.call(method, `${path}${suffix}`, keys.globex, body), 404);
    t.deepEqual(((await api.call('GET', '/v1/webhooks/endpoints', keys.globex)).body as Page).items, []);
    t.like(await storedEndpoint(api.documents, endpoint.endpointId), { enabled: true }, 'nothing changed');

    problemOf(t, await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ clientId: 'globex' })), 403);
    problemOf(t, await api.call('GET', '/v1/webhooks/endpoints?clientId=globex', keys.acme), 403);
    t.is((await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ clientId: 'acme' }))).status, 201);

    const noClient = problemOf(t, await api.call('POST', '/v1/webhooks/endpoints', keys.admin, endpointBody()), 400);
    t.deepEqual(pointers(noClient), ['#/clientId']);
    const forGlobex = await create(api, keys.admin, { clientId: 'globex' });
    t.like(forGlobex.endpoint, { clientId: 'globex', createdBy: 'admin-1' });
    t.is(((await api.call('GET', '/v1/webhooks/endpoints', keys.admin)).body as Page).items.length, 3);
    t.deepEqual(
      ((await api.call('GET', '/v1/webhooks/endpoints?clientId=globex', keys.admin)).body as Page).items.map((e) => e.clientId),
      ['globex'],
    );
    t.is((await api.call('GET', path, keys.admin)).status, 200);
    t.is((await api.call('PATCH', path, keys.admin, { description: 'checked by support' })).status, 200);

    problemOf(t, await api.call('GET', '/v1/webhooks/endpoints', keys.dispatcher), 403);
    problemOf(t, await api.call('POST', '/v1/webhooks/endpoints', keys.dispatcher, endpointBody({ clientId: 'acme' })), 403);
    const anonymous = await fetch(`${api.url}/v1/webhooks/endpoints`);
    t.is(anonymous.status, 401);
    t.is(anonymous.headers.get('www-authenticate'), 'Bearer realm="meridian"');
  }),
);

test(
  'URLs that resolve inside, plain http, and non-URLs are refused at #/url, saying why',
  withApi(async (api, t) => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data',
      'http://hooks.example.com/in',
      'not a url',
      'https://db.internal/hook',
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://user:pw@hooks.example.com/',
    ]) {
      const refused = problemOf(t, await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ url })), 400);
      t.deepEqual(pointers(refused), ['#/url'], url);
      t.true((refused.errors?.[0]?.detail.length ?? 0) > 5, url);
    }
    const linkLocal = (await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ url: 'https://169.254.169.254/' })))
      .body as ProblemBody;
    t.regex(linkLocal.errors?.[0]?.detail ?? '', /link-local|metadata/i);

    const { endpoint } = await create(api, keys.acme);
    const moved = problemOf(
      t,
      await api.call('PATCH', `/v1/webhooks/endpoints/${endpoint.endpointId}`, keys.acme, { url: 'https://10.0.0.8/hook' }),
      400,
    );
    t.deepEqual(pointers(moved), ['#/url']);
    t.is((await storedEndpoint(api.documents, endpoint.endpointId))?.url, endpoint.url, 'a refused change changes nothing');
    t.is((await api.documents.query(webhookEndpoints.name, { limit: 10 })).documents.length, 1, 'nothing was created by the refusals');
  }),
);

test(
  'development: http and allowed internal addresses pass',
  withApi(
    async (api, t) => {
      const local = await create(api, keys.acme, { url: 'http://127.0.0.1:9000/hooks' });
      t.is(local.endpoint.url, 'http://127.0.0.1:9000/hooks');
      problemOf(t, await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ url: 'http://169.254.169.254/' })), 400);
    },
    { allowHttp: true, allow: ['127.0.0.1/32'] },
  ),
);

test(
  'event types are ["*"] or known parcel event types; unknown fields are refused',
  withApi(async (api, t) => {
    const unknown = problemOf(
      t,
      await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ eventTypes: ['parcel.teleported.v1'] })),
      400,
    );
    t.deepEqual(pointers(unknown), ['#/eventTypes/0']);
    const second = problemOf(
      t,
      await api.call(
        'POST',
        '/v1/webhooks/endpoints',
        keys.acme,
        endpointBody({ eventTypes: ['parcel.delivered.v1', 'route.started.v1'] }),
      ),
      400,
    );
    t.deepEqual(pointers(second), ['#/eventTypes/1']);
    t.deepEqual(
      pointers(problemOf(t, await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ eventTypes: [] })), 400)),
      ['#/eventTypes'],
    );
    t.deepEqual(
      pointers(
        problemOf(
          t,
          await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ eventTypes: ['*', 'parcel.delivered.v1'] })),
          400,
        ),
      ),
      ['#/eventTypes'],
    );
    const several = problemOf(t, await api.call('POST', '/v1/webhooks/endpoints', keys.acme, { url: 42, colour: 'red' }), 400);
    t.deepEqual(pointers(several).toSorted(), ['#/colour', '#/eventTypes', '#/url']);
    t.is(problemOf(t, await api.call('POST', '/v1/webhooks/endpoints', keys.acme, '{"url":'), 400).type, '/problems/malformed-json');
    const deduplicated = await create(api, keys.acme, { eventTypes: ['parcel.delivered.v1', 'parcel.delivered.v1'] });
    t.deepEqual(deduplicated.endpoint.eventTypes, ['parcel.delivered.v1']);
    problemOf(t, await api.call('GET', '/v1/webhooks/endpoints/bad%20id', keys.acme), 400);
  }),
);

test(
  'rotating answers a new secret; the previous stays valid for the grace period, sealed too',
  withApi(async (api, t) => {
    const { endpoint, secret: first } = await create(api, keys.acme);
    api.clock.now = new Date('2026-11-21T10:00:00.000Z');
    const rotated = await api.call('POST', `/v1/webhooks/endpoints/${endpoint.endpointId}/secret/rotate`, keys.acme);
    t.is(rotated.status, 200, JSON.stringify(rotated.body));
    t.is(rotated.headers.get('cache-control'), 'no-store');
    const { endpoint: view, secret: second } = rotated.body as Created;
    t.not(second, first);
    t.regex(second, /^whsec_/);
    t.like(view.previousSecret, {
      expiresAt: '2026-11-22T10:00:00.000Z',
      fingerprint: createHash('sha256').update(first).digest('hex').slice(-4),
    });
    t.is(view.secret.fingerprint, createHash('sha256').update(second).digest('hex').slice(-4));
    const stored = await storedEndpoint(api.documents, endpoint.endpointId);
    t.is(api.secrets.open(stored!.secret), second);
    t.is(api.secrets.open(stored!.previousSecret!), first, 'the dispatcher signs with both meanwhile');
    t.is(stored!.previousSecret!.expiresAt, '2026-11-22T10:00:00.000Z');
    const raw = JSON.stringify(stored);
    t.false(raw.includes(first.slice(6)) || raw.includes(second.slice(6)));

    api.clock.now = new Date('2026-11-22T10:00:01.000Z');
    t.is(
      ((await api.call('GET', `/v1/webhooks/endpoints/${endpoint.endpointId}`, keys.acme)).body as EndpointView).previousSecret,
      null,
      'an expired previous secret is not shown',
    );

    const leaked = await api.call('POST', `/v1/webhooks/endpoints/${endpoint.endpointId}/secret/rotate`, keys.acme, {
      gracePeriodSeconds: 0,
    });
    t.is((leaked.body as Created).endpoint.previousSecret, null, 'a leaked secret can be ended at once');
    t.is((await storedEndpoint(api.documents, endpoint.endpointId))?.previousSecret, null);
    problemOf(
      t,
      await api.call('POST', `/v1/webhooks/endpoints/${endpoint.endpointId}/secret/rotate`, keys.acme, { gracePeriodSeconds: -1 }),
      400,
    );
  }),
);

test(
  'a test event is queued for the delivery loop and answered 202',
  withApi(async (api, t) => {
    const { endpoint } = await create(api, keys.acme);
    const response = await api.call('POST', `/v1/webhooks/endpoints/${endpoint.endpointId}/test`, keys.acme);
    t.is(response.status, 202, JSON.stringify(response.body));
    const queued = response.body as DeliveryView;
    t.like(queued, {
      endpointId: endpoint.endpointId,
      eventType: 'webhook.test.v1',
      status: 'pending',
      attemptCount: 0,
      payload: { type: 'meridian.webhook.test.v1' },
    });
    t.is(response.headers.get('location'), `/v1/webhooks/endpoints/${endpoint.endpointId}/deliveries/${queued.webhookId}`);
    t.like(
      await api.documents.get(webhookDeliveries.name, queued.webhookId),
      { endpointId: endpoint.endpointId, status: 'pending' },
      'the delivery loop finds it in the store',
    );
    t.is((await api.call('GET', `/v1/webhooks/endpoints/${endpoint.endpointId}/deliveries/${queued.webhookId}`, keys.acme)).status, 200);
    problemOf(t, await api.call('POST', `/v1/webhooks/endpoints/${endpoint.endpointId}/test`, keys.acme, { extra: true }), 400);
  }),
);
