// For tests of exported traces: an OTLP/HTTP (JSON) trace receiver on this machine, keeping every span the
// processes send with the service that sent it. Point OTEL_EXPORTER_OTLP_TRACES_ENDPOINT at `<url>/v1/traces`.
import { createServer } from 'node:http';

export type CollectedSpan = {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
};

type OtlpExport = {
  readonly resourceSpans?: readonly {
    readonly resource?: { readonly attributes?: readonly { readonly key: string; readonly value: { readonly stringValue?: string } }[] };
    readonly scopeSpans?: readonly { readonly spans?: readonly Omit<CollectedSpan, 'service'>[] }[];
  }[];
};

export type OtlpCollector = {
  readonly spans: readonly CollectedSpan[];
  /** Listens on a free port of 127.0.0.1; answers the collector's base URL. */
  readonly start: () => Promise<string>;
  readonly stop: () => Promise<void>;
};

export const otlpCollector = (): OtlpCollector => {
  const spans: CollectedSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      const exported: OtlpExport = JSON.parse(body);
      for (const resource of exported.resourceSpans ?? []) {
        const service = resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push({ ...span, service });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return {
    spans,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          resolve(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`);
        }),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
