// The RouteOptimizer contract against Google's Route Optimization API, e.g.
//   ROUTE_OPTIMIZATION_PROJECT=my-project npx ava adapters/google-route-optimization
// with credentials in the environment (GOOGLE_APPLICATION_CREDENTIALS, or `gcloud auth application-default login`)
// and the API enabled in the project (each test is a billed call). There is no such endpoint here, so
// without the variable the suite is listed as NOT RUN, by name, rather than silently passing.
import { routeOptimizerContract, routeOptimizerContractNotRun } from '@meridian/kernel/testing';
import test from 'ava';
import { createGoogleRouteOptimizer } from './optimizer.ts';

const projectId = process.env['ROUTE_OPTIMIZATION_PROJECT'];
const location = process.env['ROUTE_OPTIMIZATION_LOCATION'];

if (projectId === undefined || projectId === '')
  routeOptimizerContractNotRun(
    test,
    'Google Route Optimization',
    'ROUTE_OPTIMIZATION_PROJECT is not set (no Route Optimization endpoint here)',
  );
else
  routeOptimizerContract(test, {
    name: 'Google Route Optimization',
    optimizer: () => createGoogleRouteOptimizer({ projectId, ...(location !== undefined && location !== '' && { location }) }),
    // Its distances are the Earth's (geodesic), in whole metres and seconds; it takes no seed.
    metrics: ['great-circle'],
    deterministic: false,
    timeToleranceMs: 2_000,
    distanceTolerance: 0.005,
    answerMarginMs: 15_000,
    propertyRuns: 5,
  });
