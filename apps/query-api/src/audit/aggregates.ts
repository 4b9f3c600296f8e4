// The aggregates an auditor can ask "what was its state then?" about, by stream prefix. A state is folded
// with the aggregate's own decider (catalog decode, then evolve), so the answer is exactly what the
// command handler would have decided on at that moment.
import type { AggregateDefinition, Command, DomainEvent, RecordedEvent } from '@meridian/kernel';
import { parcel } from '@meridian/parcel';
import { route } from '@meridian/route';
import { vehicle } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';

/** One aggregate with its command, event and state types erased: what the audit needs of it. */
export type AuditedAggregate = {
  readonly type: string;
  /** Every wire type its streams may hold, current and legacy. */
  readonly wireTypes: readonly string[];
  /** The state after these events (in revision order), or the first that no longer decodes. */
  readonly fold: (events: readonly RecordedEvent[]) => E.Either<string, unknown>;
};

const audited = <C extends Command, Ev extends DomainEvent, S>(definition: AggregateDefinition<C, Ev, S>): AuditedAggregate => ({
  type: definition.type,
  wireTypes: definition.events.wireTypes,
  fold: (events) => {
    let state = definition.decider.initialState;
    for (const event of events) {
      const decoded = definition.events.decode(event);
      if (E.isLeft(decoded)) return E.left(`${event.streamId}@${event.streamRevision}: ${decoded.left}`);
      state = definition.decider.evolve(state, decoded.right);
    }
    return E.right(state);
  },
});

/** The registry: aggregate type (the stream prefix) → its definition. */
export const auditedAggregates: ReadonlyMap<string, AuditedAggregate> = new Map(
  [audited(parcel), audited(route), audited(vehicle)].map((aggregate) => [aggregate.type, aggregate]),
);

/** Every wire type the platform writes: what the archive can hold. */
export const auditedEventTypes: readonly string[] = [...auditedAggregates.values()].flatMap((aggregate) => aggregate.wireTypes);
