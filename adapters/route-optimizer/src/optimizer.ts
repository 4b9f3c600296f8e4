// The embedded RouteOptimizer: the problem is checked (codec and the rules between fields), then solved on
// the optimizer's own thread (or on the caller's, for benchmarks and tests of the search itself).
//
// The thread is started on the first call and kept: loading its modules takes a few hundred milliseconds,
// which a short time limit could not spare on every call. It takes calls one at a time (a search keeps a
// core busy; two at once would only share it), and each call's time limit counts from when it was made,
// its wait behind an earlier one included, but not the thread's first start. An idle thread does not keep
// the process alive. A thread that fails, or does not answer by its time limit and a grace, is stopped; its
// calls fail as unavailable (worth a retry) and the next call starts a new one.
import { decodeRoutingProblem, RoutePlan, type OptimizerFailure, type RouteOptimizer, type RoutingProblem } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { Worker } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest } from './optimizer-thread.ts';
import { optimizerName, solve } from './search.ts';

export type EmbeddedOptimizerOptions = {
  /** `worker` (default): on the optimizer's own thread; `caller`: on the calling thread, blocking it for the search. */
  readonly thread?: 'worker' | 'caller';
  /** How long past its time limit a call may go before the thread is stopped and the call fails. */
  readonly graceMs?: number;
};

type Outcome = E.Either<OptimizerFailure, RoutePlan>;
type Call = { readonly settle: (outcome: Outcome) => void; readonly overdue: NodeJS.Timeout };

const unavailable = (message: string): Outcome => E.left({ _tag: 'OptimizerUnavailable', message });

const searchThread = (graceMs: number) => {
  let worker: Worker | undefined;
  let ready: Promise<boolean> = Promise.resolve(false);
  const calls = new Map<number, Call>();
  let nextId = 0;

  const stop = (reason: string) => {
    const stopping = worker;
    worker = undefined;
    void stopping?.terminate();
    for (const call of calls.values()) call.settle(unavailable(reason));
  };

  const onReply = (reply: ThreadReply) => {
    if (reply.kind === 'ready') return;
    const call = calls.get(reply.id);
    if (call === undefined) return;
    if (reply.kind === 'failed') return call.settle(unavailable(reply.error));
    const plan = RoutePlan.decode(reply.plan);
    call.settle(E.isRight(plan) ? E.right(plan.right) : unavailable('the search thread answered something that is not a plan'));
  };

  const start = () => {
    const started = new Worker(new URL('./optimizer-thread.ts', import.meta.url));
    started.unref();
    worker = started;
    ready = new Promise((resolve) => {
      started.on('message', (reply: ThreadReply) => (reply.kind === 'ready' ? resolve(true) : onReply(reply)));
      started.once('error', (error) => {
        resolve(false);
        if (worker === started) stop(`the search thread failed: ${error.message}`);
      });
      started.once('exit', (code) => {
        resolve(false);
        if (worker === started) stop(`the search thread exited (${code})`);
      });
    });
  };

  return async (problem: RoutingProblem): Promise<Outcome> => {
    if (worker === undefined) start();
    if (!(await ready) || worker === undefined) return unavailable('the search thread did not start');
    const running = worker;
    const id = nextId++;
    return new Promise<Outcome>((resolve) => {
      const overdue = setTimeout(
        () => stop(`no plan within the time limit of ${problem.search.timeLimitMs} ms and ${graceMs} ms of grace`),
        problem.search.timeLimitMs + graceMs,
      );
      calls.set(id, {
        overdue,
        settle: (outcome) => {
          clearTimeout(overdue);
          calls.delete(id);
          if (calls.size === 0) running.unref();
          resolve(outcome);
        },
      });
      running.ref();
      running.postMessage({ id, problem, startedAt: Date.now() } satisfies ThreadRequest);
    });
  };
};

export const createEmbeddedRouteOptimizer = (options: EmbeddedOptimizerOptions = {}): RouteOptimizer => {
  const onThread = searchThread(options.graceMs ?? 10_000);
  return {
    name: optimizerName,
    optimize: async (problem) => {
      // Checked again here: a typed value may still break a rule between fields, or hold NaN.
      const checked = decodeRoutingProblem(problem);
      if (E.isLeft(checked)) return E.left({ _tag: 'InvalidProblem', errors: checked.left });
      return options.thread === 'caller' ? E.right(solve(checked.right)) : onThread(checked.right);
    },
  };
};
