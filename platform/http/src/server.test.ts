import { StartupFailure } from '@meridian/runtime';
import test from 'ava';
import Koa from 'koa';
import { bindPort, serve } from './server.ts';

test('a port in use is a start-up failure naming PORT and what to do', async (t) => {
  const held = await bindPort();
  try {
    const error = await t.throwsAsync(bindPort({ port: held.port, host: '127.0.0.1', hostVariable: 'MERIDIAN_HOST' }), {
      instanceOf: StartupFailure,
    });
    t.is(
      error?.message,
      `port ${held.port} (PORT) is already in use on 127.0.0.1 (MERIDIAN_HOST): stop the process that holds it, or set PORT to a free port (0 picks one)`,
    );
  } finally {
    await held.close();
  }
});

test('a host that is not this machine is a start-up failure naming its variable', async (t) => {
  // 192.0.2.0/24 is TEST-NET-1: never an address of this machine.
  await t.throwsAsync(bindPort({ host: '192.0.2.1', hostVariable: 'MERIDIAN_HOST' }), {
    instanceOf: StartupFailure,
    message: /^192\.0\.2\.1 \(MERIDIAN_HOST\) is not an address of this machine/,
  });
});

test('a request that arrives before the app is ready waits for it', async (t) => {
  const bound = await bindPort();
  try {
    const early = fetch(`${bound.url}/`);
    // The request is in: the server holds it, unanswered, until the app comes.
    await new Promise<void>((resolve) => bound.server.once('request', () => resolve()));
    const app = new Koa();
    app.use((ctx) => (ctx.body = 'ready'));
    bound.serve(app);
    const response = await early;
    t.is(response.status, 200);
    t.is(await response.text(), 'ready');
  } finally {
    await bound.close();
  }
});

test('serve binds and serves at once, as before', async (t) => {
  const app = new Koa();
  app.use((ctx) => (ctx.body = 'ok'));
  const server = await serve(app);
  try {
    t.is(await (await fetch(server.url)).text(), 'ok');
  } finally {
    await server.close();
  }
});
