// One POST to a receiver, with node:http(s). It connects only to the addresses the destination check
// passed (a `lookup` that answers with them), follows no redirect (a 3xx is an answer like any other
// non-2xx), reads at most `maxResponseBytes` of the answer, and gives up after `timeoutMs` in all
// (connect, send, answer, body). One connection per attempt: no pooled socket outlives its check.
import type { IncomingHttpHeaders } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIPv6, type LookupFunction } from 'node:net';

export type PostRequest = {
  readonly url: URL;
  /** The addresses to connect to (checked); the URL's host still names the server (Host header, TLS SNI). */
  readonly addresses: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly signal?: AbortSignal;
};

export type PostResponse = {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** At most maxResponseBytes. */
  readonly body: Buffer;
  readonly truncated: boolean;
};

/** Resolves with the receiver's answer; rejects when none came (refused, reset, timed out, aborted). */
export type PostWebhook = (request: PostRequest) => Promise<PostResponse>;

export class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
    this.name = 'AttemptTimeout';
  }
}

/** A lookup that answers with the checked addresses only, whatever DNS says now. */
export const pinnedLookup =
  (addresses: readonly string[]): LookupFunction =>
  (_hostname, options, callback) => {
    const all = addresses.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }));
    const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
    const first = wanted[0];
    if (first === undefined) {
      callback(Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' }), '', 4);
      return;
    }
    if (options.all) callback(null, wanted);
    else callback(null, first.address, first.family);
  };

/** Reads the answer up to `max` bytes, then calls `done` once (with what was read, or the error). */
const readCapped = (
  response: http.IncomingMessage,
  max: number,
  done: (outcome: { body: Buffer; truncated: boolean } | Error) => void,
): void => {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (outcome: { body: Buffer; truncated: boolean } | Error) => {
    if (finished) return;
    finished = true;
    done(outcome);
  };
  response.on('data', (chunk: Buffer) => {
    const room = max - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    if (chunk.length >= room) {
      // The status is what matters; the rest of a large body is not worth reading.
      finish({ body: Buffer.concat(chunks), truncated: true });
      response.destroy();
    }
  });
  response.on('end', () => finish({ body: Buffer.concat(chunks), truncated: false }));
  response.on('error', (error) => finish(error));
  response.on('aborted', () => finish(new Error('the answer was cut off')));
};

export const postWebhook: PostWebhook = ({ url, addresses, headers, body, timeoutMs, maxResponseBytes, signal }) =>
  new Promise<PostResponse>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const payload = Buffer.from(body, 'utf8');
    const request = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(payload.length), connection: 'close' },
      lookup: pinnedLookup(addresses),
      agent: false,
      ...(signal !== undefined && { signal }),
    });
    let settled = false;
    const settle = (outcome: PostResponse | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => {
      // Settled first: destroying the request makes the answer's stream fail with a vaguer error.
      const timeout = new AttemptTimeout(timeoutMs);
      settle(timeout);
      request.destroy(timeout);
    }, timeoutMs);
    request.on('error', settle);
    request.on('response', (response) =>
      readCapped(response, maxResponseBytes, (outcome) =>
        settle(
          outcome instanceof Error
            ? outcome
            : { statusCode: response.statusCode ?? 0, headers: response.headers, body: outcome.body, truncated: outcome.truncated },
        ),
      ),
    );
    request.end(payload);
  });
