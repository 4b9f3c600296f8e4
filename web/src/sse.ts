// Following a Server-Sent Events stream of the API. The browser's EventSource cannot send an API key, so the
// stream is read with fetch and parsed here (the event-stream format of the HTML standard: `event`, `data`,
// `id`, `retry` fields, a blank line ends an event, a line starting with `:` is a comment). A stream that
// ends or fails is opened again after its `retry` time; the API sends the whole picture first each time.

export type ServerEvent = { readonly event: string; readonly data: string; readonly id: string | undefined };

export type EventStreamParser = {
  /** Feeds a chunk of text; answers the events it completed. */
  readonly push: (chunk: string) => ServerEvent[];
  /** The last `retry` the server asked for, in milliseconds. */
  readonly retryMs: () => number | undefined;
};

export const eventStreamParser = (): EventStreamParser => {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  let retry: number | undefined;
  const line = (text: string): ServerEvent | undefined => {
    if (text === '') {
      const done = data.length === 0 ? undefined : { event: event === '' ? 'message' : event, data: data.join('\n'), id };
      event = '';
      data = [];
      return done;
    }
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + (text[colon + 1] === ' ' ? 2 : 1));
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    return undefined;
  };
  return {
    push: (chunk) => {
      // A \r at the very end may be the first half of a \r\n: it waits for the next chunk.
      const text = buffer + chunk;
      const held = text.endsWith('\r') ? 1 : 0;
      const lines = text.slice(0, text.length - held).split(/\r\n|\r|\n/);
      // The last piece is a line still arriving.
      buffer = (lines.pop() ?? '') + text.slice(text.length - held);
      return lines.flatMap((text) => {
        const done = line(text);
        return done === undefined ? [] : [done];
      });
    },
    retryMs: () => retry,
  };
};

export type FollowOptions = {
  readonly headers: Readonly<Record<string, string>>;
  readonly onEvent: (event: ServerEvent) => void;
  /** The stream is open (again): the next events are the whole picture. */
  readonly onOpen?: () => void;
  /** The API refused the stream (a problem: 401, 403, 404, 410): it is not opened again. */
  readonly onRefused?: (status: number, problem: unknown) => void;
  /** The connection dropped; it is opened again after the server's retry time. */
  readonly onDisconnect?: () => void;
};

/** Follows `path` until the returned function is called. */
export const follow = (path: string, options: FollowOptions): (() => void) => {
  const controller = new AbortController();
  let retryMs = 2_000;
  const open = async (): Promise<void> => {
    const parser = eventStreamParser();
    const response = await fetch(path, { headers: { accept: 'text/event-stream', ...options.headers }, signal: controller.signal });
    if (response.status >= 400 && response.status < 500) {
      options.onRefused?.(response.status, await response.json().catch(() => undefined));
      return;
    }
    if (!response.ok || response.body === null) throw new Error(`the stream answered ${response.status}`);
    options.onOpen?.();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value).forEach(options.onEvent);
      retryMs = parser.retryMs() ?? retryMs;
    }
    throw new Error('the stream ended');
  };
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        await open();
        return;
      } catch {
        if (controller.signal.aborted) return;
        options.onDisconnect?.();
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  };
  void run();
  return () => controller.abort();
};
