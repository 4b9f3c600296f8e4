// The load generator's process: `node load-child.ts '<LoadSpec JSON>'`. Prints its result as one JSON
// line. It runs apart from the server so the two do not share an event loop (they still share the cores).
import { requestOf, parcelIdOf, type Scenario } from './bodies.ts';
import { runPacedLoad } from './paced-load.ts';

export type LoadSpec = {
  readonly url: string;
  readonly apiKey: string;
  readonly scenario: Scenario;
  /** Parcels `parcelIdOf(series, 0..)`: staged ones for deliver, new ones for register. */
  readonly series: string;
  readonly rate: number;
  readonly durationMs: number;
  readonly connections: number;
};

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
const now = Date.now();
const result = await runPacedLoad({
  url: spec.url,
  apiKey: spec.apiKey,
  rate: spec.rate,
  durationMs: spec.durationMs,
  connections: spec.connections,
  requestOf: (i) => {
    const parcelId = parcelIdOf(spec.series, i);
    return { ...requestOf(spec.scenario, parcelId, now), idempotencyKey: `${spec.series}:${i}` };
  },
});
process.stdout.write(`${JSON.stringify(result)}\n`);
