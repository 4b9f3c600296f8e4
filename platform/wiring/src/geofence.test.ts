// The geofence rules from the environment: defaults, overrides, and a refusal that names the variable.
import { defaultGeofenceRules } from '@meridian/geofence';
import { decodeEnvironment } from '@meridian/runtime';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { geofenceRulesOf, geofenceVariables } from './geofence.ts';
import { geofenceSubscription, platformTopology, telemetryTopic } from './topology.ts';

test('without variables the rules are the defaults', (t) => {
  t.deepEqual(geofenceRulesOf({}), E.right(defaultGeofenceRules));
});

test('each variable overrides its rule; the idle time is given in seconds', (t) => {
  const config = decodeEnvironment(
    { MERIDIAN_GEOFENCE_STOP_RADIUS_M: '80', MERIDIAN_IDLE_AFTER_S: '120', MERIDIAN_GEOFENCE_LATENESS_MS: '0' },
    {},
    geofenceVariables,
  );
  if (E.isLeft(config)) return t.fail(JSON.stringify(config.left));
  t.deepEqual(geofenceRulesOf(config.right), E.right({ ...defaultGeofenceRules, stopRadiusM: 80, idleAfterMs: 120_000, latenessMs: 0 }));
});

test('a value out of range is refused at start with its variable named', (t) => {
  const config = decodeEnvironment({ MERIDIAN_GEOFENCE_STOP_RADIUS_M: '2' }, {}, geofenceVariables);
  t.true(E.isLeft(config));
  t.regex(JSON.stringify(E.isLeft(config) ? config.left : ''), /MERIDIAN_GEOFENCE_STOP_RADIUS_M/);
});

test('the detector has its own subscription on the telemetry topic, with a dead-letter topic', (t) => {
  const subscription = platformTopology.subscriptions.find((s) => s.name === geofenceSubscription);
  t.is(subscription?.topic, telemetryTopic);
  t.truthy(subscription?.deadLetterPolicy?.deadLetterTopic);
  t.true(platformTopology.topics.some((topic) => topic.name === subscription?.deadLetterPolicy?.deadLetterTopic));
});
