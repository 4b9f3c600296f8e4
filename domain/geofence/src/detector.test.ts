// Given a vehicle's pings, when one more comes, then these facts (or none). Stillness from 08:01 is idle at 08:06.
import test from 'ava';
import { drain, newTrack, receive, type GeofenceFact, type Ping, type Track } from './detector.ts';
import { unwatched, type VehicleWatch } from './fences.ts';
import { defaultGeofenceRules as rules, rulesProblems } from './rules.ts';
import { onRoute, pingAt } from './testing.ts';

/** Every fact the pings call for, in arrival order, with the pending ones decided at the end. */
const factsOf = (pings: readonly Ping[], watch: VehicleWatch = onRoute) => {
  let track: Track = newTrack;
  const facts: GeofenceFact[] = [];
  let late = 0;
  for (const ping of pings) {
    const outcome = receive(rules, track, ping, watch);
    track = outcome.track;
    facts.push(...outcome.facts);
    if (outcome.late) late++;
  }
  facts.push(...drain(rules, track, watch).facts);
  return { facts, late };
};

const kinds = (facts: readonly GeofenceFact[]) =>
  facts.map((fact) => `${fact.kind} ${'fence' in fact ? fact.fence.fenceId : fact.routeId} ${fact.at.slice(11, 19)}`);

test('driving into a stop fence enters it once, at the first ping within the radius', (t) => {
  const { facts } = factsOf([pingAt(0, 400), pingAt(10, 200), pingAt(20, 40), pingAt(30, 10), pingAt(40, 30)]);
  t.deepEqual(kinds(facts), ['entered stop:r-1:s-1 08:00:20']);
});

test('a van parked on the edge does not flap: it leaves only beyond the radius plus the margin', (t) => {
  const edge = [pingAt(0, 45), pingAt(10, 55), pingAt(20, 48), pingAt(30, 70), pingAt(40, 52)];
  t.deepEqual(kinds(factsOf(edge).facts), ['entered stop:r-1:s-1 08:00:00']);
  t.deepEqual(kinds(factsOf([...edge, pingAt(50, 80)]).facts), ['entered stop:r-1:s-1 08:00:00', 'left stop:r-1:s-1 08:00:50']);
});

test('a van standing still on its route for the idle time is idle once, and moving again ends it', (t) => {
  const pings = [pingAt(0, 1000, 30), ...[1, 2, 3, 4, 5, 6].map((minute) => pingAt(minute * 60, 1000, 0)), pingAt(400, 900, 25)];
  t.deepEqual(kinds(factsOf(pings).facts), ['idle-started r-1 08:06:00', 'idle-ended r-1 08:06:40']);
});

test('a shorter stop is not idle, and a van on no route is watched for nothing', (t) => {
  t.deepEqual(factsOf([pingAt(0, 1000, 0), pingAt(200, 1000, 1), pingAt(260, 1000, 30)]).facts, []);
  t.deepEqual(factsOf([pingAt(0, 400), pingAt(10, 10, 0), pingAt(900, 10, 0)], unwatched).facts, []);
});

test('a ping behind the newest by more than the lateness is dropped and counted; within it, it still counts', (t) => {
  // The 08:00:05 ping inside the fence comes after one 12 s newer (dropped); the 08:00:25 one after a ping 8 s newer (kept).
  const dropped = factsOf([pingAt(0, 400), pingAt(17, 400), pingAt(5, 10), pingAt(30, 400)]);
  t.is(dropped.late, 1);
  t.deepEqual(dropped.facts, []);
  const kept = factsOf([pingAt(0, 400), pingAt(33, 400), pingAt(25, 10), pingAt(40, 400)]);
  t.is(kept.late, 0);
  t.deepEqual(kinds(kept.facts), ['entered stop:r-1:s-1 08:00:25', 'left stop:r-1:s-1 08:00:33']);
});

test('a duplicated ping is absorbed', (t) => {
  let track: Track = newTrack;
  track = receive(rules, track, pingAt(0, 10), onRoute).track;
  const again = receive(rules, track, pingAt(0, 10), onRoute);
  t.true(again.duplicate);
  t.is(again.track, track);
});

test('the default rules are valid, and a broken rule is named', (t) => {
  t.deepEqual(rulesProblems(rules), []);
  t.deepEqual(rulesProblems({ ...rules, stopRadiusM: 0, latenessMs: -1 }), [
    'stopRadiusM must be a positive number',
    'latenessMs must be a number, zero or more',
  ]);
});
