// The event store contract against a real EventStoreDB/KurrentDB, e.g.
//   EVENTSTORE_CONNECTION_STRING='esdb://localhost:2113?tls=false' npx ava adapters/eventstoredb
// Without a server the suite is reported as not run, by name, rather than silently passing.
import { contractNotRun, eventStoreContract } from '@meridian/kernel/testing';
import test, { type ImplementationFn, type TestFn } from 'ava';
import { createEventStoreDbEventStore } from './event-store.ts';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

/**
 * Every contract test opens its own store, but here they all share one server and one $all: run
 * concurrently, one test's appends would land in another's subscription from the head. So they run one at
 * a time.
 */
const serial: TestFn = Object.assign((title: string, implementation: ImplementationFn<[]>) => test.serial(title, implementation), test);

if (connectionString === undefined || connectionString === '')
  contractNotRun(test, 'EventStoreDB', 'EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB/KurrentDB server on this machine)');
else eventStoreContract(serial, { name: 'EventStoreDB', open: async () => createEventStoreDbEventStore({ connectionString }) });
