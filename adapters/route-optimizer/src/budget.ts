// What bounds a search: an effort (work units, counted the same on every machine, so the same seed gives
// the same plan) and a wall-clock deadline (the time limit, a guard that may cut the search on a slow or
// busy machine; a plan cut by it says so).
export type Budget = {
  /** Counts work done: insertion positions evaluated, route positions rebuilt. */
  readonly spend: (units: number) => void;
  /** Work spent so far, as a fraction of the effort (0..1). */
  readonly progress: () => number;
  /** Effort spent, or the deadline passed. */
  readonly exhausted: () => boolean;
  /** Only the deadline (construction finishes its effort-free steps unless the clock runs out). */
  readonly outOfTime: () => boolean;
  /** Whether the deadline, not the effort, stopped anything. */
  readonly wasCut: () => boolean;
};

export const budgetOf = ({ work, deadlineMs, now }: { work: number; deadlineMs: number; now: () => number }): Budget => {
  let spent = 0;
  let cut = false;
  const outOfTime = () => {
    if (!cut && now() >= deadlineMs) cut = true;
    return cut;
  };
  return {
    spend: (units) => {
      spent += units;
    },
    progress: () => Math.min(1, spent / work),
    exhausted: () => spent >= work || outOfTime(),
    outOfTime,
    wasCut: () => cut,
  };
};
