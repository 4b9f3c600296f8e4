// An optional CPU profile of the server while it is under load: with MERIDIAN_BENCH_PROFILE=<dir>, each
// measured phase writes `<dir>/<phase>.cpuprofile` (Chrome DevTools format; see profile-summary.ts).
// Profiling slows the server a little, so figures of a profiled run are not comparable.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export const profileDirectory = process.env['MERIDIAN_BENCH_PROFILE'];

export const profiled = async <A>(phase: string, run: () => Promise<A>): Promise<A> => {
  if (profileDirectory === undefined || profileDirectory === '') return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(profileDirectory, { recursive: true });
    writeFileSync(join(profileDirectory, `${phase}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
};
