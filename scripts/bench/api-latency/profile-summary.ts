// Summarises a .cpuprofile (from MERIDIAN_BENCH_PROFILE or node --cpu-prof): `node profile-summary.ts
// <file> [top]` prints where the time went by area (our folders, each dependency, Node's internals, GC,
// idle), then the functions with the most self time, and the functions of ours with the most total time.
import { readFileSync } from 'node:fs';

type CallFrame = { readonly functionName: string; readonly url: string; readonly lineNumber: number };
type ProfileNode = { readonly id: number; readonly callFrame: CallFrame; readonly children?: readonly number[] };
type Profile = { readonly nodes: readonly ProfileNode[]; readonly samples: readonly number[]; readonly timeDeltas: readonly number[] };

const root = new URL('../../../', import.meta.url).href;

/** Which part of the system a frame belongs to: a workspace folder, a dependency, Node, or V8's own. */
export const areaOf = ({ functionName, url }: CallFrame): string => {
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency !== null) return dependency[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  if (url.startsWith(root)) return url.slice(root.length).split('/').slice(0, 2).join('/');
  return url;
};

const frameName = ({ functionName, url, lineNumber }: CallFrame) =>
  `${functionName || '(anonymous)'} ${url.startsWith(root) ? url.slice(root.length) : url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;

const top = (totals: Map<string, number>, count: number, all: number) =>
  [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `  ${((100 * us) / all).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`)
    .join('\n');

const add = (totals: Map<string, number>, key: string, us: number) => totals.set(key, (totals.get(key) ?? 0) + us);

export const summariseProfile = (profile: Profile, count = 25): string => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const ours = new Map<string, number>();
  const natives = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    const node = byId.get(id);
    if (node === undefined) return;
    all += us;
    add(self, frameName(node.callFrame), us);
    add(areas, areaOf(node.callFrame), us);
    const caller = byId.get(parent.get(id) ?? -1)?.callFrame;
    if (node.callFrame.url === '' && !node.callFrame.functionName.startsWith('(') && caller !== undefined)
      add(natives, `${node.callFrame.functionName} <- ${frameName(caller)}`, us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined || !frame.url.startsWith(root) || frame.url.includes('node_modules')) continue;
      const name = frameName(frame);
      if (!seen.has(name)) add(ours, name, us);
      seen.add(name);
    }
  });
  return [
    `sampled ${(all / 1e6).toFixed(1)} s`,
    'self time by area:',
    top(areas, count, all),
    'self time by function:',
    top(self, count, all),
    'native calls (SQLite, crypto, buffers) by caller:',
    top(natives, count, all),
    'total time by function of ours (callees included):',
    top(ours, count, all),
  ].join('\n');
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, count] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  process.stdout.write(`${summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(count ?? 25))}\n`);
}
