export { createEmbeddedRouteOptimizer, type EmbeddedOptimizerOptions } from './optimizer.ts';
export { optimizerName, solve, workPerMs, type SearchOptions } from './search.ts';
