// The saga's timers and activity keys, named after the step they belong to (so a late or repeated firing
// can be told from the current one), and its retry policy.
import type { RouteId } from '@meridian/route';

/** The optimizer is asked at most this many times; between attempts the saga waits 10 s, then 30 s, then 90 s. */
export const optimizeRetry = { maxAttempts: 4, firstDelaySeconds: 10, factor: 3 } as const;

/** How long after its time limit an optimization's answer is awaited before the attempt counts as failed. */
export const optimizeGraceSeconds = 60;

export const backoffSeconds = (attempt: number): number => optimizeRetry.firstDelaySeconds * optimizeRetry.factor ** (attempt - 1);

export const optimizeKey = (attempt: number) => `optimize-${attempt}`;

export const timerNames = {
  optimizeTimeout: (attempt: number) => `optimize-timeout-${attempt}`,
  optimizeRetry: (attempt: number) => `optimize-retry-${attempt}`,
  offer: (routeId: RouteId, attempt: number) => `offer-${routeId}-${attempt}`,
} as const;

export type TimerStep =
  | { readonly step: 'optimize-timeout' | 'optimize-retry'; readonly attempt: number }
  | { readonly step: 'offer'; readonly routeId: string; readonly attempt: number };

/** Which step a timer belongs to, by its name. */
export const timerStepOf = (name: string): TimerStep | undefined => {
  const optimize = /^optimize-(timeout|retry)-(\d+)$/.exec(name);
  if (optimize !== null) return { step: optimize[1] === 'timeout' ? 'optimize-timeout' : 'optimize-retry', attempt: Number(optimize[2]) };
  const offer = /^offer-(.+)-(\d+)$/.exec(name);
  return offer === null ? undefined : { step: 'offer', routeId: offer[1] ?? '', attempt: Number(offer[2]) };
};

/** The attempt an optimize activity's key names. */
export const attemptOfKey = (key: string): number | undefined => {
  const match = /^optimize-(\d+)$/.exec(key);
  return match === null ? undefined : Number(match[1]);
};
