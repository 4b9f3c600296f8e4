// Properties over random journeys: duplicates and reordering within the lateness never change the facts.
import test from 'ava';
import fc from 'fast-check';
import { drain, newTrack, receive, type GeofenceFact, type Ping, type Track } from './detector.ts';
import { defaultGeofenceRules as rules } from './rules.ts';
import { onRoute, pingAt } from './testing.ts';

const factsOf = (pings: readonly Ping[]) => {
  let track: Track = newTrack;
  const facts: GeofenceFact[] = [];
  for (const ping of pings) {
    const outcome = receive(rules, track, ping, onRoute);
    track = outcome.track;
    facts.push(...outcome.facts);
  }
  return [...facts, ...drain(rules, track, onRoute).facts];
};

/** A journey around the stop: each step a few seconds on, a distance from it (often near the edge), a speed. */
const journey = fc
  .array(
    fc.record({
      gapS: fc.integer({ min: 1, max: 90 }),
      metres: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: -2000, max: 2000 })),
      speed: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 })),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((steps) => {
    let second = 0;
    return steps.map(({ gapS, metres, speed }) => pingAt((second += gapS), metres, speed));
  });

/**
 * The journey delivered in another order, some pings twice: each copy arrives at its ping's time plus a
 * delay under the lateness, so no ping arrives behind its vehicle's watermark.
 */
const deliveredOf = (pings: readonly Ping[]) =>
  fc
    .array(fc.record({ delayMs: fc.integer({ min: 0, max: rules.latenessMs - 1 }), copies: fc.integer({ min: 1, max: 3 }) }), {
      minLength: pings.length,
      maxLength: pings.length,
    })
    .map((deliveries) =>
      pings
        .flatMap((ping, index) => {
          const { delayMs, copies } = deliveries[index]!;
          return Array.from({ length: copies }, (_, copy) => ({ ping, arrival: Date.parse(ping.recordedAt) + delayMs + copy }));
        })
        .sort((a, b) => a.arrival - b.arrival)
        .map(({ ping }) => ping),
    );

test('duplicates and reordering within the lateness never change the facts emitted', (t) => {
  fc.assert(
    fc.property(
      journey.chain((pings) => fc.tuple(fc.constant(pings), deliveredOf(pings))),
      ([pings, delivered]) => {
        t.deepEqual(factsOf(delivered), factsOf(pings));
      },
    ),
    { numRuns: 300 },
  );
});

test('facts alternate per fence and for idle: never entered twice without a leave, never idle twice', (t) => {
  fc.assert(
    fc.property(journey, (pings) => {
      const last = new Map<string, string>();
      for (const fact of factsOf(pings)) {
        const key = 'fence' in fact ? fact.fence.fenceId : 'idle';
        t.not(last.get(key), fact.kind);
        last.set(key, fact.kind);
      }
    }),
    { numRuns: 300 },
  );
});
