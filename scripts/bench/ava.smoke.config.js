// The benchmark smoke run (`npm run test:bench-smoke`): every benchmark once, small, checked for the shape of
// its output. Kept out of `npm test` (it takes minutes and measures nothing); CI runs it as a step
// of its own (.ci/run).
export default {
  extensions: { ts: 'module' },
  files: ['scripts/bench/smoke.bench-test.ts'],
  timeout: '30m',
  workerThreads: false,
};
