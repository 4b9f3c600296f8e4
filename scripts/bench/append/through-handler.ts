// Drives commands through the kernel's command handler: a fixed number of workers, each taking the next
// stream and sending its commands in order, so `concurrency` commands of different streams are in flight
// and the store group-commits the appends that meet in one turn of the event loop.
import {
  createStateCache,
  handleCommand,
  randomId,
  type AggregateDefinition,
  type Command,
  type CommandContext,
  type DomainEvent,
  type EventStore,
} from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';

export type HandlerWorkload<C extends Command, Ev extends DomainEvent, S> = {
  readonly store: EventStore;
  readonly aggregate: AggregateDefinition<C, Ev, S>;
  /** Per stream, its commands in the order they are sent. */
  readonly streams: readonly (readonly C[])[];
  readonly concurrency: number;
};

export type Timed = { readonly events: number; readonly seconds: number };

/** What the command API puts around a command: who, and the threads tying its events to the request. */
const contextOf = (): CommandContext => ({
  actor: { principalId: 'dispatch-1', role: 'dispatcher' },
  correlationId: randomId(),
  causationId: randomId(),
  traceparent: `00-${randomId().replaceAll('-', '')}-${randomId().replaceAll('-', '').slice(0, 16)}-01`,
});

export const driveThroughHandler = async <C extends Command, Ev extends DomainEvent, S>({
  store,
  aggregate,
  streams,
  concurrency,
}: HandlerWorkload<C, Ev, S>): Promise<Timed> => {
  let next = 0;
  let events = 0;
  // As the command API runs it: one cache of folded states, so a command reads only what is new.
  const cache = createStateCache();
  const worker = async () => {
    for (let stream = next++; stream < streams.length; stream = next++)
      for (const command of streams[stream]!) {
        const result = await handleCommand({ store, cache }, { aggregate, command, context: contextOf() });
        if (E.isLeft(result)) throw new Error(`the benchmark's command was refused: ${JSON.stringify(result.left)}`);
        events += result.right.events.length;
      }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { events, seconds: (performance.now() - started) / 1000 };
};
