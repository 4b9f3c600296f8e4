// The webhook documents read and written typed: what was written reads back as its type, and a stored
// document that is not one (a store edited by hand, a bug) is refused loudly, naming where, never used.
import { createInMemoryDocumentStore } from '@meridian/kernel/testing';
import { webhookEndpoints } from '@meridian/webhooks';
import { anEndpoint } from '@meridian/webhooks/testing';
import test from 'ava';
import { endpointStore } from './endpoint-store.ts';
import { keyIn, readIn, writeIn } from './documents.ts';

test('an endpoint written is read back as written, in a transaction and out of one', async (t) => {
  const documents = createInMemoryDocumentStore();
  const endpoint = anEndpoint('e-1');
  await documents.transact([], () => ({ writes: [writeIn(webhookEndpoints, 'e-1', endpoint)], result: undefined }));
  t.deepEqual(
    await documents.transact([keyIn(webhookEndpoints, 'e-1')], (current) => ({
      writes: [],
      result: readIn(webhookEndpoints, current, 'e-1'),
    })),
    endpoint,
  );
  t.deepEqual(await endpointStore(documents).read({ kind: 'all' }, 'e-1'), endpoint);
  t.is(await endpointStore(documents).read({ kind: 'own', clientId: 'globex' }, 'e-1'), undefined, "another client's is absent");
});

test('a stored endpoint that is not one is refused with its collection, id and field', async (t) => {
  const documents = createInMemoryDocumentStore();
  await documents.transact([], () => ({
    writes: [{ ...keyIn(webhookEndpoints, 'e-1'), document: { ...anEndpoint('e-1'), eventTypes: 'all' } }],
    result: undefined,
  }));
  await t.throwsAsync(() => endpointStore(documents).read({ kind: 'all' }, 'e-1'), { message: /^webhook-endpoints\/e-1 .*#\/eventTypes/ });
  await t.throwsAsync(
    () =>
      documents.transact([keyIn(webhookEndpoints, 'e-1')], (current) => ({ writes: [], result: readIn(webhookEndpoints, current, 'e-1') })),
    { message: /#\/eventTypes/ },
  );
});
