// Server-Sent Events: live updates without polling. One stream per request; a comment line every 15 s
// keeps proxies from closing an idle connection; the stream ends when the client goes away.
import type { Context } from 'koa';
import { PassThrough } from 'node:stream';

export type EventStream = {
  /** Sends one event; `data` is serialised as JSON on one line. */
  readonly send: (event: string, data: unknown, id?: string) => void;
  /** Runs when the client disconnects (or the server closes the stream). */
  readonly onClose: (listener: () => void) => void;
  readonly close: () => void;
};

export const openEventStream = (ctx: Context, { heartbeatMs = 15_000, retryMs = 2_000 } = {}): EventStream => {
  const stream = new PassThrough();
  const closers: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const closer of closers) closer();
    stream.end();
  };
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.req.on('close', close);
  ctx.status = 200;
  ctx.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  ctx.body = stream;
  stream.write(`retry: ${retryMs}\n\n`);
  const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), heartbeatMs);
  return {
    send: (event, data, id) => {
      if (closed) return;
      stream.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose: (listener) => {
      if (closed) listener();
      else closers.push(listener);
    },
    close,
  };
};
