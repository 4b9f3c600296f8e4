// The ack counter counts acks only (a retry is not handled), by message id, and keeps counting in a map
// given again, as a consumer restarted on the same subscription would.
import test from 'ava';
import { countingAcks } from './counting.ts';
import { createTestQueue } from './test-queue.ts';

test('acks are counted per message id, retries are not, and a shared map counts across restarts', async (t) => {
  const queue = createTestQueue<{ readonly id: string }>({ retryDelayMs: 1 });
  await queue.publisher.publish([{ id: 'a' }, { id: 'b' }]);
  const counts = new Map<string, number>();
  const retried = new Set<string>();
  const first = countingAcks(queue.subscription, (message) => message.id, counts);
  const controller = new AbortController();
  const running = first.subscription(
    async (deliveries) => {
      for (const delivery of deliveries) {
        // b is retried once before it is acked.
        if (delivery.message.id === 'b' && !retried.has('b')) {
          retried.add('b');
          delivery.retry('not yet');
        } else delivery.ack();
      }
      if (first.of('a') === 1 && first.of('b') === 1) controller.abort();
    },
    { signal: controller.signal },
  );
  await running;
  t.deepEqual([first.of('a'), first.of('b'), first.of('c')], [1, 1, 0]);

  await queue.publisher.publish([{ id: 'a' }]);
  const restarted = countingAcks(queue.subscription, (message) => message.id, counts);
  const again = new AbortController();
  await restarted.subscription(
    async (deliveries) => {
      deliveries.forEach((delivery) => delivery.ack());
      again.abort();
    },
    { signal: again.signal },
  );
  t.is(restarted.of('a'), 2, 'the ack of the first run still counted');
});
