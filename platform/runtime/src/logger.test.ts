// Log lines carry Cloud Logging's trace fields: of the active span when one is (a request's, a consumer's
// handling), else of a traceparent field, else none.
import { trace } from '@opentelemetry/api';
import test from 'ava';
import { createLogger } from './logger.ts';
import { telemetry } from './telemetry/install.ts';

const lines = () => {
  const written: Record<string, unknown>[] = [];
  const logger = createLogger({ service: 'test', project: 'meridian-prod', write: (line) => written.push(JSON.parse(line)) });
  return { logger, written };
};

test('a line written inside a span carries its trace and span ids as Cloud Logging reads them', (t) => {
  telemetry();
  const { logger, written } = lines();
  trace.getTracer('test').startActiveSpan('work', (span) => {
    logger.info('inside');
    span.end();
    const { traceId, spanId } = span.spanContext();
    t.like(written[0], {
      'logging.googleapis.com/trace': `projects/meridian-prod/traces/${traceId}`,
      'logging.googleapis.com/spanId': spanId,
    });
  });
});

test('outside a span, a traceparent field gives the ids; without one there are none', (t) => {
  const { logger, written } = lines();
  logger.info('event handled', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  logger.info('no trace');
  t.like(written[0], {
    'logging.googleapis.com/trace': 'projects/meridian-prod/traces/4bf92f3577b34da6a3ce929d0e0e4736',
    'logging.googleapis.com/spanId': '00f067aa0ba902b7',
  });
  t.false('logging.googleapis.com/trace' in (written[1] ?? {}));
});
