// Parcels out for delivery, ready for the deliver runs: registered, assigned to a route, loaded and sent out
// through the kernel's command handling (the same decider and appends as the API, without HTTP), many
// parcels at once so the store's group commit shares each transaction among them.
import { decodeWith, handleCommand, type CommandContext, type EventStore } from '@meridian/kernel';
import { AssignParcelToRoute, LoadParcel, parcel, RegisterParcel, StartParcelDelivery, type ParcelCommand } from '@meridian/parcel';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { parcelIdOf, registerBody } from './bodies.ts';

const context: CommandContext = {
  actor: { principalId: 'bench-stager', role: 'admin' },
  correlationId: 'bench-staging',
  causationId: 'bench-staging',
};

/** Decodes with the API's own codec, so a staged parcel is one the API could have made. */
const decoded = <A>(codec: t.Decoder<unknown, A>, data: unknown): A => {
  const result = decodeWith(codec)(data);
  if (E.isLeft(result)) throw new Error(`a staging command does not decode: ${JSON.stringify(result.left)}`);
  return result.right;
};

const commandsOf = (parcelId: string, n: number, now: Date): readonly ParcelCommand[] => {
  const metadata = { now };
  return [
    { type: 'RegisterParcel', data: decoded(RegisterParcel, registerBody(parcelId, now.getTime())), metadata },
    { type: 'AssignParcelToRoute', data: decoded(AssignParcelToRoute, { parcelId, routeId: `bench-route-${n % 250}` }), metadata },
    { type: 'LoadParcel', data: decoded(LoadParcel, { parcelId, vehicleId: `bench-van-${n % 250}` }), metadata },
    { type: 'StartParcelDelivery', data: decoded(StartParcelDelivery, { parcelId }), metadata },
  ];
};

const stageOne = async (store: EventStore, parcelId: string, n: number) => {
  for (const command of commandsOf(parcelId, n, new Date())) {
    const result = await handleCommand({ store }, { aggregate: parcel, command, context });
    if (E.isLeft(result)) throw new Error(`staging ${parcelId} ${command.type}: ${JSON.stringify(result.left)}`);
  }
};

/** Stages parcels `parcelIdOf(series, 0 .. count-1)` out for delivery, `concurrency` parcels at a time. */
export const stageOutForDelivery = async (store: EventStore, series: string, count: number, concurrency = 500): Promise<void> => {
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < count; n = next++) await stageOne(store, parcelIdOf(series, n), n);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
};
