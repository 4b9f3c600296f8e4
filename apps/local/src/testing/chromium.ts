// Where the browser tests find Chromium, and what they do without it. Debian's package puts it at
// /usr/bin/chromium (`.ci/run` installs it when missing); MERIDIAN_CHROMIUM names another, and then only that
// one counts, so a wrong path is reported rather than quietly replaced. The test runner and the browser
// tests ask the same question here.
import { existsSync } from 'node:fs';

export const debianChromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'] as const;

export const chromiumPath = (
  env: Readonly<Record<string, string | undefined>> = process.env,
  exists: (path: string) => boolean = existsSync,
): string | undefined => {
  const named = env['MERIDIAN_CHROMIUM'];
  return (named !== undefined && named !== '' ? [named] : debianChromium).find((path) => exists(path));
};

/** With a browser the tests run; without one they fail under CI=true (never a skip there) and are skipped elsewhere. */
export const browserTestsPlan = (executable: string | undefined, ci: boolean): 'run' | 'fail' | 'skip' =>
  executable !== undefined ? 'run' : ci ? 'fail' : 'skip';
