// A fake SMS provider speaking the HTTP adapter's protocol, for tests and benchmarks: it keeps what it sent
// by idempotency key (a repeat gets the first answer), refuses +999 numbers with 422, checks the bearer
// token, and can be made slow (every answer after `delayMs`) or failing (every answer a 503) while running.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeProviderMessage = { readonly key: string; readonly to: string; readonly body: string; readonly id: string };

export type FakeProvider = {
  readonly url: string;
  /** What reached recipients: one per idempotency key. */
  readonly sent: () => readonly FakeProviderMessage[];
  /** Every request it was asked, repeats and failures included, in order. */
  readonly requests: () => readonly { readonly key: string; readonly to: string; readonly status: number }[];
  readonly set: (behaviour: { readonly delayMs?: number; readonly failing?: boolean }) => void;
  readonly close: () => Promise<void>;
};

const bodyOf = async (request: IncomingMessage): Promise<string> => {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const startFakeProvider = async ({ token }: { readonly token: string }): Promise<FakeProvider> => {
  const sent = new Map<string, FakeProviderMessage>();
  const requests: { key: string; to: string; status: number }[] = [];
  let delayMs = 0;
  let failing = false;
  const server = createServer((request, response) => {
    void (async () => {
      const parsed: unknown = JSON.parse((await bodyOf(request)) || '{}');
      const to = typeof parsed === 'object' && parsed !== null && 'to' in parsed ? String(parsed.to) : '';
      const text = typeof parsed === 'object' && parsed !== null && 'body' in parsed ? String(parsed.body) : '';
      const key = String(request.headers['idempotency-key'] ?? '');
      if (delayMs > 0) await sleep(delayMs);
      const answer = (status: number, body: unknown) => {
        requests.push({ key, to, status });
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (request.headers.authorization !== `Bearer ${token}`) return answer(401, { error: 'unauthorized' });
      if (failing) return answer(503, { error: 'unavailable' });
      if (key === '') return answer(400, { error: 'an Idempotency-Key header is required' });
      if (to.startsWith('+999')) return answer(422, { error: `${to} is not a reachable number` });
      const first = sent.get(key) ?? { key, to, body: text, id: randomUUID() };
      sent.set(key, first);
      return answer(200, { id: first.id });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/messages`,
    sent: () => [...sent.values()],
    requests: () => [...requests],
    set: (behaviour) => {
      delayMs = behaviour.delayMs ?? delayMs;
      failing = behaviour.failing ?? failing;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
