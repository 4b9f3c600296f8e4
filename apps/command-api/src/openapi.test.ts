// The OpenAPI document checked by independent implementations: the OpenAPI 3.1 schema validator, and
// ajv (JSON Schema 2020-12) checking that real responses match what the document promises.
import { compileErrors, validate } from '@readme/openapi-parser';
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import { allAgree, checkServedDocument } from '@meridian/http/testing';
import { commandApiOpenApi } from './openapi.ts';
import { commandRoutes } from './routes.ts';
import { keys, parcelBody, startApi } from './test-fixtures.ts';

const document = commandApiOpenApi();

test('the document is valid OpenAPI 3.1', async (t) => {
  const result = await validate(structuredClone(document) as never);
  t.true(result.valid, result.valid ? '' : compileErrors(result));
});

test('the document served is the app: every route it serves is described, every described operation served, and its 405s and 401s are as declared', async (t) => {
  const api = await startApi();
  try {
    t.deepEqual(await checkServedDocument(api.app), allAgree);
  } finally {
    await api.close();
  }
});

test('every command route is described with its body, headers and error responses', (t) => {
  for (const route of commandRoutes) {
    const operation = document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.['post'];
    t.truthy(operation, route.path);
    t.truthy(operation?.requestBody, route.path);
    t.truthy(operation?.responses['202'], route.path);
    for (const status of ['400', '401', '403', '405', '409', '413', '415', '422', '500'])
      t.truthy(operation?.responses[status], `${route.path} ${status}`);
    // A creation cannot find its stream missing; every other command can.
    t.is(operation?.responses['404'] !== undefined, route.generatesId === undefined, `${route.path} 404`);
  }
});

const schemaValidator = () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'meridian', components: document.components }, 'meridian');
  const ref = (pointer: string) => ajv.compile({ $ref: `meridian#${pointer}` });
  return { problem: ref('/components/schemas/Problem'), accepted: ref('/components/schemas/CommandAccepted') };
};

test('real responses match the schemas the document gives them', async (t) => {
  const validators = schemaValidator();
  const api = await startApi();
  try {
    const accepted = await api.post('/v1/parcels', parcelBody({ parcelId: `p-${randomUUID()}` }));
    t.true(validators.accepted(accepted.body), JSON.stringify(validators.accepted.errors));
    const failures = [
      await api.post('/v1/parcels', { nope: true }),
      await api.post('/v1/parcels', parcelBody(), { key: keys.driver }),
      await api.post('/v1/parcels/unknown/load', { vehicleId: 'v-1' }),
      await api.post('/v1/parcels', '{'),
    ];
    for (const failure of failures) t.true(validators.problem(failure.body), JSON.stringify(validators.problem.errors));
  } finally {
    await api.close();
  }
});

test('request bodies that the document accepts are accepted by the API, and its examples of invalid ones refused', (t) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const register = document.paths['/v1/parcels']?.['post']?.requestBody as { content: Record<string, { schema: object }> };
  const validateBody = ajv.compile(register.content['application/json']!.schema);
  t.true(validateBody(parcelBody()), JSON.stringify(validateBody.errors));
  t.false(validateBody(parcelBody({ weightKg: -1 })));
  t.false(validateBody(parcelBody({ extra: 1 })), 'additional properties are refused by the schema as by the API');
});
