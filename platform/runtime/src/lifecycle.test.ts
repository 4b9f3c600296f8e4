// Graceful shutdown sends what the exporters still hold: a span made just before SIGTERM reaches the OTLP
// collector, although the batch exporter is told to wait ten minutes before sending.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const child = new URL('./telemetry/span-at-exit.fixture.ts', import.meta.url).pathname;

test('on SIGTERM the spans held for export are sent before the process exits', async (t) => {
  const bodies: string[] = [];
  const collector = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      bodies.push(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => collector.close(() => resolve())));
  const process_ = spawn(process.execPath, [child], {
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => process_.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => process_.stdout.on('data', (chunk: Buffer) => String(chunk).includes('ready') && resolve()));
  t.deepEqual(bodies, [], 'held by the batch exporter');
  process_.kill('SIGTERM');
  t.is(await exited, 0);
  t.true(
    bodies.some((body) => body.includes('the last span')),
    'exported on the way out',
  );
});
