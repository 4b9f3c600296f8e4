// What the delivery loop says of each attempt, as data: the lines to log once its outcome is recorded (or
// dropped), and of a delivery that died unsent. Pure, so what an operator reads is tested like the rest.
import type { LogFields } from '@meridian/kernel';
import type { AttemptResult, DeliveryDocument } from '@meridian/webhooks';
import type { SettleOutcome } from '../storage/delivery-queue.ts';

export type LogLine = { readonly level: 'info' | 'warn' | 'error'; readonly message: string; readonly fields: LogFields };

const answerOf = (result: AttemptResult): LogFields =>
  result.kind === 'answered' ? { statusCode: result.statusCode } : { error: result.kind === 'failed' ? result.error : 'interrupted' };

/** The lines of one attempt of `delivery` (as leased) that came to `result`, recorded as `settled`. */
export const attemptLogLines = (delivery: DeliveryDocument, result: AttemptResult, settled: SettleOutcome): LogLine[] => {
  const fields = {
    webhookId: delivery.webhookId,
    endpointId: delivery.endpointId,
    eventType: delivery.eventType,
    attempt: delivery.attempts.length + 1,
    ...answerOf(result),
  };
  if (settled.outcome === 'lost')
    return [{ level: 'warn', message: 'attempt outcome dropped: another dispatcher took the expired lease', fields }];
  const latencyMs = Math.round(result.latencyMs);
  const outcome: LogLine =
    settled.outcome === 'delivered'
      ? { level: 'info', message: 'webhook delivered', fields: { ...fields, latencyMs } }
      : settled.outcome === 'retry'
        ? {
            level: 'warn',
            message: 'webhook attempt failed',
            fields: { ...fields, latencyMs, nextAttemptAt: settled.delivery.nextAttemptAt },
          }
        : { level: 'error', message: 'webhook dead', fields: { ...fields, reason: settled.delivery.deadReason } };
  const disabled: LogLine[] =
    settled.endpoint !== undefined && !settled.endpoint.enabled
      ? [
          {
            level: 'warn',
            message: 'webhook endpoint disabled',
            fields: { endpointId: settled.endpoint.endpointId, reason: settled.endpoint.disabledReason },
          },
        ]
      : [];
  return [outcome, ...disabled];
};

/** A delivery that died unsent at its lease (its endpoint deleted or disabled). */
export const notSentLogLine = (delivery: DeliveryDocument, dead: DeliveryDocument): LogLine => ({
  level: 'warn',
  message: 'webhook not sent',
  fields: { webhookId: delivery.webhookId, endpointId: delivery.endpointId, reason: dead.deadReason },
});
