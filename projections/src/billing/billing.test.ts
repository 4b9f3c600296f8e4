// The billing ledger: one line per billable fact however often it is applied, priced by the client's
// tariff in force on the line's day; a failed attempt only where the tariff charges it.
import { constantOf, type RecordedEvent } from '@meridian/kernel';
import { givenProjection } from '@meridian/kernel/testing';
import { parcelEvents } from '@meridian/parcel';
import test from 'ava';
import { createTestLog, parcelFacts } from '../testing/index.ts';
import { billingLines, billingProjection, type BillingLine } from './ledger.ts';
import { csvHeader, csvRow, priceLine, Tariffs, totalOf } from './tariffs.ts';

const tariffs = constantOf(Tariffs, {
  acme: [
    { from: '2026-01-01', currency: 'EUR', deliveredCents: 450, returnedToDepotCents: 200, failedAttemptCents: 150 },
    { from: '2026-11-22', currency: 'EUR', deliveredCents: 500, returnedToDepotCents: 200, failedAttemptCents: 150 },
  ],
  globex: [{ from: '2026-01-01', currency: 'EUR', deliveredCents: 390, returnedToDepotCents: 0 }],
});

const given = givenProjection(billingProjection);

// p-1 fails its first attempt and is delivered at the second; p-2 (globex) is only registered.
const log = createTestLog();
const p = parcelFacts('p-1');
const q = parcelFacts('p-2', { clientId: 'globex' });
const story: readonly RecordedEvent[] = [
  log.record(parcelEvents, 'parcel-p-1', p.registered('07:00')),
  log.record(parcelEvents, 'parcel-p-1', p.assigned('r-1', '07:10')),
  log.record(parcelEvents, 'parcel-p-1', p.loaded('r-1', 'v-1', '07:20')),
  log.record(parcelEvents, 'parcel-p-1', p.outForDelivery('r-1', 'v-1', 1, '08:00')),
  log.record(parcelEvents, 'parcel-p-1', p.failed('r-1', 'v-1', 1, '09:00')),
  log.record(parcelEvents, 'parcel-p-1', p.outForDelivery('r-1', 'v-1', 2, '10:00')),
  log.record(parcelEvents, 'parcel-p-1', p.delivered('r-1', 'v-1', 2, '11:00')),
  log.record(parcelEvents, 'parcel-p-2', q.registered('07:00')),
];

/** The line of a billable fact of p-1's: by the fact's event id. */
const lineOf = (event: RecordedEvent, kind: BillingLine['kind'], attempt: number, at: string): [string, BillingLine] => [
  event.eventId,
  { lineId: event.eventId, clientId: 'acme', parcelId: 'p-1', kind, at, day: '2026-11-21', attempt },
];

const billed: Readonly<Record<string, BillingLine>> = Object.fromEntries([
  lineOf(story[4]!, 'failed-attempt', 1, '2026-11-21T09:00:00.000Z'),
  lineOf(story[6]!, 'delivered', 2, '2026-11-21T11:00:00.000Z'),
]);

test(
  'one line per billable fact: delivered, returned to the depot, a failed attempt; nothing else',
  given(story).thenDocuments(billingLines, billed),
);

test('applied twice, the facts make the same lines', given([...story, ...story]).thenDocuments(billingLines, billed));

test("a line is priced by its client's tariff in force on its day; a failed attempt only where it is charged", (t) => {
  const line = (clientId: string, kind: BillingLine['kind'], day: string): BillingLine => ({
    lineId: `${clientId}-${kind}-${day}`,
    clientId,
    parcelId: 'p-1',
    kind,
    at: `${day}T10:00:00.000Z`,
    day,
    attempt: 1,
  });
  t.is(priceLine(tariffs, line('acme', 'delivered', '2026-11-21'))?.amountCents, 450);
  t.is(priceLine(tariffs, line('acme', 'delivered', '2026-11-22'))?.amountCents, 500, 'the new period from its first day');
  t.is(priceLine(tariffs, line('acme', 'failed-attempt', '2026-11-22'))?.amountCents, 150);
  t.is(priceLine(tariffs, line('globex', 'failed-attempt', '2026-11-22')), undefined, 'globex is not charged for failed attempts');
  t.is(priceLine(tariffs, line('initech', 'delivered', '2026-11-22')), undefined, 'no tariff: not priced');
  t.deepEqual(
    totalOf(tariffs, [
      line('acme', 'delivered', '2026-11-21'),
      line('acme', 'failed-attempt', '2026-11-21'),
      line('initech', 'delivered', '2026-11-21'),
    ]),
    { lines: 2, amountCents: 600, currency: 'EUR', unpricedLines: 1 },
  );
  const priced = priceLine(tariffs, { ...line('acme', 'delivered', '2026-11-21'), parcelId: '=HYPERLINK("x")' })!;
  t.is(csvHeader.split(',').length, csvRow(priced).split(',').length);
  t.true(csvRow(priced).includes('"=HYPERLINK(""x"")"'), 'a formula is quoted, its quotes doubled');
});

test('tariffs are decoded with a field path for every mistake', (t) => {
  const decoded = Tariffs.decode({ acme: [{ from: '2026-13-01', currency: 'eur', deliveredCents: -1 }] });
  t.true(decoded._tag === 'Left');
});
