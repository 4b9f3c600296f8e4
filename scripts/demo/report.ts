// How the wave reports: a progress line every few seconds, and a summary at the end.
import type { WindowOutcome } from './dispatch.ts';
import type { WavePlan } from './plan.ts';
import { parcelsOf } from './plan.ts';
import { percentile, type WaveStats } from './stats.ts';

/** Where the previous progress line left off, so each line can show rates over its own interval. */
export type ProgressMark = { readonly at: number; readonly deliveries: number; readonly latencies: number };

const ms = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)}ms`);

const elapsed = (fromMs: number, toMs: number) => {
  const seconds = Math.round((toMs - fromMs) / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
};

export const statusBreakdown = (stats: WaveStats): string =>
  [...stats.byStatus.entries()]
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([status, count]) => `${status}:${count}`)
    .join(' ');

export const progressLine = (
  stats: WaveStats,
  mark: ProgressMark,
  now: number,
  telemetryOn: boolean,
): { line: string; mark: ProgressMark } => {
  const window = stats.latenciesMs.slice(mark.latencies);
  const perSecond = ((stats.deliveries - mark.deliveries) / Math.max(0.001, (now - mark.at) / 1000)).toFixed(1);
  const line = `[${elapsed(stats.startedAt, now).padStart(6)}] ${[
    `commands ${stats.commandsSent} sent, ${stats.commandsAccepted} accepted (${statusBreakdown(stats) || 'none yet'})`,
    telemetryOn ? `pings ${stats.pingsAccepted} accepted` : 'pings off',
    `delivered ${stats.deliveries} (${perSecond}/s)`,
    `latency p50 ${ms(percentile(window, 50))} p99 ${ms(percentile(window, 99))}`,
    `routes ${stats.routesStarted} started, ${stats.routesFinished} finished`,
  ].join(' | ')}`;
  return { line, mark: { at: now, deliveries: stats.deliveries, latencies: stats.latenciesMs.length } };
};

const examplesShown = 10;

export const summaryLines = (stats: WaveStats, plan: WavePlan, now: number, telemetry: string): string[] => {
  const parcels = plan.vehicles.reduce((sum, vehicle) => sum + parcelsOf(vehicle).length, 0);
  const seconds = Math.max(0.001, (now - stats.startedAt) / 1000);
  const lines = [
    '',
    `Morning wave ${plan.runId}: ${stats.unexpected.length === 0 && stats.aborted.length === 0 ? 'done' : 'done WITH ERRORS'} in ${elapsed(stats.startedAt, now)}`,
    `  vehicles  ${plan.vehicles.length} planned, ${stats.vehiclesDone} back at the depot and off duty, ${stats.aborted.length} aborted`,
    `  routes    ${stats.routesFinished} finished of ${stats.routesStarted} started; stops ${stats.stopsCompleted} completed, ${stats.stopsSkipped} skipped`,
    `  parcels   ${parcels}: ${stats.deliveries} delivered (${(stats.deliveries / seconds).toFixed(1)}/s), ${stats.failedAttempts} failed attempts, ${stats.returned} returned to the depot`,
    `  commands  ${stats.commandsSent} sent, ${stats.commandsAccepted} accepted (${stats.commandsReplayed} idempotent replays); by status ${statusBreakdown(stats)}`,
    `  latency   p50 ${ms(percentile(stats.latenciesMs, 50))}, p90 ${ms(percentile(stats.latenciesMs, 90))}, ` +
      `p99 ${ms(percentile(stats.latenciesMs, 99))}, max ${ms(percentile(stats.latenciesMs, 100))}`,
    `  telemetry ${telemetry}`,
    ...(stats.explainedByRerun > 0 ? [`  ${stats.explainedByRerun} refusal(s) explained by resuming an earlier run (not errors)`] : []),
    ...stats.aborted.map((reason) => `  aborted: ${reason}`),
  ];
  if (stats.unexpected.length === 0) return [...lines, '  unexpected errors: none'];
  return [
    ...lines,
    `  unexpected errors: ${stats.unexpected.length}${stats.unexpected.length > examplesShown ? ` (first ${examplesShown})` : ''}`,
    ...stats.unexpected
      .slice(0, examplesShown)
      .map((failure) => `    ${failure.method} ${failure.path} -> ${failure.status}: ${failure.problem}`),
  ];
};

/** The dispatch: each window's outcome, the drivers' answers, and every parcel of the run not dispatched, with why. */
export const dispatchLines = (stats: WaveStats, plan: WavePlan, windows: readonly WindowOutcome[]): string[] => {
  const ours = new Set(plan.vehicles.flatMap(parcelsOf).map((parcel) => parcel.parcelId));
  const notDispatched = windows.flatMap((window) => window.notDispatched).filter((entry) => ours.has(entry.parcelId));
  const selected = new Set(windows.flatMap((window) => window.routes.flatMap((route) => route.parcelIds)));
  const neverSelected = [...ours].filter(
    (parcelId) => !selected.has(parcelId) && !notDispatched.some((entry) => entry.parcelId === parcelId),
  );
  const reasons = new Map<string, number>();
  for (const { reason } of notDispatched) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  if (neverSelected.length > 0) reasons.set('not selected (due after the window, or no depot near)', neverSelected.length);
  const confirmed = windows.flatMap((window) => window.routes).filter((route) => route.status === 'confirmed').length;
  return [
    `  dispatch  ${windows.length} window(s): ${windows.map((window) => `${window.depot.depotId} ${window.outcome}`).join(', ')}; ${confirmed} route(s) confirmed, ${stats.vehiclesIdle} van(s) without a route`,
    `  offers    ${stats.offersAccepted} accepted, ${stats.offersDeclined} declined, ${stats.offersUnanswered} not answered`,
    `  not dispatched ${notDispatched.length + neverSelected.length} parcel(s) of this run${
      reasons.size === 0 ? '' : `: ${[...reasons.entries()].map(([reason, n]) => `${reason} ${n}`).join(', ')}`
    }`,
    ...notDispatched.slice(0, examplesShown).map((entry) => `    ${entry.parcelId}: ${entry.reason}`),
  ];
};
