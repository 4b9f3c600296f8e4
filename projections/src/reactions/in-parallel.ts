// Commands to different streams are independent: a process manager's steps that ask for many (a dispatch
// window's routes planned: an assignment per parcel) send them at once, each stream's in the order asked,
// rather than one round trip after another. Each aggregate decides alone, so no order across streams is lost.
import { intentStreamOf, type AggregateRegistry, type CommandIntent } from '@meridian/kernel';

/** How many streams a batch of steps sends commands to at once. */
export const streamsInFlight = 16;

/** Runs `work` over `items`, at most `width` at a time; every item is tried, and the first failure is thrown after. */
export const inParallel = async <A>(items: readonly A[], width: number, work: (item: A) => Promise<void>): Promise<void> => {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length && failures.length === 0)
        await work(items[next++]!).catch((error: unknown) => {
          failures.push(error);
        });
    }),
  );
  if (failures.length > 0) throw failures[0];
};

/** Items grouped by the stream their command addresses, in order (an intent the registry refuses is a group of its own). */
export const byTargetStream = <A>(aggregates: AggregateRegistry, items: readonly A[], commandOf: (item: A) => CommandIntent): A[][] => {
  const groups = new Map<string, A[]>();
  for (const [index, item] of items.entries()) {
    const stream = intentStreamOf(aggregates, commandOf(item)) ?? `unknown:${index}`;
    const group = groups.get(stream) ?? [];
    group.push(item);
    groups.set(stream, group);
  }
  return [...groups.values()];
};
