// The HTTP adapter against a fake provider this test starts: the contract, then what it makes of the
// provider's failures (a timeout, a 5xx, a bad credential: transient, thrown) and refusals.
import { constantOf, PhoneNumber } from '@meridian/kernel';
import { smsGatewayContract } from '@meridian/kernel/testing';
import test from 'ava';
import { createHttpSmsGateway } from './http.ts';
import { startFakeProvider } from './testing/fake-provider.ts';

const token = 'test-token-0001';
const to = constantOf(PhoneNumber, '+31612345678');

smsGatewayContract(test, {
  name: 'HTTP',
  open: async () => {
    const provider = await startFakeProvider({ token });
    return {
      gateway: createHttpSmsGateway({ url: provider.url, token, timeoutMs: 5_000 }),
      sent: async () => provider.sent().map((message) => ({ to: constantOf(PhoneNumber, message.to), body: message.body })),
      unreachable: constantOf(PhoneNumber, '+9991234567'),
      close: provider.close,
    };
  },
});

test('the HTTP gateway sends the key in the Idempotency-Key header and the credential as a bearer token', async (t) => {
  const provider = await startFakeProvider({ token });
  t.teardown(provider.close);
  const wrong = createHttpSmsGateway({ url: provider.url, token: 'wrong', timeoutMs: 5_000 });
  await t.throwsAsync(wrong.send({ to, body: 'x' }, { idempotencyKey: 'k-1' }), { message: /answered 401/ });
  const right = createHttpSmsGateway({ url: provider.url, token, timeoutMs: 5_000 });
  t.is((await right.send({ to, body: 'x' }, { idempotencyKey: 'k-1' })).kind, 'sent');
  t.deepEqual(
    provider.requests().map((r) => [r.key, r.status]),
    [
      ['k-1', 401],
      ['k-1', 200],
    ],
  );
});

test('a failing or slow provider is a transient failure: thrown', async (t) => {
  const provider = await startFakeProvider({ token });
  t.teardown(provider.close);
  const gateway = createHttpSmsGateway({ url: provider.url, token, timeoutMs: 300 });
  provider.set({ failing: true });
  await t.throwsAsync(gateway.send({ to, body: 'x' }, { idempotencyKey: 'k-2' }), { message: /answered 503/ });
  provider.set({ failing: false, delayMs: 2_000 });
  await t.throwsAsync(gateway.send({ to, body: 'x' }, { idempotencyKey: 'k-3' }), { name: 'TimeoutError' });
});
