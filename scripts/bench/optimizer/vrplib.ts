// CVRPLIB instances (VRPLIB format, EUC_2D) as routing problems for the optimizer benchmark: node
// coordinates, demands, the capacity, the depot; the optimum from the instance's comment.
import { decodeRoutingProblem, type RoutingProblem } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';

export type VrplibInstance = {
  readonly name: string;
  readonly capacity: number;
  /** Node number (1-based, as in the file) → coordinates and demand. */
  readonly nodes: readonly { readonly id: number; readonly x: number; readonly y: number; readonly demand: number }[];
  readonly depot: number;
  /** From "Min no of trucks: k" in the comment. */
  readonly minVehicles: number;
  /** From "Optimal value: v" in the comment. */
  readonly optimum: number;
};

const field = (text: string, name: string): string => {
  const match = new RegExp(`^\\s*${name}\\s*:\\s*(.+?)\\s*$`, 'm').exec(text);
  if (match === null) throw new Error(`no ${name} in the instance`);
  return match[1]!;
};

const section = (text: string, name: string): number[][] => {
  const start = text.indexOf(name);
  if (start < 0) throw new Error(`no ${name} in the instance`);
  const rows: number[][] = [];
  for (const line of text
    .slice(start + name.length)
    .split('\n')
    .slice(1)) {
    const trimmed = line.trim();
    if (trimmed === '' || /^[A-Z_]+/.test(trimmed) || trimmed === 'EOF') break;
    rows.push(trimmed.split(/\s+/).map(Number));
  }
  return rows;
};

export const parseVrplib = (text: string): VrplibInstance => {
  if (field(text, 'EDGE_WEIGHT_TYPE') !== 'EUC_2D') throw new Error('only EUC_2D instances are read');
  const comment = field(text, 'COMMENT');
  const number = (pattern: RegExp) => {
    const match = pattern.exec(comment);
    if (match === null) throw new Error(`the comment "${comment}" does not say ${pattern.source}`);
    return Number(match[1]);
  };
  const demands = new Map(section(text, 'DEMAND_SECTION').map(([id, demand]) => [id!, demand!]));
  const depot = section(text, 'DEPOT_SECTION')[0]![0]!;
  return {
    name: field(text, 'NAME'),
    capacity: Number(field(text, 'CAPACITY')),
    nodes: section(text, 'NODE_COORD_SECTION').map(([id, x, y]) => ({ id: id!, x: x!, y: y!, demand: demands.get(id!) ?? 0 })),
    depot,
    minVehicles: number(/Min no of trucks:\s*(\d+)/),
    optimum: number(/Optimal value:\s*(\d+)/),
  };
};

/**
 * The instance as a problem: a plane with rounded Euclidean distances, no windows, no service time, and
 * `vehicles` vehicles of the instance's capacity (CVRPLIB leaves the fleet free; a few spare vans let the
 * optimizer use more routes if that were shorter, which at these optima it is not).
 */
export const problemOf = (
  instance: VrplibInstance,
  search: RoutingProblem['search'],
  vehicles = instance.minVehicles + 2,
): RoutingProblem => {
  const depot = instance.nodes.find((node) => node.id === instance.depot)!;
  const decoded = decodeRoutingProblem({
    metric: 'rounded-euclidean',
    unitsPerHour: 60,
    depot: { x: depot.x, y: depot.y },
    startAt: '2026-11-21T06:00:00Z',
    vehicles: Array.from({ length: vehicles }, (_, i) => ({ vehicleId: `truck-${i + 1}`, capacityKg: instance.capacity })),
    stops: instance.nodes
      .filter((node) => node.id !== instance.depot)
      .map((node) => ({ stopId: `c${node.id}`, location: { x: node.x, y: node.y }, demandKg: node.demand, serviceSeconds: 0 })),
    search,
  });
  if (E.isLeft(decoded)) throw new Error(`${instance.name}: ${JSON.stringify(decoded.left)}`);
  return decoded.right;
};
