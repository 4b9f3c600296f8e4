// The event store contract on the Spanner emulator (npm test starts it and sets SPANNER_EMULATOR_HOST),
// each test on a database of its own.
import { environmentFor, eventStoreContract } from '@meridian/kernel/testing';
import test from 'ava';
import { openFreshStore } from './testing.ts';

const emulatorHost = environmentFor(test, 'Spanner event store contract (Spanner emulator)', 'SPANNER_EMULATOR_HOST', {
  requiredUnderCi: true,
});

if (emulatorHost !== undefined) eventStoreContract(test, { name: 'Spanner', open: () => openFreshStore(emulatorHost) });
