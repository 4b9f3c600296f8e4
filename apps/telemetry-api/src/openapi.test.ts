// The telemetry API's description checked by independent implementations: the OpenAPI 3.1 validator, and
// ajv agreeing with the codec on which bodies are valid, and with real answers on their shape.
import { compileErrors, validate } from '@readme/openapi-parser';
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { allAgree, checkServedDocument } from '@meridian/http/testing';
import { telemetryOpenApi } from './openapi.ts';
import { keys, rawPing, startApi } from './test-fixtures.ts';

const document = telemetryOpenApi();
const operation = document.paths['/v1/telemetry']?.['post'];

const validator = () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'meridian', components: document.components }, 'meridian');
  return ajv;
};

test('the document is valid OpenAPI 3.1 and describes the route with its answers', async (t) => {
  const result = await validate(structuredClone(document) as never);
  t.true(result.valid, result.valid ? '' : compileErrors(result));
  for (const status of ['202', '400', '401', '403', '405', '413', '415', '500', '503']) t.truthy(operation?.responses[status], status);
  t.like(operation?.responses['503'], { headers: { 'Retry-After': { schema: { type: 'integer' } } } });
});

test('the document served is the app: every route it serves is described, every described operation served, and its 405s and 401s are as declared', async (t) => {
  const api = await startApi();
  try {
    t.deepEqual(await checkServedDocument(api.app), allAgree);
  } finally {
    await api.close();
  }
});

test('the request schema accepts what the API accepts and refuses what it refuses', (t) => {
  const body = operation?.requestBody as { content: Record<string, { schema: object }> };
  const validBody = validator().compile(body.content['application/json']!.schema);
  t.true(validBody({ pings: [rawPing('v-1'), rawPing('v-2', 1, { heading: 0, speed: 300 })] }), JSON.stringify(validBody.errors));
  t.false(validBody({ pings: [] }));
  t.false(validBody({ pings: [rawPing('v-1', 0, { heading: 360 })] }));
  t.false(validBody({ pings: [rawPing('v-1', 0, { altitude: 3 })] }));
  t.false(validBody({ pings: [rawPing('v-1')], more: true }));
});

test('real answers match the schemas the document gives them', async (t) => {
  const ajv = validator();
  const problem = ajv.compile({ $ref: 'meridian#/components/schemas/Problem' });
  const accepted = ajv.compile(
    (operation?.responses['202'] as { content: Record<string, { schema: object }> }).content['application/json']!.schema,
  );
  const api = await startApi({ capacity: 2 });
  try {
    const invalid = [
      await api.post({ pings: [{}] }),
      await api.post({ pings: [rawPing('v-1')] }, { key: keys.auditor }),
      await api.post('{'),
    ];
    t.true(accepted((await api.post({ pings: [rawPing('v-1'), rawPing('v-2')] })).body), JSON.stringify(accepted.errors));
    // The queue is full now: refused before the body is even read.
    const failures = [...invalid, await api.post({ pings: [rawPing('v-1')] })];
    t.deepEqual(
      failures.map((f) => f.status),
      [400, 403, 400, 503],
    );
    for (const failure of failures) t.true(problem(failure.body), JSON.stringify(problem.errors));
  } finally {
    await api.close();
  }
});
