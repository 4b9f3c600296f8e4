import { silentLogger } from '@meridian/kernel';
import test from 'ava';
import { supervise } from './supervise.ts';

test('a failing consumer is restarted until the signal stops it', async (t) => {
  const controller = new AbortController();
  let runs = 0;
  const supervised = supervise(
    'flaky',
    async () => {
      runs++;
      if (runs < 3) throw new Error('stream closed');
      await new Promise((resolve) => controller.signal.addEventListener('abort', resolve, { once: true }));
    },
    { logger: silentLogger, signal: controller.signal, maxPauseMs: 10 },
  );
  while (runs < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort();
  await supervised;
  t.is(runs, 3);
});
