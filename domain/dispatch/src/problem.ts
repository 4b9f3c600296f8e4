// The optimization problem of a saga's running attempt, rebuilt from its state: the window's parcels, the
// vehicles the attempt was asked for (with the capacities their reservations reported), when they may leave.
import { problemOf, type OptimizeProblem } from './optimize.ts';
import type { ActiveDispatch } from './state.ts';

export const problemOfState = (state: ActiveDispatch): OptimizeProblem => {
  const { window, optimization } = state;
  const vehicles = (optimization?.vehicleIds ?? []).flatMap((vehicleId) => {
    const slot = state.vehicles[vehicleId];
    return slot?.status === 'reserved' ? [{ vehicleId, capacityKg: slot.capacityKg }] : [];
  });
  return problemOf({
    windowId: window.windowId,
    depot: window.depot,
    startAt: optimization?.startAt ?? window.dispatchWindow.from,
    parcels: window.parcels,
    vehicles,
    serviceSeconds: window.serviceSeconds,
    optimizerSeconds: window.optimizerSeconds,
  });
};
