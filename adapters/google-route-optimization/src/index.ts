export { applicationDefaultToken, createGoogleRouteOptimizer, type GoogleRouteOptimizerOptions } from './optimizer.ts';
export { optimizeToursRequest, type OptimizeToursRequest } from './request.ts';
export { googleOptimizerName, planFromResponse } from './response.ts';
