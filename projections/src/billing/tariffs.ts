// Per-client tariffs (configuration: MERIDIAN_BILLING_TARIFFS) and the pricing of ledger lines, pure. A
// client's tariff is a list of periods, each in force from its date until the next one's: a price change is
// a new period, so lines already billed keep their price. A failed attempt is billed only where the
// tariff in force charges it (`failedAttemptCents`).
import { arrayOf, described, Identifier } from '@meridian/kernel';
import * as t from 'io-ts';
import type { BillingLine } from './ledger.ts';

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
export const BillingDay = described(
  t.refinement(t.string, (s) => datePattern.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'BillingDay'),
  'must be a date, YYYY-MM-DD',
  { type: 'string', format: 'date' },
);

const Cents = described(
  t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Cents'),
  'must be a whole number of cents, 0 or more',
  { type: 'integer', minimum: 0 },
);

const Currency = described(
  t.refinement(t.string, (s) => /^[A-Z]{3}$/.test(s), 'Currency'),
  'must be an ISO 4217 currency code, for example EUR',
  { type: 'string', pattern: '^[A-Z]{3}$' },
);

export const TariffPeriod = t.exact(
  t.intersection([
    t.type({ from: BillingDay, currency: Currency, deliveredCents: Cents, returnedToDepotCents: Cents }),
    t.partial({ failedAttemptCents: Cents }),
  ]),
  'TariffPeriod',
);
export type TariffPeriod = t.TypeOf<typeof TariffPeriod>;

/** Tariffs by client id: `{ "acme": [{ "from": "2026-01-01", "currency": "EUR", "deliveredCents": 450, ... }] }`. */
export const Tariffs = t.record(Identifier, arrayOf(TariffPeriod, { min: 1, max: 100 }), 'Tariffs');
export type Tariffs = t.TypeOf<typeof Tariffs>;

/** A client's tariff periods (none: no tariff). */
const periodsOf = (tariffs: Tariffs, clientId: string): readonly TariffPeriod[] =>
  Object.entries(tariffs).find(([client]) => client === clientId)?.[1] ?? [];

export type PricedLine = BillingLine & { readonly amountCents: number; readonly currency: string };

/** The period in force on a day: the last one starting on or before it. */
export const tariffOn = (periods: readonly TariffPeriod[], day: string): TariffPeriod | undefined =>
  [...periods]
    .filter((period) => period.from <= day)
    .sort((a, b) => (a.from < b.from ? -1 : 1))
    .at(-1);

/**
 * A line priced by its client's tariff on its day; undefined when it is not billed: a failed attempt the
 * tariff does not charge, or a client without a tariff in force (`unpriced` tells the two apart).
 */
export const priceLine = (tariffs: Tariffs, line: BillingLine): PricedLine | undefined => {
  const tariff = tariffOn(periodsOf(tariffs, line.clientId), line.day);
  if (tariff === undefined) return undefined;
  const amount =
    line.kind === 'delivered'
      ? tariff.deliveredCents
      : line.kind === 'returned-to-depot'
        ? tariff.returnedToDepotCents
        : tariff.failedAttemptCents;
  return amount === undefined ? undefined : { ...line, amountCents: amount, currency: tariff.currency };
};

/** Lines whose client has no tariff in force on their day: billable, but nobody said at what price. */
export const unpriced = (tariffs: Tariffs, line: BillingLine): boolean =>
  tariffOn(periodsOf(tariffs, line.clientId), line.day) === undefined;

export type DayTotal = {
  readonly lines: number;
  readonly amountCents: number;
  readonly currency: string | null;
  readonly unpricedLines: number;
};

export const totalOf = (tariffs: Tariffs, lines: readonly BillingLine[]): DayTotal => {
  const priced = lines.flatMap((line) => priceLine(tariffs, line) ?? []);
  return {
    lines: priced.length,
    amountCents: priced.reduce((sum, line) => sum + line.amountCents, 0),
    currency: priced[0]?.currency ?? null,
    unpricedLines: lines.filter((line) => unpriced(tariffs, line)).length,
  };
};

const csvField = (value: string | number | null): string => {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvHeader = 'line_id,client_id,parcel_id,kind,at,day,attempt,amount_cents,currency';

/** One CSV row per priced line (RFC 4180; fields that a spreadsheet would read as a formula are quoted). */
export const csvRow = (line: PricedLine): string =>
  [line.lineId, line.clientId, line.parcelId, line.kind, line.at, line.day, line.attempt, line.amountCents, line.currency]
    .map(csvField)
    .join(',');
