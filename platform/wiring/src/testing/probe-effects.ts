// An effect reactor in miniature, for the tests of effects outside the platform: one message per probe
// fact, carried out by POSTing it to a gateway with the effect's key as the Idempotency-Key header.
import { eventCatalog, follows, perform, type DomainEvent, type EffectOutcome, type EffectReactor } from '@meridian/kernel';
import * as t from 'io-ts';

export type ProbeEvent = DomainEvent<'Probed', { to: string; n: number }>;
export const probeEvents = eventCatalog<ProbeEvent>('probe', {
  Probed: { wireType: 'probe.probed.v1', data: t.type({ to: t.string, n: t.number }) },
});

export type ProbeMessage = { readonly to: string; readonly body: string };

export const probeNotifications: EffectReactor<ProbeEvent, undefined, ProbeMessage> = {
  name: 'probe-notifications',
  follows: follows(probeEvents),
  effects: ({ event }) => [perform({ to: event.data.to, body: `probe ${event.data.n}` })],
};

/** The gateway's answer: 2xx done, 422 refused for good, anything else (or no answer) transient. */
export const postTo =
  (url: string) =>
  async (message: ProbeMessage, idempotencyKey: string): Promise<EffectOutcome> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 422) return { kind: 'refused', reason: await response.text() };
    if (!response.ok) throw new Error(`the gateway answered ${response.status}`);
    return { kind: 'done', reference: await response.text() };
  };
