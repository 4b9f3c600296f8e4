// A health endpoint for workers that serve no API (relay, projector): Cloud Run starts a service only once
// it accepts connections on $PORT, and operators want to see where a consumer stands.
import { createServer, type Server } from 'node:http';

export const serveHealth = (port: number, status: () => unknown): Promise<{ readonly close: () => Promise<void>; readonly port: number }> =>
  new Promise((resolve, reject) => {
    const server: Server = createServer((request, response) => {
      const ok = request.method === 'GET' && (request.url === '/healthz' || request.url === '/');
      response.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify(ok ? { status: 'ok', ...(status() as object) } : { status: 404 }));
    });
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
