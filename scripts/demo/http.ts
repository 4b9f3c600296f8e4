// The HTTP side: plain fetch, a cap on requests in flight, and retries that are safe because every
// command carries an Idempotency-Key. Network errors, 503 and 429 (after Retry-After), 409
// concurrency-conflict and 409 request-in-flight (an earlier attempt is still being handled; after
// Retry-After) are retried; any other answer is final.
import { isRecord } from '@meridian/kernel';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordAttempt, recordUnexpected, type StatusKey, type WaveStats } from './stats.ts';

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** At most `max` tasks at once; the rest wait their turn. */
export const createLimiter = (max: number): Limiter => {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
};

export type Api = {
  readonly baseUrl: string;
  readonly key: string;
  readonly limit: Limiter;
  readonly stats: WaveStats;
  /** A resumed run (same run id) may meet its own earlier work; such refusals are not errors. */
  readonly resuming: boolean;
  readonly timeoutMs?: number;
};

export type Answer = { readonly status: number; readonly headers: Headers; readonly body: unknown; readonly latencyMs: number };

export type Exchange = {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
};

/** One request and its answer; undefined when the network failed (refused, reset, timed out). */
export const exchange = async (api: Pick<Api, 'baseUrl' | 'key' | 'timeoutMs'>, request: Exchange): Promise<Answer | undefined> => {
  const started = performance.now();
  try {
    const response = await fetch(`${api.baseUrl}${request.path}`, {
      method: request.method,
      headers: {
        authorization: `Bearer ${api.key}`,
        ...(request.body !== undefined && { 'content-type': 'application/json' }),
        ...request.headers,
      },
      ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(api.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseJson(text), latencyMs: performance.now() - started };
  } catch {
    return undefined;
  }
};

const parseJson = (text: string): unknown => {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const field = (body: unknown, name: string): string | undefined => {
  const value = isRecord(body) ? body[name] : undefined;
  return typeof value === 'string' ? value : undefined;
};

/** A problem+json answer in one line: its type, the rule's code, and the detail. */
export const describeProblem = (body: unknown): string => {
  if (typeof body === 'string') return body.slice(0, 200);
  const type = field(body, 'type') ?? field(body, 'title') ?? 'no problem details';
  const code = field(body, 'code');
  const detail = field(body, 'detail');
  return [type, code, detail && `"${detail}"`].filter((part) => part !== undefined && part !== '').join(' ');
};

/** Milliseconds to wait as Retry-After says (seconds or an HTTP date), at most a minute. */
export const retryAfterMs = (header: string | null, now: number = Date.now()): number | undefined => {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isNaN(wait) ? undefined : Math.min(60_000, Math.max(0, wait));
};

/** Exponential backoff with jitter: 0.2s, 0.4s, ... at most 10s. */
export const backoffMs = (attempt: number): number => Math.min(10_000, 200 * 2 ** (attempt - 1)) * (0.5 + Math.random());

export type RetryVerdict = { readonly retry: false } | { readonly retry: true; readonly waitMs: number };

/** Whether an answer (or a failed network) is worth another try, and after how long. */
export const retryVerdict = (answer: Answer | undefined, attempt: number): RetryVerdict => {
  if (answer === undefined) return { retry: true, waitMs: backoffMs(attempt) };
  if (answer.status === 503 || answer.status === 429)
    return { retry: true, waitMs: retryAfterMs(answer.headers.get('retry-after')) ?? backoffMs(attempt) };
  if (answer.status === 409 && field(answer.body, 'type')?.endsWith('/concurrency-conflict') === true)
    return { retry: true, waitMs: backoffMs(attempt) };
  if (answer.status === 409 && field(answer.body, 'type')?.endsWith('/request-in-flight') === true)
    return { retry: true, waitMs: retryAfterMs(answer.headers.get('retry-after')) ?? backoffMs(attempt) };
  return { retry: false };
};

/** Sends a request until it gets a final answer or runs out of attempts; `onAnswer` sees every attempt. */
export const withRetries = async (
  send: () => Promise<Answer | undefined>,
  { maxAttempts, onAnswer }: { maxAttempts: number; onAnswer?: (answer: Answer | undefined) => void },
): Promise<Answer | undefined> => {
  for (let attempt = 1; ; attempt++) {
    const answer = await send();
    onAnswer?.(answer);
    const verdict = retryVerdict(answer, attempt);
    if (!verdict.retry || attempt >= maxAttempts) return answer;
    await sleep(verdict.waitMs);
  }
};

/** Rule codes that mean "this step was done already": what a resumed run can meet. */
const alreadyDone = /^(\w+Already\w+|StopAlreadyClosed)$/;

const explainedByRerun = (api: Api, answer: Answer): boolean =>
  api.resuming &&
  answer.status === 409 &&
  (field(answer.body, 'type')?.endsWith('/already-exists') === true || alreadyDone.test(field(answer.body, 'code') ?? ''));

export type CommandRequest = {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly idempotencyKey: string;
  readonly correlationId?: string;
  /** A refusal's code (409) the sender expects and handles itself: not an error. */
  readonly handles?: string;
};

export type CommandOutcome =
  | { readonly ok: true; readonly replayed: boolean; readonly body: unknown }
  | { readonly ok: false; readonly status: StatusKey; readonly problem: string; readonly explained: boolean };

const commandAttempts = 8;

/** POSTs a command, retrying what is safe to retry, and records every attempt and any unexpected failure. */
export const sendCommand = async (api: Api, request: CommandRequest): Promise<CommandOutcome> => {
  const answer = await api.limit(() =>
    withRetries(
      () =>
        exchange(api, {
          method: 'POST',
          path: request.path,
          body: request.body,
          headers: {
            'idempotency-key': request.idempotencyKey,
            ...(request.correlationId !== undefined && { 'x-correlation-id': request.correlationId }),
          },
        }),
      {
        maxAttempts: commandAttempts,
        onAnswer: (attempt) => recordAttempt(api.stats, attempt?.status ?? 'network', attempt?.latencyMs ?? 0),
      },
    ),
  );
  if (answer !== undefined && answer.status === 202) {
    const replayed = answer.headers.get('idempotent-replayed') === 'true';
    api.stats.commandsAccepted += 1;
    if (replayed) api.stats.commandsReplayed += 1;
    return { ok: true, replayed, body: answer.body };
  }
  const status = answer?.status ?? 'network';
  const problem = answer === undefined ? `no answer after ${commandAttempts} attempts` : describeProblem(answer.body);
  const explained = answer !== undefined && explainedByRerun(api, answer);
  if (answer?.status === 409 && request.handles !== undefined && field(answer.body, 'code') === request.handles)
    return { ok: false, status, problem, explained };
  if (explained) api.stats.explainedByRerun += 1;
  else recordUnexpected(api.stats, { method: 'POST', path: request.path, status, problem });
  return { ok: false, status, problem, explained };
};
