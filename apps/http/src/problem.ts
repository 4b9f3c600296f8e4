// RFC 9457 problem details: every error answer of every API has this shape and media type.
import type { CommandError, FieldError } from '@meridian/kernel';

export const problemMediaType = 'application/problem+json';

export type Problem = {
  /** A URI reference naming the kind of problem; documented in docs/problems.md. */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  /** Field errors: a JSON Pointer into the request and what was wrong there. */
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
};

/** Problem type URIs, relative to the API's own origin. */
export const problemType = (slug: string): string => `/problems/${slug}`;

export const problem = (status: number, slug: string, title: string, extra: Omit<Partial<Problem>, 'type' | 'title' | 'status'> = {}): Problem => ({
  type: problemType(slug),
  title,
  status,
  ...extra,
});

/** The one error class: thrown by middleware, rendered by the error boundary. */
export class HttpProblem extends Error {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  constructor(problemDetails: Problem, headers: Readonly<Record<string, string>> = {}) {
    super(problemDetails.detail ?? problemDetails.title);
    this.name = 'HttpProblem';
    this.problem = problemDetails;
    this.headers = headers;
  }
}

export const problems = {
  invalidRequest: (errors: readonly FieldError[], detail = 'the request is not valid; see errors for each field') =>
    problem(400, 'invalid-request', 'Invalid request', { detail, errors }),
  malformedJson: (detail: string) => problem(400, 'malformed-json', 'Malformed JSON', { detail }),
  unauthenticated: (detail = 'send an API key as "Authorization: Bearer <key>"') => problem(401, 'unauthenticated', 'Unauthenticated', { detail }),
  forbidden: (detail: string) => problem(403, 'forbidden', 'Forbidden', { detail }),
  notFound: (detail: string) => problem(404, 'not-found', 'Not found', { detail }),
  methodNotAllowed: (allowed: readonly string[]) => problem(405, 'method-not-allowed', 'Method not allowed', { detail: `allowed: ${allowed.join(', ')}` }),
  conflict: (slug: string, title: string, detail: string, extra: Record<string, unknown> = {}) => problem(409, slug, title, { detail, ...extra }),
  tooLarge: (limit: number) => problem(413, 'payload-too-large', 'Payload too large', { detail: `the body must be at most ${limit} bytes` }),
  unsupportedMediaType: (expected: string) => problem(415, 'unsupported-media-type', 'Unsupported media type', { detail: `send Content-Type: ${expected}` }),
  idempotencyKeyReused: (requestId: string) =>
    problem(422, 'idempotency-key-reused', 'Idempotency key reused', { detail: `the Idempotency-Key "${requestId.slice(requestId.indexOf('/') + 1)}" was first used with a different request` }),
  tooManyRequests: (detail: string) => problem(429, 'too-many-requests', 'Too many requests', { detail }),
  unavailable: (detail: string) => problem(503, 'unavailable', 'Service unavailable', { detail }),
  internal: () => problem(500, 'internal', 'Internal error', { detail: 'the request failed on our side; it is logged and nothing was changed' }),
} as const;

/** How each command error is answered. */
export const problemOfCommandError = (error: CommandError): Problem => {
  switch (error._tag) {
    case 'InvalidCommand':
      return problems.invalidRequest(error.errors);
    case 'CommandRejected':
      return problems.conflict('rule-violated', 'Command rejected', error.error.message, { code: error.error._tag, ...(error.error.detail && { context: error.error.detail }) });
    case 'StreamNotFound':
      return problems.notFound(`${error.streamId} does not exist`);
    case 'StreamAlreadyExists':
      return problems.conflict('already-exists', 'Already exists', `${error.streamId} exists already`);
    case 'ConcurrencyConflict':
      return problems.conflict('concurrency-conflict', 'Concurrent modification', `${error.streamId} kept changing during ${error.attempts} attempts; retry the request`);
    case 'IdempotencyKeyReused':
      return problems.idempotencyKeyReused(error.requestId);
    case 'Forbidden':
      return problems.forbidden(error.message);
  }
};
