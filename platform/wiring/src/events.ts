// What the relay publishes: every catalog of events written to the log. The relay's subscription, the
// archiver's, the event topic's schema and the AsyncAPI document all come from this one list, so a catalog
// added here is published, schema'd and documented at once, and one left out is none of these.
import { windowEvents } from '@meridian/dispatch';
import type { WireMessage } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { StepRecorded, stepRecordedType } from '@meridian/projections';
import { routeEvents } from '@meridian/route';
import { vehicleEvents } from '@meridian/vehicle';
import { platformReactions, type ReactionSet } from './reactions.ts';

/** One catalog on the event topic: who writes its events (the stream's aggregate type) and every wire type of it. */
export type PublishedCatalog = {
  /** The aggregate, or the process manager, whose streams hold these events. */
  readonly writer: string;
  readonly kind: 'aggregate' | 'process manager' | 'step records';
  /** Every wire type with the codec of its data, current and legacy. */
  readonly messages: readonly WireMessage[];
};

/** A process manager's step records: one wire type, the same codec for every process manager. */
const stepRecordsOf = (processManager: string): PublishedCatalog => ({
  writer: processManager,
  kind: 'step records',
  messages: [{ wireType: stepRecordedType(processManager), codeType: 'StepRecorded', schemaVersion: 1, data: StepRecorded, current: true }],
});

/**
 * The catalogs of a reaction set's process managers: each one's own events and its step records, which its
 * own consumer and the timers projection read back from the event plane.
 */
export const processCatalogs = (reactions: Pick<ReactionSet, 'processManagers'>): readonly PublishedCatalog[] =>
  reactions.processManagers.flatMap((pm): PublishedCatalog[] => [
    { writer: pm.name, kind: 'process manager', messages: pm.events.messages },
    stepRecordsOf(pm.name),
  ]);

/**
 * Every catalog the platform writes to the log: the aggregates' events (the dispatch window's too) and each
 * process manager's own events and step records.
 */
export const platformCatalogs: readonly PublishedCatalog[] = [
  ...[parcelEvents, routeEvents, vehicleEvents, windowEvents].map((catalog): PublishedCatalog => ({
    writer: catalog.aggregateType,
    kind: 'aggregate',
    messages: catalog.messages,
  })),
  ...processCatalogs(platformReactions),
];

/** Every wire type the platform writes to the log: what the relay publishes and the archiver keeps. */
export const allEventTypes: readonly string[] = platformCatalogs.flatMap((catalog) => catalog.messages.map((message) => message.wireType));
