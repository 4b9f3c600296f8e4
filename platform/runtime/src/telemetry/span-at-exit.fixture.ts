// A process that makes one span and waits for a signal: the lifecycle test sends SIGTERM and expects the span
// at its OTLP collector, although the batch exporter would have held it far longer (OTEL_BSP_SCHEDULE_DELAY).
import { trace } from '@opentelemetry/api';
import { silentLogger } from '@meridian/kernel';
import { closeOnSignals } from '../lifecycle.ts';

import { installTelemetry } from './install.ts';

installTelemetry({ service: 'span-at-exit' });
trace.getTracer('test').startSpan('the last span').end();
closeOnSignals(silentLogger, []);
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
