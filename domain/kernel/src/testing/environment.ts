import type { TestFn } from 'ava';

/**
 * The value of the environment variable a suite needs. When it is absent the suite is registered as NOT RUN,
 * by name, with the reason; for the emulators (`requiredUnderCi`), under CI=true it fails instead, because
 * there a missing emulator is a broken build, never a skip.
 */
export const environmentFor = (test: TestFn, suite: string, variable: string, { requiredUnderCi = false } = {}): string | undefined => {
  const value = process.env[variable];
  if (value !== undefined && value !== '') return value;
  if (requiredUnderCi && process.env['CI'] === 'true')
    test(`${suite} — ${variable} is not set under CI`, (t) => {
      t.fail(`${suite} needs ${variable}; npm test starts the emulators and sets it`);
    });
  else test.skip(`${suite} — NOT RUN: ${variable} is not set`, () => {});
  return undefined;
};
