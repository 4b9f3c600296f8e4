import type Koa from 'koa';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RunningServer = {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then drops what is left. */
  readonly close: (graceMs?: number) => Promise<void>;
};

export const serve = (app: Koa, { port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {}): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.keepAliveTimeout = 65_000;
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        port: address.port,
        server,
        close: (graceMs = 5_000) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
