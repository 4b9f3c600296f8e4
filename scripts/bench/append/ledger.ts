// A benchmark-only aggregate whose one command records ten entries: ten events in one append.
import {
  eventCatalog,
  Identifier,
  IsoDateTime,
  isoDateTime,
  NonEmptyString,
  reject,
  struct,
  type AggregateDefinition,
  type Command,
  type Decider,
  type DomainError,
  type DomainEvent,
} from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decoded } from './decoded.ts';

const LedgerEntry = struct('LedgerEntry', { account: Identifier, amountCents: t.number, currency: Identifier, memo: NonEmptyString });

export const RecordEntries = struct('RecordEntries', { ledgerId: Identifier, entries: t.readonlyArray(LedgerEntry) });
export type RecordEntries = t.TypeOf<typeof RecordEntries>;

export const EntryRecorded = struct('EntryRecorded', {
  ledgerId: Identifier,
  sequence: t.number,
  account: Identifier,
  amountCents: t.number,
  currency: Identifier,
  memo: NonEmptyString,
  bookedAt: IsoDateTime,
});
export type EntryRecorded = t.TypeOf<typeof EntryRecorded>;

export type LedgerCommand = Command<'RecordEntries', RecordEntries>;
export type LedgerEvent = DomainEvent<'EntryRecorded', EntryRecorded>;
export type LedgerState = { readonly entries: number };

const recordEntries = ({ data, metadata }: LedgerCommand, state: LedgerState): E.Either<DomainError, readonly LedgerEvent[]> =>
  data.entries.length === 0
    ? reject('NoEntries', 'a ledger command records at least one entry')
    : E.right(
        data.entries.map((entry, index): LedgerEvent => ({
          type: 'EntryRecorded',
          data: { ledgerId: data.ledgerId, sequence: state.entries + index + 1, ...entry, bookedAt: isoDateTime(metadata.now) },
        })),
      );

export const ledgerDecider: Decider<LedgerCommand, LedgerEvent, LedgerState> = {
  initialState: { entries: 0 },
  evolve: (state) => ({ entries: state.entries + 1 }),
  decide: recordEntries,
};

export const ledger: AggregateDefinition<LedgerCommand, LedgerEvent, LedgerState> = {
  type: 'ledger',
  decider: ledgerDecider,
  events: eventCatalog<LedgerEvent>('ledger', { EntryRecorded: { wireType: 'ledger.entry-recorded.v1', data: EntryRecorded } }),
  idOf: (command) => command.data.ledgerId,
  expects: { RecordEntries: 'any' },
};

/** One command recording `count` entries in ledger number `index`. */
export const recordEntriesCommand = (index: number, now: Date, count = 10): LedgerCommand => ({
  type: 'RecordEntries',
  data: decoded(RecordEntries, {
    ledgerId: `L${String(index).padStart(6, '0')}`,
    entries: Array.from({ length: count }, (_, n) => ({
      account: `acct-${(index * 7 + n) % 1000}`,
      amountCents: (n % 2 === 0 ? 1 : -1) * (100 + ((index + n) % 9_900)),
      currency: 'EUR',
      memo: `parcel fee ${n + 1} of shipment ${index}`,
    })),
  }),
  metadata: { now },
});
