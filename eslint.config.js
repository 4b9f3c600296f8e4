// typescript-eslint over the whole tree (`npm run lint`, part of `npm test`): its recommended rules, and the
// house rules they do not cover. Type-aware rules are left out: they need a TypeScript program per run,
// which costs more than the few bugs they would add to what tsc -b already catches.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.tsbuild/**',
      'bench-results/**',
      'bench-data/**',
      'data/**',
      '.test-output/**',
      'scripts/bench/peers/**',
      'infra/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `any` switches the type checker off; decode `unknown` at the edge instead.
      '@typescript-eslint/no-explicit-any': 'error',
      // Unused names are tsc's job (noUnusedLocals, noUnusedParameters), with `_` for the ones kept on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Runtime code says what it does in code; a comment says why, and no rule is switched off without one.
      'no-warning-comments': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      // A variable a closure reads before it is first assigned (a timer, a handle made later) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Command-line tools and tests may write to the console; everything else logs through the logger.
    files: ['scripts/**/*.ts', '**/*.test.ts', '**/testing/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read HTTP answers' JSON bodies loosely (`body.events[0].type`): a wrong field fails the assertion
    // that reads it, which is all a test needs. The running code decodes what it receives instead.
    files: ['**/*.test.ts', '**/test-fixtures.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
