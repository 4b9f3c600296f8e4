// The morning wave: check the platform is there, make up the wave (vans, drivers, parcels), register it,
// dispatch it through each depot's dispatch window (dispatch.ts), then drive every route the saga built at
// once with the pinger and the progress line beside them, and summarise.
import { describeProblem, exchange, createLimiter, withRetries, type Api } from './http.ts';
import { dispatchWave, type WindowOutcome } from './dispatch.ts';
import { prepareVehicle, runJourney, standDown } from './journey.ts';
import { epochOfRunId, newRunId, type WaveOptions } from './options.ts';
import { parcelsOf, planWave, type WavePlan } from './plan.ts';
import { dispatchLines, progressLine, summaryLines } from './report.ts';
import { createStats, type WaveStats } from './stats.ts';
import { startPinger, type Tracker } from './telemetry.ts';

export type WaveDeps = {
  /** Where progress and the summary go (stdout in the CLI, nowhere in tests). */
  readonly log: (line: string) => void;
};

export type WaveResult = {
  /** True when every command was accepted (or refused only as a resumed run explains) and every van got home. */
  readonly ok: boolean;
  readonly plan: WavePlan;
  /** Each depot's dispatch window: its outcome, its routes, and the parcels it did not dispatch. */
  readonly windows: readonly WindowOutcome[];
  /** The routes the vans drove: the saga's route ids, by van. */
  readonly routes: ReadonlyMap<string, string>;
  readonly stats: WaveStats;
  readonly summary: readonly string[];
};

/** Thrown before the wave starts, when it cannot start: the platform is not there or the key is wrong. */
export class WaveCannotStart extends Error {
  override readonly name = 'WaveCannotStart';
}

const tenHours = 10 * 3_600_000;

/** The platform answers, and the key is an admin's: checked once, before anything is sent. */
const preflight = async (api: Api, plan: WavePlan) => {
  const health = await withRetries(() => exchange(api, { method: 'GET', path: '/healthz' }), { maxAttempts: 4 });
  if (health === undefined) throw new WaveCannotStart(`cannot reach ${api.baseUrl}: is the platform running?`);
  const probe = `/v1/streams/vehicle-${plan.vehicles[0]?.vehicleId ?? 'none'}`;
  const answer = await withRetries(() => exchange(api, { method: 'GET', path: probe }), { maxAttempts: 4 });
  if (answer?.status === 401) throw new WaveCannotStart(`the API key is not valid at ${api.baseUrl}: ${describeProblem(answer.body)}`);
  if (answer?.status === 403) throw new WaveCannotStart(`the API key needs the admin role: ${describeProblem(answer.body)}`);
  return answer?.status === 200;
};

const runIdentity = (options: WaveOptions, now: number) => {
  if (options.runId === undefined) return { runId: newRunId(now), epoch: now, resuming: false };
  const epoch = epochOfRunId(options.runId);
  if (epoch > now || now - epoch >= tenHours)
    throw new WaveCannotStart(
      `run ${options.runId} started ${new Date(epoch).toISOString()}; only a run of the last 10 hours (its dispatch window) can be resumed`,
    );
  return { runId: options.runId, epoch, resuming: true };
};

const header = (plan: WavePlan, options: WaveOptions, resuming: boolean, found: boolean): string[] => {
  const parcels = plan.vehicles.reduce((sum, vehicle) => sum + parcelsOf(vehicle).length, 0);
  return [
    `Morning wave ${plan.runId} against ${options.url}${resuming ? ` (resuming${found ? '' : ', though nothing of it was found'})` : ''}`,
    `  ${plan.vehicles.length} vans, ${parcels} parcels; fail rate ${options.failRate}; the routes come from a dispatch window per depot`,
    `  a simulated hour takes ~${Math.round(3_600 / options.speed)}s at --speed ${options.speed}; pings every ${options.pingIntervalMs}ms`,
    `  to resume if interrupted: npm run demo -- --run-id ${plan.runId} (with the same options)`,
  ];
};

export const runMorningWave = async (options: WaveOptions, deps: WaveDeps): Promise<WaveResult> => {
  const startedAt = Date.now();
  const { runId, epoch, resuming } = runIdentity(options, startedAt);
  const planned = planWave({ runId, epoch, vehicles: options.vehicles, stopsPerRoute: options.stopsPerRoute, failRate: options.failRate });
  if (options.drivers.length === 0) throw new WaveCannotStart('no driver key: the drivers answer their route offers with one');
  // Each van's driver is one of the drivers whose keys the demo has, round-robin.
  const plan: WavePlan = {
    ...planned,
    vehicles: planned.vehicles.map((van, index) => ({
      ...van,
      driverId: options.drivers[index % options.drivers.length]?.driverId ?? van.driverId,
    })),
  };
  const stats = createStats(startedAt);
  const api: Api = { baseUrl: options.url, key: options.key, limit: createLimiter(options.concurrency), stats, resuming };
  const found = await preflight(api, plan);
  header(plan, options, resuming, found).forEach((line) => deps.log(line));

  const tracker: Tracker = new Map();
  const pinger = startPinger(api, tracker, options.pingIntervalMs, deps.log);
  let mark = { at: startedAt, deliveries: 0, latencies: 0 };
  const progress = setInterval(() => {
    const next = progressLine(stats, mark, Date.now(), pinger.enabled());
    mark = next.mark;
    deps.log(next.line);
  }, options.progressMs);
  const vans = { api, tracker, speed: options.speed };
  let dispatch: Awaited<ReturnType<typeof dispatchWave>> = { windows: [], dispatched: [] };
  try {
    const ready = await Promise.all(plan.vehicles.map((vehicle) => prepareVehicle(vans, vehicle)));
    const answers = { declineRate: options.declineRate, noAnswerRate: options.noAnswerRate, acceptanceSeconds: options.acceptanceSeconds };
    dispatch = await dispatchWave(api, plan, options.drivers, answers, deps.log);
    const driving = new Set(dispatch.dispatched.map((vehicle) => vehicle.vehicleId));
    await Promise.all([
      ...dispatch.dispatched.map((vehicle) => runJourney(vans, vehicle)),
      ...plan.vehicles
        .filter((vehicle, index) => ready[index] === true && !driving.has(vehicle.vehicleId))
        .map((vehicle) => standDown(vans, vehicle)),
    ]);
  } finally {
    clearInterval(progress);
    await pinger.stop();
  }
  const keyReused = resuming && (stats.byStatus.get(422) ?? 0) > 0;
  const summary = [
    ...summaryLines(stats, plan, Date.now(), pinger.describe()),
    ...dispatchLines(stats, plan, dispatch.windows),
    ...(keyReused ? [`  hint: a resumed run must use the options of run ${runId}'s first run, or its requests differ (422)`] : []),
  ];
  summary.forEach((line) => deps.log(line));
  const routes = new Map(dispatch.dispatched.map((vehicle) => [vehicle.vehicleId, vehicle.routeId]));
  return { ok: stats.unexpected.length === 0 && stats.aborted.length === 0, plan, windows: dispatch.windows, routes, stats, summary };
};
