// Read-write transactions, retried here rather than by the client's runner: on ABORTED without a retry
// delay from the server the runner waits 2, 4, 8... up to 32 s between attempts. The emulator aborts every
// read-write transaction that meets another (it locks the whole database) and gives no delay, so a few
// concurrent appends took minutes there. Cloud Spanner aborts the younger of two conflicting
// transactions (wound-wait), and retrying it at once is what it recommends; a short jittered backoff keeps
// writers of one hot stream from retrying in lockstep.
//
// The emulator also makes a transaction that meets another wait seconds before it aborts it (measured
// here: 2-7 s, even after the other committed). So on the emulator a store runs its read-write
// transactions one at a time (`oneAtATime`): its own appends then never meet there, and only another
// process's writes can still cost those seconds. Cloud Spanner needs no such thing.
import type { Database, Transaction } from '@google-cloud/spanner';
import { setTimeout as delay } from 'node:timers/promises';

const aborted = (error: unknown) => typeof error === 'object' && error !== null && 'code' in error && error.code === 10;

/** Milliseconds before attempt `attempt + 1`: 5, 10, 20 ... up to 200, with as much again at random. */
export const backoffMs = (attempt: number): number => {
  const base = Math.min(5 * 2 ** (attempt - 1), 200);
  return base + Math.floor(Math.random() * base);
};

/**
 * Runs `body` in a read-write transaction until it is not aborted. `body` commits when it writes; when it
 * returns without committing, the transaction is rolled back, which releases its locks at once (ended
 * alone, it would hold them until it timed out: seconds of every other writer waiting, on the emulator).
 */
export const readWrite = async <A>(database: Database, body: (transaction: Transaction) => Promise<A>, maxAttempts = 100): Promise<A> => {
  for (let attempt = 1; ; attempt++) {
    const [transaction] = await database.getTransaction();
    try {
      const result = await body(transaction);
      if (transaction.commitTimestamp === undefined) await transaction.rollback();
      return result;
    } catch (error) {
      if (!aborted(error) || attempt >= maxAttempts) throw error;
    } finally {
      transaction.end();
    }
    await delay(backoffMs(attempt));
  }
};

/** Runs what it is given one at a time, in order: a lock without a holder to forget. */
export type Gate = <A>(run: () => Promise<A>) => Promise<A>;

export const oneAtATime = (): Gate => {
  let last: Promise<unknown> = Promise.resolve();
  return <A>(run: () => Promise<A>) => {
    const next = last.then(run, run);
    last = next.catch(() => undefined);
    return next;
  };
};

export const concurrently: Gate = (run) => run();
