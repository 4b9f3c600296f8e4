import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEnvironment } from '@meridian/runtime';
import { consoleVariables, mapTilesOf, mapTilesVariable, openStreetMapTiles, trackingKeyOf, trackingKeyVariable } from './console.ts';

test("the map's tiles: OpenStreetMap's by default, another server's template, or none for ''", (t) => {
  t.deepEqual(mapTilesOf({}), { url: openStreetMapTiles, attribution: mapTilesOf({})?.attribution ?? '' });
  t.regex(mapTilesOf({})?.attribution ?? '', /OpenStreetMap/);
  t.deepEqual(mapTilesOf({ MERIDIAN_MAP_TILES: 'https://tiles.example/{z}/{x}/{y}.png', MERIDIAN_MAP_ATTRIBUTION: 'Example' }), {
    url: 'https://tiles.example/{z}/{x}/{y}.png',
    attribution: 'Example',
  });
  t.is(mapTilesOf({ MERIDIAN_MAP_TILES: null }), null);
  t.deepEqual(mapTilesVariable.decode(''), E.right(null));
  for (const bad of ['tiles.example/{z}/{x}/{y}.png', 'https://tiles.example/{z}/{x}.png', 'ftp://t/{z}/{x}/{y}'])
    t.true(E.isLeft(mapTilesVariable.decode(bad)), bad);
});

test('the tracking key is base64 of 32 bytes, and a bad one is reported without its value', (t) => {
  t.true(E.isRight(trackingKeyVariable.decode(Buffer.alloc(32, 3).toString('base64'))));
  const report = decodeEnvironment({ MERIDIAN_TRACKING_KEY: 'c2hvcnQ=' }, {}, consoleVariables);
  t.true(E.isLeft(report));
  t.regex(JSON.stringify(report), /MERIDIAN_TRACKING_KEY: must be base64 of 32 bytes/);
  t.false(JSON.stringify(report).includes('c2hvcnQ='));
});

test('npm start makes the tracking key once under the data directory, readable by this user only; the cloud has none unless configured', (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-tracking-'));
  const first = trackingKeyOf({}, { development: true, dataDir });
  const again = trackingKeyOf({}, { development: true, dataDir });
  t.is(first?.length, 32);
  t.deepEqual(again, first);
  t.is(Buffer.from(readFileSync(join(dataDir, 'tracking.key'), 'utf8').trim(), 'base64').length, 32);
  t.is(statSync(join(dataDir, 'tracking.key')).mode & 0o777, 0o600);
  t.is(trackingKeyOf({}, { development: false }), undefined);
  const configured = Buffer.alloc(32, 9);
  t.deepEqual(trackingKeyOf({ MERIDIAN_TRACKING_KEY: configured }, { development: true, dataDir }), configured);
});
