// A routing problem compiled for the search: node 0 is the depot, nodes 1..n the stops in the problem's
// order; distances in a full matrix; times in seconds after the problem's start; neighbour lists.
import { placesOf, secondsPerDistanceUnit, type RoutingProblem } from '@meridian/kernel';

export type Instance = {
  /** Nodes, the depot included. */
  readonly size: number;
  /** distance[i * size + j], in the problem's unit. */
  readonly distance: Float64Array;
  /** Travel seconds per unit of distance. */
  readonly secondsPerUnit: number;
  readonly demand: Float64Array;
  readonly service: Float64Array;
  /** Earliest service start, seconds after the start (0 when the window has no opening). */
  readonly opens: Float64Array;
  /** Latest service start, seconds after the start (Infinity when it has no deadline). */
  readonly closes: Float64Array;
  readonly vehicles: number;
  readonly capacity: Float64Array;
  /** Latest return to the depot per vehicle, seconds after the start. */
  readonly shiftEnd: Float64Array;
  /** The most stops per vehicle's route (the stop count when it has no limit). */
  readonly maxStops: Int32Array;
  /** Vehicles that are alike (capacity, shift end, stop limit) share a class: an empty route of a class is tried once. */
  readonly vehicleClass: Int32Array;
  /** The first vehicle of each class. */
  readonly classVehicles: readonly number[];
  /** Per node, the nearest stops (never the depot, never itself), nearest first. */
  readonly neighbours: readonly Int32Array[];
  readonly hasWindows: boolean;
  readonly startMs: number;
};

/** The full matrix, row by row; undefined when the time ran out first. */
const distanceMatrix = (problem: RoutingProblem, outOfTime: () => boolean): Float64Array | undefined => {
  const { count: size, distance } = placesOf(problem);
  const matrix = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    if ((i & 31) === 0 && outOfTime()) return undefined;
    for (let j = i + 1; j < size; j++) {
      const d = distance(i, j);
      matrix[i * size + j] = d;
      matrix[j * size + i] = d;
    }
  }
  return matrix;
};

/** The `count` nearest stops of every node, kept sorted by insertion (cheap when count is far below n). */
const nearestStops = (distance: Float64Array, size: number, count: number, outOfTime: () => boolean): Int32Array[] | undefined => {
  const lists: Int32Array[] = [];
  for (let i = 0; i < size; i++) {
    if ((i & 63) === 0 && outOfTime()) return undefined;
    const kept = new Int32Array(count);
    const keptDistance = new Float64Array(count);
    let filled = 0;
    for (let j = 1; j < size; j++) {
      if (j === i) continue;
      const d = distance[i * size + j]!;
      if (filled === count && d >= keptDistance[count - 1]!) continue;
      let k = filled < count ? filled++ : count - 1;
      while (k > 0 && keptDistance[k - 1]! > d) {
        kept[k] = kept[k - 1]!;
        keptDistance[k] = keptDistance[k - 1]!;
        k--;
      }
      kept[k] = j;
      keptDistance[k] = d;
    }
    lists.push(kept.subarray(0, filled));
  }
  return lists;
};

/** How many neighbours each node keeps: all of them for small problems, the nearest 60 beyond. */
export const neighbourCount = (stops: number) => Math.max(0, Math.min(stops - 1, 60));

const vehicleClasses = (capacity: Float64Array, shiftEnd: Float64Array, maxStops: Int32Array) => {
  const seen = new Map<string, number>();
  const classVehicles: number[] = [];
  const vehicleClass = Int32Array.from(capacity, (c, v) => {
    const key = `${c}|${shiftEnd[v]}|${maxStops[v]}`;
    if (!seen.has(key)) {
      seen.set(key, seen.size);
      classVehicles.push(v);
    }
    return seen.get(key)!;
  });
  return { vehicleClass, classVehicles };
};

const secondsAfter = (startMs: number, at: string | undefined, absent: number) =>
  at === undefined ? absent : (Date.parse(at) - startMs) / 1000;

/** The problem compiled; undefined when the time ran out first (the plan then leaves every stop out, for lack of time). */
export const compileInstance = (problem: RoutingProblem, outOfTime: () => boolean = () => false): Instance | undefined => {
  const size = problem.stops.length + 1;
  const startMs = Date.parse(problem.startAt);
  const distance = distanceMatrix(problem, outOfTime);
  const neighbours = distance === undefined ? undefined : nearestStops(distance, size, neighbourCount(problem.stops.length), outOfTime);
  if (distance === undefined || neighbours === undefined) return undefined;
  const perNode = (value: (stop: RoutingProblem['stops'][number]) => number, depot: number) =>
    Float64Array.from([depot, ...problem.stops.map(value)]);
  const opens = perNode((s) => Math.max(0, secondsAfter(startMs, s.window?.opensAt, 0)), 0);
  const closes = perNode((s) => secondsAfter(startMs, s.window?.closesAt, Infinity), Infinity);
  const capacity = Float64Array.from(problem.vehicles.map((v) => v.capacityKg));
  const shiftEnd = Float64Array.from(problem.vehicles.map((v) => secondsAfter(startMs, v.returnBy, Infinity)));
  const maxStops = Int32Array.from(problem.vehicles.map((v) => Math.min(v.maxStops ?? size, size)));
  return {
    size,
    distance,
    secondsPerUnit: secondsPerDistanceUnit(problem),
    demand: perNode((s) => s.demandKg, 0),
    service: perNode((s) => s.serviceSeconds, 0),
    opens,
    closes,
    vehicles: problem.vehicles.length,
    capacity,
    shiftEnd,
    maxStops,
    ...vehicleClasses(capacity, shiftEnd, maxStops),
    neighbours,
    hasWindows: problem.stops.some((s) => s.window !== undefined) || problem.vehicles.some((v) => v.returnBy !== undefined),
    startMs,
  };
};
