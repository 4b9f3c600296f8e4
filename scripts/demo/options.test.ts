import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysFromDataDir, defaults, parseOptions } from './options.ts';

test('no options run the default wave', (t) => {
  const parsed = parseOptions([]);
  t.like(parsed, { kind: 'run', options: { url: defaults.url, vehicles: 40, stopsPerRoute: 15, pingIntervalMs: 5000, failRate: 0.08 } });
});

test('options are read, and every bad one is named at once', (t) => {
  t.like(parseOptions(['--vehicles', '3', '--fail-rate', '0.5', '--url', 'http://localhost:9/']), {
    kind: 'run',
    options: { vehicles: 3, failRate: 0.5, url: 'http://localhost:9' },
  });
  const bad = parseOptions(['--vehicles', 'many', '--fail-rate', '2', '--run-id', 'NOPE']);
  t.is(bad.kind, 'invalid');
  if (bad.kind === 'invalid') t.is(bad.errors.length, 3);
  t.is(parseOptions(['--nope']).kind, 'invalid');
  t.is(parseOptions(['-h']).kind, 'help');
});

test("the admin and driver keys come from the data directory's development keys", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-demo-keys-'));
  t.like(keysFromDataDir(dir), {
    error: `no --key given and ${join(dir, 'api-keys.json')} does not exist (start the platform with \`npm start\` first, or pass --key)`,
  });
  writeFileSync(
    join(dir, 'api-keys.json'),
    JSON.stringify([
      { key: 'k-driver', principal: 'local-driver', roles: ['driver'] },
      { key: 'k-admin', principal: 'local-admin', roles: ['admin'] },
    ]),
  );
  t.deepEqual(keysFromDataDir(dir), { key: 'k-admin', drivers: [{ driverId: 'local-driver', key: 'k-driver' }] });
  writeFileSync(join(dir, 'api-keys.json'), JSON.stringify([{ key: 'k-admin', principal: 'local-admin', roles: ['admin'] }]));
  t.like(keysFromDataDir(dir), { error: `${join(dir, 'api-keys.json')} holds no driver key: the drivers answer their offers with one` });
});
