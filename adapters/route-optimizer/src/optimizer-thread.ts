// The search's own thread: one per optimize call, so seconds of search never hold up the event loop of the
// process that asked (the reactions runtime, `npm start`'s HTTP). It decodes what it is given, solves, and
// answers once.
import { decodeRoutingProblem } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { parentPort, workerData } from 'node:worker_threads';
import { solve } from './search.ts';

export type ThreadRequest = { readonly problem: unknown; readonly startedAt: number };
export type ThreadReply = { readonly ok: true; readonly plan: unknown } | { readonly ok: false; readonly error: string };

const answer = (reply: ThreadReply) => parentPort?.postMessage(reply);

const request: unknown = workerData;
const startedAt =
  typeof request === 'object' && request !== null && 'startedAt' in request && typeof request.startedAt === 'number'
    ? request.startedAt
    : Date.now();
const problem = decodeRoutingProblem(typeof request === 'object' && request !== null && 'problem' in request ? request.problem : undefined);
if (E.isLeft(problem)) answer({ ok: false, error: `the thread was given no valid problem: ${JSON.stringify(problem.left.slice(0, 3))}` });
else answer({ ok: true, plan: solve(problem.right, { startedAt }) });
