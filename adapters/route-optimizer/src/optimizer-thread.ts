// The search's own thread, so that seconds of search never hold up the event loop of the process that
// asked (the reactions runtime, `npm start`'s HTTP). It says when it is ready (its modules loaded), then
// takes one problem at a time, in the order they came, decodes it and answers its plan.
import { decodeRoutingProblem } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { parentPort } from 'node:worker_threads';
import { solve } from './search.ts';

export type ThreadRequest = { readonly id: number; readonly problem: unknown; readonly startedAt: number };
export type ThreadReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'plan'; readonly id: number; readonly plan: unknown }
  | { readonly kind: 'failed'; readonly id: number; readonly error: string };

const port = parentPort;
if (port === null) throw new Error('optimizer-thread.ts runs as a worker thread');

const answer = (reply: ThreadReply) => port.postMessage(reply);

port.on('message', (request: unknown) => {
  if (typeof request !== 'object' || request === null || !('id' in request) || typeof request.id !== 'number') return;
  const id = request.id;
  const startedAt = 'startedAt' in request && typeof request.startedAt === 'number' ? request.startedAt : Date.now();
  const problem = decodeRoutingProblem('problem' in request ? request.problem : undefined);
  if (E.isLeft(problem)) return answer({ kind: 'failed', id, error: `not a valid problem: ${JSON.stringify(problem.left.slice(0, 3))}` });
  answer({ kind: 'plan', id, plan: solve(problem.right, { startedAt }) });
});
answer({ kind: 'ready' });
