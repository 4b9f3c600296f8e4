// Composing documents: by path and method, so a command and a query on one path both survive; a real
// clash refused; and the answers of the shared HTTP layer declared on every operation.
import test from 'ava';
import { openApiDocument } from './openapi.ts';
import { mergeOpenApiParts, OpenApiClash, type OpenApiOperation } from './openapi-merge.ts';

const operation = (operationId: string, extra: Partial<OpenApiOperation> = {}): OpenApiOperation => ({
  operationId,
  summary: operationId,
  responses: { '200': { description: 'OK' } },
  ...extra,
});

test('operations on one path from different parts are merged by method, none replacing another', (t) => {
  const { paths } = mergeOpenApiParts([
    { paths: { '/v1/parcels': { post: operation('registerParcel') }, '/v1/parcels/{parcelId}/load': { post: operation('loadParcel') } } },
    { paths: { '/v1/parcels': { get: operation('listParcels') } } },
  ]);
  t.deepEqual(Object.keys(paths['/v1/parcels'] ?? {}).sort(), ['get', 'post']);
  t.is(paths['/v1/parcels']?.['post']?.operationId, 'registerParcel');
  t.truthy(paths['/v1/parcels/{parcelId}/load']?.['post']);
});

test('the same operation from two parts is kept once; two different ones for one method and path are refused', (t) => {
  const health = { '/healthz': { get: operation('health') } };
  t.deepEqual(Object.keys(mergeOpenApiParts([{ paths: health }, { paths: health }]).paths), ['/healthz']);
  const clash = t.throws(() =>
    mergeOpenApiParts([
      { paths: { '/v1/parcels': { get: operation('listParcels') } } },
      { paths: { '/v1/parcels': { get: operation('searchParcels') } } },
    ]),
  );
  t.true(clash instanceof OpenApiClash);
  t.regex(clash?.message ?? '', /GET \/v1\/parcels is described twice/);
});

test('schemas are merged by name the same way, and an operationId names one operation only', (t) => {
  t.deepEqual(
    mergeOpenApiParts([
      { paths: {}, schemas: { A: { type: 'string' } } },
      { paths: {}, schemas: { A: { type: 'string' }, B: { type: 'integer' } } },
    ]).schemas,
    {
      A: { type: 'string' },
      B: { type: 'integer' },
    },
  );
  t.throws(
    () =>
      mergeOpenApiParts([
        { paths: {}, schemas: { A: { type: 'string' } } },
        { paths: {}, schemas: { A: { type: 'integer' } } },
      ]),
    { message: /schema A/ },
  );
  t.throws(() => mergeOpenApiParts([{ paths: { '/a': { get: operation('read') } } }, { paths: { '/b': { get: operation('read') } } }]), {
    message: /operationId read names both GET \/a and GET \/b/,
  });
  t.throws(
    () => openApiDocument({ title: 't', version: '1', description: 'd', parts: [{ paths: {}, schemas: { Problem: { type: 'string' } } }] }),
    { instanceOf: OpenApiClash },
  );
});

test('every operation declares what the shared HTTP layer answers: 405 with Allow, 500, 401 when it needs a key, 400/413/415 when it reads a body', (t) => {
  const document = openApiDocument({
    title: 't',
    version: '1',
    description: 'd',
    parts: [
      {
        paths: {
          '/open': { get: operation('open', { security: [] }) },
          '/things': {
            post: operation('create', {
              requestBody: { content: {} },
              responses: { '201': { description: 'Created' }, '413': { description: 'over 1 MiB' } },
            }),
          },
        },
      },
    ],
  });
  const open = document.paths['/open']?.['get']?.responses ?? {};
  const create = document.paths['/things']?.['post']?.responses ?? {};
  t.deepEqual(Object.keys(open), ['200', '405', '500']);
  t.deepEqual(Object.keys(create), ['201', '400', '401', '405', '413', '415', '500']);
  t.like(create['405'], { headers: { Allow: { schema: { type: 'string' } } } });
  t.like(create['401'], { headers: { 'WWW-Authenticate': { schema: { type: 'string' } } } });
  t.like(create['413'], { description: 'over 1 MiB' }, 'what the operation says itself wins');
});
