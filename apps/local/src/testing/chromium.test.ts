import test from 'ava';
import { browserTestsPlan, chromiumPath } from './chromium.ts';

const only =
  (...present: string[]) =>
  (path: string) =>
    present.includes(path);

test("Chromium is Debian's, or the one MERIDIAN_CHROMIUM names (and then only that one)", (t) => {
  t.is(chromiumPath({}, only('/usr/bin/chromium')), '/usr/bin/chromium');
  t.is(chromiumPath({}, only('/usr/bin/chromium-browser')), '/usr/bin/chromium-browser');
  t.is(chromiumPath({ MERIDIAN_CHROMIUM: '' }, only('/usr/bin/chromium')), '/usr/bin/chromium');
  t.is(
    chromiumPath({ MERIDIAN_CHROMIUM: '/opt/chromium/chrome' }, only('/opt/chromium/chrome', '/usr/bin/chromium')),
    '/opt/chromium/chrome',
  );
  t.is(chromiumPath({ MERIDIAN_CHROMIUM: '/opt/nowhere' }, only('/usr/bin/chromium')), undefined, 'a wrong path is not replaced');
  t.is(chromiumPath({}, only()), undefined);
});

test('without a browser the browser tests fail under CI=true, never skip; elsewhere they are skipped and reported', (t) => {
  t.is(browserTestsPlan('/usr/bin/chromium', true), 'run');
  t.is(browserTestsPlan('/usr/bin/chromium', false), 'run');
  t.is(browserTestsPlan(undefined, true), 'fail');
  t.is(browserTestsPlan(undefined, false), 'skip');
});
