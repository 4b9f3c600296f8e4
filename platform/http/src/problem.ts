// RFC 9457 problem details: every error answer of every API has this shape and media type, and its `type`
// is one of the problem types below, each documented in docs/problems.md and served at its URI.
import type { CommandError, FieldError } from '@meridian/kernel';

export const problemMediaType = 'application/problem+json';

/** Where a parameter travels, as OpenAPI names it. */
export type ParameterLocation = 'query' | 'path' | 'header';

/** A parameter that failed validation: named, not pointed at (a JSON Pointer is for the body only). */
export type ParameterError = { readonly parameter: string; readonly in: ParameterLocation; readonly detail: string };

/** One failure of a request: a body field (`pointer`) or a parameter (`parameter`). */
export type RequestError = FieldError | ParameterError;

export type Problem = {
  /** A URI reference naming the kind of problem, whose documentation every API serves there. */
  readonly type: ProblemTypeUri;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  /** What was wrong, one entry per body field (JSON Pointer) or parameter (its name). */
  readonly errors?: readonly RequestError[];
  readonly [extension: string]: unknown;
};

/**
 * Every problem type the APIs answer with, its status and its fixed title. Problems are made only from
 * this table, so a type cannot be answered without being here; docs/problems.md documents each one (a
 * test holds the two together) and every API serves that documentation at the type's URI.
 */
export const problemTypes = {
  'invalid-request': { status: 400, title: 'Invalid request' },
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  'sql-rejected': { status: 400, title: 'Query refused' },
  'bad-request': { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Unauthenticated' },
  forbidden: { status: 403, title: 'Forbidden' },
  'tracking-link-invalid': { status: 403, title: 'Tracking link not valid' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'rule-violated': { status: 409, title: 'Command rejected' },
  'already-exists': { status: 409, title: 'Already exists' },
  'concurrency-conflict': { status: 409, title: 'Concurrent modification' },
  'request-in-flight': { status: 409, title: 'Request in flight' },
  'endpoint-disabled': { status: 409, title: 'Endpoint disabled' },
  'route-unavailable': { status: 409, title: 'Route unavailable' },
  'wrong-vehicle': { status: 409, title: 'Wrong vehicle' },
  'load-over-capacity': { status: 409, title: 'Load over capacity' },
  'parcels-unavailable': { status: 409, title: 'Parcels unavailable' },
  'tracking-link-expired': { status: 410, title: 'Tracking link expired' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused' },
  internal: { status: 500, title: 'Internal error' },
  'not-implemented': { status: 501, title: 'Method not implemented' },
  unavailable: { status: 503, title: 'Service unavailable' },
  'query-timeout': { status: 503, title: 'Query timed out' },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;

export type ProblemSlug = keyof typeof problemTypes;

export type ProblemTypeUri = `/problems/${ProblemSlug}`;

export const isProblemSlug = (slug: string): slug is ProblemSlug => Object.hasOwn(problemTypes, slug);

export const problemSlugs: readonly ProblemSlug[] = Object.keys(problemTypes).filter(isProblemSlug);

/** Problem type URIs, relative to the API's own origin. */
export const problemType = (slug: ProblemSlug): ProblemTypeUri => `/problems/${slug}`;

type ProblemExtras = Omit<Partial<Problem>, 'type' | 'title' | 'status'>;

export const problem = (slug: ProblemSlug, extra: ProblemExtras = {}): Problem => ({
  type: problemType(slug),
  title: problemTypes[slug].title,
  status: problemTypes[slug].status,
  ...extra,
});

type ConflictSlug = { [S in ProblemSlug]: (typeof problemTypes)[S]['status'] extends 409 ? S : never }[ProblemSlug];

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
  invalidRequest: (errors: readonly RequestError[], detail = 'the request is not valid; see errors for each field or parameter') =>
    problem('invalid-request', { detail, errors }),
  malformedJson: (detail: string) => problem('malformed-json', { detail }),
  /** A 4xx that koa or a library under it raised before our code could say more: the status is theirs. */
  badRequest: (status: number, detail: string): Problem => ({ ...problem('bad-request', { detail }), status }),
  unauthenticated: (detail = 'send an API key as "Authorization: Bearer <key>"') => problem('unauthenticated', { detail }),
  forbidden: (detail: string) => problem('forbidden', { detail }),
  trackingLinkInvalid: () =>
    problem('tracking-link-invalid', { detail: 'this tracking link is not one the platform made: ask the sender for the link again' }),
  trackingLinkExpired: () => problem('tracking-link-expired', { detail: 'this tracking link has expired: ask the sender for a new one' }),
  notFound: (detail: string) => problem('not-found', { detail }),
  methodNotAllowed: (allowed: readonly string[]) => problem('method-not-allowed', { detail: `allowed: ${allowed.join(', ')}` }),
  notImplemented: (method: string) => problem('not-implemented', { detail: `no API here takes the method ${method}` }),
  conflict: (slug: ConflictSlug, detail: string, extra: Record<string, unknown> = {}) => problem(slug, { detail, ...extra }),
  tooLarge: (limit: number) => problem('payload-too-large', { detail: `the body must be at most ${limit} bytes` }),
  unsupportedMediaType: (expected: string) => problem('unsupported-media-type', { detail: `send Content-Type: ${expected}` }),
  idempotencyKeyReused: (requestId: string) =>
    problem('idempotency-key-reused', {
      detail: `the Idempotency-Key "${requestId.slice(requestId.indexOf('/') + 1)}" was first used with a different request`,
    }),
  unavailable: (detail: string) => problem('unavailable', { detail }),
  internal: () => problem('internal', { detail: 'the request failed on our side; it is logged and nothing was changed' }),
} as const;

/** A bad query, path or header parameter: a 400 that names it. */
export const invalidParameter = (parameter: string, location: ParameterLocation, detail: string): HttpProblem =>
  new HttpProblem(problems.invalidRequest([{ parameter, in: location, detail }]));

/** How each command error is answered. */
export const problemOfCommandError = (error: CommandError): Problem => {
  switch (error._tag) {
    case 'InvalidCommand':
      return problems.invalidRequest(error.errors);
    case 'CommandRejected':
      return problems.conflict('rule-violated', error.error.message, {
        code: error.error._tag,
        ...(error.error.detail && { context: error.error.detail }),
      });
    case 'StreamNotFound':
      return problems.notFound(`${error.streamId} does not exist`);
    case 'StreamAlreadyExists':
      return problems.conflict('already-exists', `${error.streamId} exists already`);
    case 'ConcurrencyConflict':
      return problems.conflict(
        'concurrency-conflict',
        `${error.streamId} kept changing during ${error.attempts} attempts; retry the request`,
      );
    case 'IdempotencyKeyReused':
      return problems.idempotencyKeyReused(error.requestId);
    case 'Forbidden':
      return problems.forbidden(error.message);
  }
};
