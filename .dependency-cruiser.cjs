// The arrows of docs/architecture.md as rules: `npm run lint` (part of `npm test`) fails on any import that
// points the wrong way, and `npm run deps:graph` draws them into docs/dependencies.md. Imports go through
// the workspaces' package names; they are resolved to the folders they name, so the rules speak of folders.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'kernel-imports-nothing-of-ours',
      comment: 'The kernel is the framework: ports, types, pure functions. It depends on no other part of the repository.',
      severity: 'error',
      from: { path: '^domain/kernel/' },
      to: { path: '^(domain/(?!kernel/)|projections/|adapters/|platform/|apps/|scripts/)' },
    },
    {
      name: 'aggregates-import-the-kernel-only',
      comment: 'An aggregate decides from its own stream: it knows the kernel, never another aggregate.',
      severity: 'error',
      from: { path: '^domain/(parcel|route|vehicle)/' },
      to: { path: '^(domain/(?!kernel/)|projections/|adapters/|platform/|apps/|scripts/)', pathNot: '^domain/$1/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'The domain is pure code: it imports no runtime, adapter, platform library or app.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: '^(projections|adapters|platform|apps|scripts)/' },
    },
    {
      name: 'projections-import-the-domain-only',
      comment: 'The read side is pure functions and a runtime over ports: it imports the domain, never an adapter.',
      severity: 'error',
      from: { path: '^projections/' },
      to: { path: '^(adapters|platform|apps|scripts)/' },
    },
    {
      name: 'adapters-import-the-kernel-only',
      comment:
        "An adapter implements the kernel's ports with one technology; it knows no other adapter and nothing above (the SQL archives' one exception follows).",
      severity: 'error',
      from: { path: '^adapters/(?!(?:duckdb|bigquery)/)([^/]+)/' },
      to: { path: '^(domain/(?!kernel/)|projections/|platform/|apps/|scripts/|adapters/)', pathNot: '^adapters/$1/' },
    },
    {
      name: 'sql-archives-share-their-rows-only',
      comment:
        'The one exception to the rule above: the SQL archives (DuckDB, BigQuery) lay out events the same way, so they share ' +
        'adapters/archive-sql (tables, columns, rows), and import no other adapter.',
      severity: 'error',
      from: { path: '^adapters/(duckdb|bigquery)/' },
      to: { path: '^(domain/(?!kernel/)|projections/|platform/|apps/|scripts/|adapters/)', pathNot: '^adapters/($1|archive-sql)/' },
    },
    {
      name: 'platform-imports-no-app',
      comment: 'Libraries every app shares: they never import an app or a script.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(apps|scripts)/' },
    },
    {
      name: 'no-app-imports-another',
      comment: 'Apps are deployables; only apps/local, which mounts them all in one process, imports the others.',
      severity: 'error',
      from: { path: '^apps/(?!local/)([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'web-is-served-by-the-query-api',
      comment: 'The pages (web/) are bundled and served by the query API; nothing else depends on them.',
      severity: 'error',
      from: { pathNot: '^(apps/query-api|web)/' },
      to: { path: '^web/' },
    },
    {
      name: 'pages-read-the-api-only',
      comment: "The pages run in a browser: they talk to the API over HTTP and know the read models' shapes as types only.",
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(domain|adapters|platform|apps|scripts)/' },
    },
    {
      name: 'pages-know-read-models-as-types',
      comment: 'A value import of the read side would bundle server code into the pages.',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^projections/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-scripts',
      comment: 'Scripts are operator tools and benchmarks: nothing depends on them.',
      severity: 'error',
      from: { pathNot: '^scripts/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'cloud-sdks-in-adapters-only',
      comment: 'Only adapters import cloud SDKs and drivers (scripts may, for benchmarks and emulators).',
      severity: 'error',
      from: { pathNot: '^(adapters|scripts)/' },
      to: { path: 'node_modules/(@google-cloud|@eventstore|@duckdb)/|^node:sqlite$|^sqlite$' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle between modules makes neither understandable alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.tsbuild)/|^scripts/bench/peers/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
    combinedDependencies: false,
  },
};
