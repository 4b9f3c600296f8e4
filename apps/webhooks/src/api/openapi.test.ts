// The webhooks API's OpenAPI document, checked by independent implementations: the OpenAPI 3.1 validator,
// and ajv (JSON Schema 2020-12) checking real responses and bodies against what the document promises.
import { compileErrors, validate } from '@readme/openapi-parser';
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { webhookDeliveries } from '@meridian/webhooks';
import { allAgree, checkServedDocument } from '@meridian/http/testing';
import { webhookApiOpenApi } from './openapi.ts';
import { deliveryDocument, endpointBody, keys, startWebhookApi, write } from './test-fixtures.ts';

const document = webhookApiOpenApi();

test('the document is valid OpenAPI 3.1', async (t) => {
  const result = await validate(structuredClone(document) as never);
  t.true(result.valid, result.valid ? '' : compileErrors(result));
});

test('the document served is the app: every route it serves is described, every described operation served, and its 405s and 401s are as declared', async (t) => {
  const api = await startWebhookApi();
  try {
    t.deepEqual(await checkServedDocument(api.app), allAgree);
  } finally {
    await api.close();
  }
});

const validators = () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'meridian', components: document.components }, 'meridian');
  const schema = (name: string) => ajv.compile({ $ref: `meridian#/components/schemas/${name}` });
  const body = (path: string, method: string) => {
    const operation = document.paths[path]?.[method]?.requestBody as { content: Record<string, { schema: object }> };
    return ajv.compile(operation.content['application/json']!.schema);
  };
  return { ajv, schema, body };
};

test('real responses match the schemas the document gives them', async (t) => {
  const { schema, ajv } = validators();
  const api = await startWebhookApi();
  const check = (name: string, value: unknown) => {
    const validator = schema(name);
    t.true(validator(value), `${name}: ${JSON.stringify(validator.errors)}`);
  };
  try {
    const created = await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody());
    check('WebhookEndpointCreated', created.body);
    const endpointId = (created.body as { endpoint: { endpointId: string } }).endpoint.endpointId;
    const path = `/v1/webhooks/endpoints/${endpointId}`;
    check('WebhookSecretRotated', (await api.call('POST', `${path}/secret/rotate`, keys.acme)).body);
    check('WebhookEndpoint', (await api.call('GET', path, keys.acme)).body);
    check('WebhookDeliveryDetail', (await api.call('POST', `${path}/test`, keys.acme)).body);
    await write(api.documents, webhookDeliveries.name, 'w-1', deliveryDocument({ webhookId: 'w-1', endpointId }));
    const pageOf = (item: string) =>
      ajv.compile({
        type: 'object',
        required: ['items', 'next'],
        properties: { items: { type: 'array', items: { $ref: `meridian#/components/schemas/${item}` } } },
      });
    const deliveries = (await api.call('GET', `${path}/deliveries`, keys.acme)).body;
    t.true(pageOf('WebhookDelivery')(deliveries));
    t.true(pageOf('WebhookEndpoint')((await api.call('GET', '/v1/webhooks/endpoints', keys.admin)).body));
    check('WebhookDeliveryDetail', (await api.call('POST', `${path}/deliveries/w-1/redeliver`, keys.acme)).body);
    check('WebhookReplayQueued', (await api.call('POST', `${path}/replay`, keys.acme, { fromPosition: 1 })).body);
    for (const failure of [
      await api.call('POST', '/v1/webhooks/endpoints', keys.acme, endpointBody({ url: 'https://169.254.169.254/' })),
      await api.call('GET', '/v1/webhooks/endpoints', keys.dispatcher),
      await api.call('GET', `${path}/deliveries/nope`, keys.acme),
    ])
      check('Problem', failure.body);
  } finally {
    await api.close();
  }
});

test('the request bodies the document describes are the ones the API accepts', (t) => {
  const { body } = validators();
  const create = body('/v1/webhooks/endpoints', 'post');
  t.true(create(endpointBody()), JSON.stringify(create.errors));
  t.true(create(endpointBody({ eventTypes: ['parcel.delivered.v1'], clientId: 'acme', enabled: false, description: null })));
  t.false(create(endpointBody({ eventTypes: ['parcel.teleported.v1'] })));
  t.false(create(endpointBody({ colour: 'red' })));
  const replay = body('/v1/webhooks/endpoints/{endpointId}/replay', 'post');
  t.true(replay({ fromPosition: 3 }));
  t.true(replay({ fromTime: '2026-11-01T00:00:00Z' }));
  t.false(replay({ fromPosition: 3, fromTime: '2026-11-01T00:00:00Z' }));
  t.false(replay({}));
  const rotate = body('/v1/webhooks/endpoints/{endpointId}/secret/rotate', 'post');
  t.true(rotate({}));
  t.true(rotate({ gracePeriodSeconds: 0 }));
  t.false(rotate({ gracePeriodSeconds: 'soon' }));
});
