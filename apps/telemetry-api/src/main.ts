// Composition root of the telemetry API as its own process: pings in over HTTP, out to the Pub/Sub topic
// `vehicle-telemetry` (never to the event store). The live map consuming them runs in the projector worker.
import { bindPort, keyring } from '@meridian/http';
import {
  closeOnSignals,
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  startOrExit,
  StartupFailure,
  variablesHelp,
  installTelemetry,
} from '@meridian/runtime';
import { busVariables, commonVariables, defaultPort, openBus, usesPubSub } from '@meridian/wiring';
import { createApp } from './app.ts';

const service = 'telemetry';
// Spans and metrics under this service's name; OTLP export when the OTEL_* variables ask for it.
installTelemetry({ service });
const variables = { ...commonVariables, ...busVariables };
commandLineOrExit(service, {
  command: 'node apps/telemetry-api/src/main.ts',
  synopsis: '',
  summary:
    'The telemetry API alone, as on Cloud Run: pings in over HTTP, out to the Pub/Sub topic vehicle-telemetry.\nMERIDIAN_API_KEYS ' +
    'is required, and a Pub/Sub bus (PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub).',
  options: {},
  notes: variablesHelp(variables),
});
const { MERIDIAN_API_KEYS, ...config } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, variables),
);

await startOrExit(service, async () => {
  if (!usesPubSub(config))
    throw new StartupFailure(
      'alone, the telemetry API publishes to Pub/Sub: set PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub (npm start runs it embedded)',
    );
  const bound = await bindPort({ port: config.PORT ?? defaultPort, host: '0.0.0.0' });
  const logger = createLogger({
    service,
    level: config.MERIDIAN_LOG_LEVEL ?? 'INFO',
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }),
  });
  const bus = await openBus(config, { logger });
  const server = bound.serve(createApp({ publisher: bus.telemetryPublisher, findPrincipal: keyring(MERIDIAN_API_KEYS), logger }));
  logger.info('telemetry API listening', { url: server.url });
  closeOnSignals(logger, [
    { name: 'http', close: () => server.close() },
    { name: 'bus', close: bus.close },
  ]);
});
