// The HTTP adapter against a fake provider this test starts: the contract, then what it makes of the
// provider's failures (a timeout, a 5xx, a bad credential: transient, thrown) and refusals.
import { constantOf, PhoneNumber } from '@meridian/kernel';
import { smsGatewayContract } from '@meridian/kernel/testing';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
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

test('a send within a trace continues it: the POST carries the traceparent of its own span, child of the caller', async (t) => {
  // What the platform's telemetry installs: W3C trace context, carried across awaits.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  t.teardown(() => {
    propagation.disable();
    context.disable();
  });
  const seen: Headers[] = [];
  const gateway = createHttpSmsGateway({
    url: 'http://gateway.invalid/messages',
    token,
    timeoutMs: 1_000,
    fetch: async (_url, init) => {
      seen.push(new Headers(init?.headers));
      return new Response(JSON.stringify({ id: 'm-1' }), { status: 200 });
    },
  });
  const caller = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: 1,
  });
  t.is((await context.with(caller, () => gateway.send({ to, body: 'x' }, { idempotencyKey: 'k-t' }))).kind, 'sent');
  t.regex(seen[0]?.get('traceparent') ?? '', /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
});
