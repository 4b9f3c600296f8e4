// What the query API asks of FleetView: one vehicle, or a page of them by vehicleId, each with its load
// summed from the parcels on board (see projection.ts for why the load is summed at read time).
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { matching, pageSize, readAll, readPage, type Page, type PageRequest } from '../runtime/page.ts';
import { physicalCollection, type Generation } from '../runtime/projection.ts';
import { fleetProjection, loads as loadsOfVehicles, vehicles as fleetVehicles } from './projection.ts';
import type { FleetLoadDocument, FleetVehicleDocument, FleetVehicleView, VehicleDutyStatus } from './view.ts';

export type FleetFilter = PageRequest & {
  readonly depotId?: string;
  /** One duty status, or any of several. */
  readonly dutyStatus?: VehicleDutyStatus | readonly VehicleDutyStatus[];
};

export type FleetQueries = {
  readonly byId: (vehicleId: string) => Promise<FleetVehicleView | undefined>;
  readonly list: (filter?: FleetFilter) => Promise<Page<FleetVehicleView>>;
};

/** Firestore's limit on the values of one `in` filter. */
const maxInValues = 30;

const roundTo = (decimals: number) => (value: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;
const toGrams = roundTo(3);
const toTenths = roundTo(1);

/** The served view: the vehicle plus its parcels on board, summed in parcelId order so the result is stable. */
export const fleetVehicleView = (vehicle: FleetVehicleDocument, loads: readonly FleetLoadDocument[]): FleetVehicleView => {
  const onBoard = [...loads].sort((a, b) => (a.parcelId < b.parcelId ? -1 : a.parcelId > b.parcelId ? 1 : 0));
  const loadKg = toGrams(onBoard.reduce((sum, load) => sum + load.weightKg, 0));
  return {
    ...vehicle,
    loadKg,
    parcelIds: onBoard.map((load) => load.parcelId),
    loadPercent: toTenths((loadKg * 100) / vehicle.capacityKg),
  };
};

const chunked = <A>(items: readonly A[], size: number): A[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

export const fleetQueries = (documents: DocumentStore, version: Generation = fleetProjection.version): FleetQueries => {
  const vehicles = typedCollection(documents, fleetVehicles, physicalCollection(fleetVehicles.name, version));
  const loads = typedCollection(documents, loadsOfVehicles, physicalCollection(loadsOfVehicles.name, version));
  /** Every parcel on board of these vehicles, grouped by vehicle. */
  const loadsOf = async (vehicleIds: readonly string[]): Promise<Map<string, FleetLoadDocument[]>> => {
    const found = await Promise.all(
      chunked(vehicleIds, maxInValues).map((ids) => readAll(loads, { where: matching('vehicleId', ids), limit: 500 })),
    );
    return Map.groupBy(found.flat(), (load) => load.vehicleId);
  };
  return {
    byId: async (vehicleId) => {
      const vehicle = await vehicles.get(vehicleId);
      if (vehicle === undefined) return undefined;
      return fleetVehicleView(vehicle, (await loadsOf([vehicleId])).get(vehicleId) ?? []);
    },
    list: async ({ depotId, dutyStatus, limit, after } = {}) => {
      const page = await readPage(vehicles, {
        where: [...matching('depotId', depotId), ...matching('dutyStatus', dutyStatus)],
        orderBy: { field: 'vehicleId', direction: 'asc' },
        limit: pageSize(limit),
        ...(after !== undefined && { after }),
      });
      const onBoard = await loadsOf(page.documents.map((vehicle) => vehicle.vehicleId));
      return { ...page, documents: page.documents.map((vehicle) => fleetVehicleView(vehicle, onBoard.get(vehicle.vehicleId) ?? [])) };
    },
  };
};
