// A counter that refuses to go above a limit: the smallest aggregate with a rule, for the command handling tests.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { AggregateDefinition } from './aggregate.ts';
import { eventCatalog } from './catalog.ts';
import { handleCommand, type CommandContext, type CommandResult } from './command-handler.ts';
import type { Command, DomainEvent } from './decider.ts';
import { reject } from './errors.ts';
import type { EventStore } from './event-store.ts';

export type CounterCommand =
  Command<'Open', { id: string }> | Command<'Add', { id: string; amount: number }> | Command<'Touch', { id: string }>;
export type CounterEvent = DomainEvent<'Opened', { id: string }> | DomainEvent<'Added', { id: string; amount: number }>;
export type CounterState = { total: number; owner: string };

export const counter: AggregateDefinition<CounterCommand, CounterEvent, CounterState> = {
  type: 'counter',
  decider: {
    initialState: { total: 0, owner: 'nobody' },
    evolve: (state, event) =>
      event.type === 'Added' ? { ...state, total: state.total + event.data.amount } : { ...state, owner: 'alice' },
    decide: (command, state) => {
      switch (command.type) {
        case 'Open':
          return E.right([{ type: 'Opened', data: { id: command.data.id } }]);
        case 'Add':
          return state.total + command.data.amount > 100
            ? reject('LimitExceeded', 'the counter cannot go above 100')
            : E.right([{ type: 'Added', data: command.data }]);
        case 'Touch':
          return E.right([]);
      }
    },
  },
  events: eventCatalog<CounterEvent>('counter', {
    Opened: { wireType: 'counter.opened.v1', data: t.type({ id: t.string }) },
    Added: { wireType: 'counter.added.v1', data: t.type({ id: t.string, amount: t.number }) },
  }),
  idOf: (command) => command.data.id,
  expects: { Open: 'new', Add: 'existing', Touch: 'existing' },
};

export const now = new Date('2026-11-21T09:00:00Z');
export const context: CommandContext = {
  actor: { principalId: 'alice', role: 'dispatcher' },
  correlationId: 'corr-1',
  causationId: 'cmd-1',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};
export const open = (id: string): CounterCommand => ({ type: 'Open', data: { id }, metadata: { now } });
export const add = (id: string, amount: number): CounterCommand => ({ type: 'Add', data: { id, amount }, metadata: { now } });
export const run = (store: EventStore, command: CounterCommand, ctx: CommandContext = context, maxAttempts?: number) =>
  handleCommand({ store, ...(maxAttempts !== undefined && { maxAttempts }) }, { aggregate: counter, command, context: ctx });
export const right = (result: E.Either<unknown, CommandResult>): CommandResult => {
  if (E.isLeft(result)) throw new Error(`expected success, got ${JSON.stringify(result.left)}`);
  return result.right;
};
