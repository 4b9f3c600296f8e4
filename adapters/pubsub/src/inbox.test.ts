import test from 'ava';
import { createInbox } from './inbox.ts';

test('a full batch is handed over at once, the rest waits for the next', async (t) => {
  const inbox = createInbox<number>();
  [1, 2, 3, 4, 5].forEach(inbox.add);
  const signal = new AbortController().signal;
  t.deepEqual(await inbox.next(3, 10_000, signal), [1, 2, 3]);
  t.deepEqual(inbox.drain(), [4, 5]);
});

test('a partial batch is handed over when the window closes', async (t) => {
  const inbox = createInbox<number>();
  const signal = new AbortController().signal;
  const next = inbox.next(10, 30, signal);
  setTimeout(() => inbox.add(1), 5);
  setTimeout(() => inbox.add(2), 10);
  t.deepEqual(await next, [1, 2]);
});

test('waiting ends when the signal aborts, with nothing', async (t) => {
  const inbox = createInbox<number>();
  const controller = new AbortController();
  const next = inbox.next(10, 30, controller.signal);
  setTimeout(() => controller.abort(), 10);
  t.deepEqual(await next, []);
});
