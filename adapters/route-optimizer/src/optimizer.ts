// The embedded RouteOptimizer: the problem is checked (codec and the rules between fields), then solved on
// a thread of its own (or on the caller's, for benchmarks and tests of the search itself).
import { decodeRoutingProblem, RoutePlan, type OptimizerFailure, type RouteOptimizer, type RoutingProblem } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { Worker } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest } from './optimizer-thread.ts';
import { optimizerName, solve } from './search.ts';

export type EmbeddedOptimizerOptions = {
  /** `worker` (default): a thread per call; `caller`: on the calling thread, blocking it for the search. */
  readonly thread?: 'worker' | 'caller';
  /**
   * How long past its time limit a call may go before its thread is stopped and the call fails: the limit
   * bounds the search, not a thread's start-up on a machine too busy to give it a core.
   */
  readonly graceMs?: number;
};

const unavailable = (message: string): OptimizerFailure => ({ _tag: 'OptimizerUnavailable', message });

const onThread = (problem: RoutingProblem, graceMs: number): Promise<E.Either<OptimizerFailure, RoutePlan>> =>
  new Promise((resolve) => {
    const worker = new Worker(new URL('./optimizer-thread.ts', import.meta.url), {
      workerData: { problem, startedAt: Date.now() } satisfies ThreadRequest,
    });
    let settled = false;
    const settle = (outcome: E.Either<OptimizerFailure, RoutePlan>) => {
      if (settled) return;
      settled = true;
      clearTimeout(overdue);
      void worker.terminate();
      resolve(outcome);
    };
    const overdue = setTimeout(
      () => settle(E.left(unavailable(`no plan within the time limit of ${problem.search.timeLimitMs} ms (and ${graceMs} ms of grace)`))),
      problem.search.timeLimitMs + graceMs,
    );
    worker.once('message', (reply: ThreadReply) => {
      if (!reply.ok) return settle(E.left(unavailable(reply.error)));
      const plan = RoutePlan.decode(reply.plan);
      settle(E.isRight(plan) ? E.right(plan.right) : E.left(unavailable('the search thread answered something that is not a plan')));
    });
    worker.once('error', (error) => settle(E.left(unavailable(`the search thread failed: ${error.message}`))));
    worker.once('exit', (code) => settle(E.left(unavailable(`the search thread exited (${code}) without a plan`))));
  });

export const createEmbeddedRouteOptimizer = (options: EmbeddedOptimizerOptions = {}): RouteOptimizer => {
  const graceMs = options.graceMs ?? 10_000;
  return {
    name: optimizerName,
    optimize: async (problem) => {
      // Checked again here: a typed value may still break a rule between fields, or hold NaN.
      const checked = decodeRoutingProblem(problem);
      if (E.isLeft(checked)) return E.left({ _tag: 'InvalidProblem', errors: checked.left });
      return options.thread === 'caller' ? E.right(solve(checked.right)) : onThread(checked.right, graceMs);
    },
  };
};
