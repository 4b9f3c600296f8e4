// Structured logs: one JSON line per thing that happened, in the shape Cloud Logging reads (severity,
// message, trace and span fields), so a trace id from an HTTP request finds every consumer's lines.
import type { LogFields, Logger } from '@meridian/kernel';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';

export type { LogFields, Logger };

export const severities = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type Severity = (typeof severities)[number];

export type LoggerOptions = {
  readonly service: string;
  readonly level?: Severity | 'SILENT';
  /** The Google Cloud project, to write trace ids as Cloud Logging expects them. */
  readonly project?: string;
  readonly write?: (line: string) => void;
};

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** Cloud Logging's trace fields from a W3C traceparent, when there is one. */
export const traceFields = (traceparent: string | undefined, project?: string): LogFields => {
  const match = traceparent === undefined ? null : traceparentPattern.exec(traceparent);
  if (match === null) return {};
  const [, traceId, spanId] = match;
  return {
    'logging.googleapis.com/trace': project === undefined ? traceId : `projects/${project}/traces/${traceId}`,
    'logging.googleapis.com/spanId': spanId,
    traceparent,
  };
};

/** The active span's traceparent (a line written while handling a request or an event is of that span). */
const activeTraceparent = (): string | undefined => {
  const span = trace.getSpan(context.active())?.spanContext();
  if (span === undefined || !isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`;
};

const serialise = (value: unknown): unknown =>
  value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;

export const createLogger = (
  { service, level = 'INFO', project, write = (line) => process.stdout.write(`${line}\n`) }: LoggerOptions,
  bound: LogFields = {},
): Logger => {
  const threshold = level === 'SILENT' ? Infinity : severities.indexOf(level);
  const emit =
    (severity: Severity) =>
    (message: string, fields: LogFields = {}) => {
      if (severities.indexOf(severity) < threshold) return;
      const all: Record<string, unknown> = { ...bound, ...fields };
      const traceparent = activeTraceparent() ?? (typeof all['traceparent'] === 'string' ? all['traceparent'] : undefined);
      const traced = traceFields(traceparent, project);
      const entries = Object.entries({ ...all, ...traced }).map(([key, value]) => [key, serialise(value)]);
      write(JSON.stringify({ severity, time: new Date().toISOString(), service, message, ...Object.fromEntries(entries) }));
    };
  return {
    debug: emit('DEBUG'),
    info: emit('INFO'),
    warn: emit('WARNING'),
    error: emit('ERROR'),
    child: (fields) => createLogger({ service, level, ...(project !== undefined && { project }), write }, { ...bound, ...fields }),
  };
};
