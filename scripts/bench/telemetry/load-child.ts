// The telemetry load generator's process: `node load-child.ts '<TelemetryLoadSpec JSON>'`. autocannon,
// closed loop with no rate limit (the most the server accepts is the figure), each request a new batch
// of pings from the next vehicles of the fleet in turn, stamped now. Prints one JSON line: the answers
// by status, and the 202s per 100 ms since the start, so the server can line its own counts up with them.
import autocannon from 'autocannon';
import { batchBody } from './pings.ts';

export type TelemetryLoadSpec = {
  readonly url: string;
  readonly apiKey: string;
  readonly batchSize: number;
  readonly vehicles: number;
  readonly durationMs: number;
  readonly connections: number;
};

export type TelemetryLoadResult = {
  /** Date.now() when the load started. */
  readonly startedAt: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: number;
  /** Answers 202 per 100 ms since `startedAt`. */
  readonly acceptedPer100ms: readonly number[];
  readonly latencyP99Ms: number;
};

const spec = JSON.parse(process.argv[2] ?? '') as TelemetryLoadSpec;
let nextVehicle = 0;
const statuses: Record<string, number> = {};
const acceptedPer100ms: number[] = [];
let errors = 0;
const startedAt = Date.now();

const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(
    {
      url: spec.url,
      connections: spec.connections,
      duration: spec.durationMs / 1000,
      method: 'POST',
      headers: { authorization: `Bearer ${spec.apiKey}`, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/v1/telemetry',
          setupRequest: (request) => {
            const body = batchBody(nextVehicle, spec.batchSize, spec.vehicles, new Date().toISOString());
            nextVehicle = (nextVehicle + spec.batchSize) % spec.vehicles;
            return { ...request, body };
          },
        },
      ],
    },
    (error: unknown, done) => (error === null || error === undefined ? resolve(done) : reject(error)),
  );
  instance.on('response', (_client, statusCode) => {
    statuses[String(statusCode)] = (statuses[String(statusCode)] ?? 0) + 1;
    if (statusCode !== 202) return;
    const bucket = Math.floor((Date.now() - startedAt) / 100);
    while (acceptedPer100ms.length <= bucket) acceptedPer100ms.push(0);
    acceptedPer100ms[bucket] = (acceptedPer100ms[bucket] ?? 0) + 1;
  });
  instance.on('reqError', () => errors++);
});

const output: TelemetryLoadResult = { startedAt, statuses, errors, acceptedPer100ms, latencyP99Ms: result.latency.p99 };
process.stdout.write(`${JSON.stringify(output)}\n`);
