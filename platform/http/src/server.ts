// Serving an app. The port is bound first, before any data is opened or made, so that a port in use stops
// a start before it has touched anything. Requests that arrive while the app is being built wait for it
// (a platform under load, or a Cloud Run instance whose TCP startup probe passed, answers them late, not 503).
import { StartupFailure } from '@meridian/runtime';
import type Koa from 'koa';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RunningServer = {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then drops what is left. */
  readonly close: (graceMs?: number) => Promise<void>;
};

/** A bound port whose app is not ready yet: `serve` hands its requests to the app. */
export type BoundPort = RunningServer & { readonly serve: (app: Koa) => RunningServer };

export type PortOptions = {
  readonly port?: number;
  readonly host?: string;
  /** The variable the host was configured with, if any, to name it when the host cannot be used. */
  readonly hostVariable?: string;
};

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Why a port cannot be listened on, for the operator: what, which variable, what to do. */
export const listenFailure = (error: unknown, { port = 0, host = '127.0.0.1', hostVariable }: PortOptions): unknown => {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const hostName = hostVariable === undefined ? host : `${host} (${hostVariable})`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupFailure(
        `port ${port} (PORT) is already in use on ${hostName}: stop the process that holds it, or set PORT to a free port (0 picks one)`,
        { cause: error },
      );
    case 'EACCES':
      return new StartupFailure(`this user may not listen on port ${port} (PORT): set PORT to 1024 or above`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new StartupFailure(
        `${hostName} is not an address of this machine: listen on one of its addresses, such as 127.0.0.1 or 0.0.0.0`,
        { cause: error },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupFailure(`the host ${hostName} is not known: give an address, such as 127.0.0.1 or 0.0.0.0`, { cause: error });
    default:
      return error;
  }
};

/** Listens on the port, or rejects with why not (a StartupFailure for the failures an operator can fix). */
export const listen = (server: Server, options: PortOptions): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    const failed = (error: unknown) => reject(listenFailure(error, options));
    server.once('error', failed);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      // A server listening on a port (not a pipe) has an address with that port.
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error(`the server listens on ${address ?? 'nothing'}, not a port`));
      else resolve(address);
    });
  });

const closer =
  (server: Server) =>
  (graceMs = 5_000) =>
    new Promise<void>((done) => {
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearTimeout(timer);
        done();
      });
      server.closeIdleConnections();
    });

/** Binds the port; requests wait until `serve` gives them an app. */
export const bindPort = async (options: PortOptions = {}): Promise<BoundPort> => {
  const waiting: [IncomingMessage, ServerResponse][] = [];
  let handle: Handler = (request, response) => void waiting.push([request, response]);
  const server = createServer((request, response) => handle(request, response));
  server.keepAliveTimeout = 65_000;
  const address = await listen(server, options);
  const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  const running: RunningServer = { url: `http://${shownHost}:${address.port}`, port: address.port, server, close: closer(server) };
  return {
    ...running,
    serve: (app) => {
      handle = app.callback();
      for (const [request, response] of waiting.splice(0)) handle(request, response);
      return running;
    },
  };
};

export const serve = async (app: Koa, options: PortOptions = {}): Promise<RunningServer> => (await bindPort(options)).serve(app);
