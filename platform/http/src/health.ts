// A health endpoint for workers that serve no API (relay, projector): Cloud Run starts a service only once
// it accepts connections on $PORT, and operators want to see where a consumer stands. It is bound first,
// like every port, and answers 503 while `status` has nothing to say yet (the worker is starting).
import { createServer, type Server } from 'node:http';
import { listen } from './server.ts';

export const serveHealth = async (
  port: number,
  status: () => object | undefined,
): Promise<{ readonly close: () => Promise<void>; readonly port: number }> => {
  const server: Server = createServer((request, response) => {
    const known = request.method === 'GET' && (request.url === '/healthz' || request.url === '/');
    const now = known ? status() : undefined;
    response.writeHead(!known ? 404 : now === undefined ? 503 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(!known ? { status: 404 } : now === undefined ? { status: 'starting' } : { status: 'ok', ...now }));
  });
  const address = await listen(server, { port, host: '0.0.0.0' });
  return { port: address.port, close: () => new Promise<void>((done) => server.close(() => done())) };
};
