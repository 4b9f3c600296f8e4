// The RouteOptimizer on Google's Route Optimization API: POST projects/{project}[/locations/{location}]:optimizeTours
// with a bearer token from the environment's credentials (Application Default Credentials: a service
// account key in GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, or the metadata server on Google Cloud).
// It plans geographic problems only (its distances are the Earth's). Failures are tagged as the port says:
// no answer, a timeout, 429 and 5xx are transient (retry); a refused request (400, 401, 403, 404) is not.
import {
  decodeRoutingProblem,
  distanceUnitOf,
  RoutePlan,
  type GeographicProblem,
  type OptimizerFailure,
  type RouteOptimizer,
} from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { GoogleAuth } from 'google-auth-library';
import { optimizeToursRequest } from './request.ts';
import { googleOptimizerName, planFromResponse } from './response.ts';

export type GoogleRouteOptimizerOptions = {
  /** The Google Cloud project with the Route Optimization API enabled (billed for the calls). */
  readonly projectId: string;
  /** A region (`us-central1`), or none for the global endpoint. */
  readonly location?: string;
  /** Default https://routeoptimization.googleapis.com. */
  readonly endpoint?: string;
  /** A bearer token per call; by default from Application Default Credentials. */
  readonly accessToken?: () => Promise<string>;
  /** How long past the problem's time limit to wait for the answer (the network, the service's own overhead). Default 10 s. */
  readonly marginMs?: number;
};

const scope = 'https://www.googleapis.com/auth/cloud-platform';

export const applicationDefaultToken = (): (() => Promise<string>) => {
  const auth = new GoogleAuth({ scopes: [scope] });
  return async () => {
    const token = await auth.getAccessToken();
    if (token === null || token === undefined || token === '') throw new Error('the credentials gave no access token');
    return token;
  };
};

const unavailable = (message: string): OptimizerFailure => ({ _tag: 'OptimizerUnavailable', message });
const refused = (message: string): OptimizerFailure => ({ _tag: 'OptimizerRefused', message });

/** Google's error body (`{ error: { code, message, status } }`) in one line, or the status alone. */
const errorText = async (response: Response): Promise<string> => {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object' && body.error !== null) {
      const { error } = body;
      const status = 'status' in error && typeof error.status === 'string' ? error.status : '';
      const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
      return `${response.status} ${status}: ${message}`.trim();
    }
  } catch {
    // Not JSON: the status and the start of the text say enough.
  }
  return `${response.status} ${text.slice(0, 200)}`.trim();
};

const transientStatuses = new Set([408, 429, 500, 502, 503, 504]);

const onlyGeographic: OptimizerFailure = {
  _tag: 'InvalidProblem',
  errors: [{ pointer: '#/metric', detail: 'must be "great-circle": Google Route Optimization plans geographic problems only' }],
};

const emptyPlan = (problem: GeographicProblem): RoutePlan => ({
  routes: [],
  unassigned: [],
  distance: 0,
  distanceUnit: distanceUnitOf(problem),
  search: { optimizer: googleOptimizerName, cutByTimeLimit: false, seed: problem.search.seed },
});

export const createGoogleRouteOptimizer = (options: GoogleRouteOptimizerOptions): RouteOptimizer => {
  const endpoint = (options.endpoint ?? 'https://routeoptimization.googleapis.com').replace(/\/$/, '');
  const parent = `projects/${encodeURIComponent(options.projectId)}${options.location === undefined ? '' : `/locations/${encodeURIComponent(options.location)}`}`;
  const url = `${endpoint}/v1/${parent}:optimizeTours`;
  const token = options.accessToken ?? applicationDefaultToken();
  const marginMs = options.marginMs ?? 10_000;

  const call = async (problem: GeographicProblem): Promise<E.Either<OptimizerFailure, RoutePlan>> => {
    let bearer: string;
    try {
      bearer = await token();
    } catch (error) {
      return E.left(refused(`no credentials for Google Route Optimization: ${error instanceof Error ? error.message : String(error)}`));
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'x-goog-user-project': options.projectId },
        body: JSON.stringify(optimizeToursRequest(problem)),
        signal: AbortSignal.timeout(problem.search.timeLimitMs + marginMs),
      });
    } catch (error) {
      return E.left(unavailable(`no answer from ${endpoint}: ${error instanceof Error ? error.message : String(error)}`));
    }
    if (!response.ok) {
      const text = await errorText(response);
      return E.left(transientStatuses.has(response.status) ? unavailable(text) : refused(text));
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return E.left(unavailable('the answer is not JSON'));
    }
    const plan = planFromResponse(problem, body);
    if (E.isLeft(plan)) return E.left(unavailable(plan.left));
    // Checked against the port's own codec before anyone relies on it.
    return E.isRight(RoutePlan.decode(plan.right)) ? plan : E.left(unavailable('the answer does not make a valid plan'));
  };

  return {
    name: googleOptimizerName,
    optimize: async (input) => {
      const checked = decodeRoutingProblem(input);
      if (E.isLeft(checked)) return E.left({ _tag: 'InvalidProblem', errors: checked.left });
      const problem = checked.right;
      if (problem.metric !== 'great-circle') return E.left(onlyGeographic);
      return problem.stops.length === 0 ? E.right(emptyPlan(problem)) : call(problem);
    },
  };
};
