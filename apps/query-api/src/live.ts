// Live updates as Server-Sent Events, one way for every stream: watch first, then read the current picture,
// send it, then send what each change makes of it. A change between the watch and the read is sent twice
// rather than lost; changes are turned into items one after another, so they leave in the order they came.
import { openEventStream, type EventStream } from '@meridian/http';
import type { DocumentChange, DocumentStore, Logger } from '@meridian/kernel';
import type { Context } from 'koa';

export type LiveSource<D> = {
  /** The SSE event name of each item. */
  readonly event: string;
  /** What to watch: collections (a physical name each), optionally one document of each. */
  readonly watching: readonly { readonly collection: string; readonly id?: string }[];
  /** The current picture; may throw an HttpProblem (a 404) before the stream opens. */
  readonly current: () => Promise<readonly D[]>;
  /** The items a change makes (none when it concerns nothing this stream shows). */
  readonly itemsOf: (change: DocumentChange) => Promise<readonly D[]> | readonly D[];
  /** The `id` field of an item's event, if it has one. */
  readonly idOf?: (item: D) => string | undefined;
  /** The SSE event name of an item, where a stream carries more than one kind (otherwise `event`). */
  readonly eventOf?: (item: D) => string;
};

export type LiveDeps = { readonly documents: DocumentStore; readonly logger: Logger };

export const serveLive = async <D>(ctx: Context, { documents, logger }: LiveDeps, source: LiveSource<D>): Promise<EventStream> => {
  const held: DocumentChange[] = [];
  let forward = (change: DocumentChange) => {
    held.push(change);
  };
  const stops = source.watching.map(({ collection, id }) =>
    documents.watch(collection, (change) => forward(change), id === undefined ? undefined : { id }),
  );
  const stop = () => stops.forEach((unwatch) => unwatch());
  const current = await source.current().catch((error: unknown) => {
    stop();
    throw error;
  });
  const stream = openEventStream(ctx);
  stream.onClose(stop);
  const send = (item: D) => stream.send(source.eventOf?.(item) ?? source.event, item, source.idOf?.(item));
  current.forEach(send);
  let sending = Promise.resolve();
  const enqueue = (change: DocumentChange) => {
    sending = sending
      .then(async () => (await source.itemsOf(change)).forEach(send))
      .catch((error: unknown) => {
        // A read that fails mid-stream ends it: the client reconnects and gets the whole picture again.
        logger.error('a live stream could not read a change; closing it', { event: source.event, error });
        stream.close();
      });
  };
  held.forEach(enqueue);
  forward = enqueue;
  return stream;
};
