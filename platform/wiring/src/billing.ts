// The billing ledger's configuration: the clients' tariffs, as JSON in the environment, decoded at start
// with a field path for every mistake (projections/src/billing/tariffs.ts has the shape).
import { Tariffs } from '@meridian/projections';
import { jsonVariable } from '@meridian/runtime';

export const billingVariables = {
  /** `{ "<clientId>": [{ "from": "2026-01-01", "currency": "EUR", "deliveredCents": 450, "returnedToDepotCents": 200, "failedAttemptCents": 150 }] }` */
  MERIDIAN_BILLING_TARIFFS: jsonVariable(Tariffs, 'Tariffs'),
};
