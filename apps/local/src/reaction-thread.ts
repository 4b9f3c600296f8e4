// The reaction thread of the embedded platform: the reactors, process managers, timers and effect reactors
// that the log feeds, over the thread's own connections (consumer-thread.ts). Their commands are appended
// through this thread's connection to the log; the texts and thumbnails are sent from here. The ETA's
// telemetry consumer stays on the main thread, where the pings are queued.
import { decodeEnvironment } from '@meridian/runtime';
import { openBlobStore, reactionConsumers } from '@meridian/wiring';
import { runConsumerThread } from './consumer-thread.ts';
import { embeddedReactions, reactionVariables } from './embedded-reactions.ts';

runConsumerThread('meridian-local', ({ data, store, documents, logger, bus }) => {
  // The main thread decoded the same environment before it started this thread: a failure here is a bug.
  const config = decodeEnvironment(process.env, {}, reactionVariables);
  if (config._tag === 'Left') throw new Error(`the reaction thread cannot read its configuration: ${config.left.join('; ')}`);
  const blobs = openBlobStore({}, logger, data.dataDir);
  return reactionConsumers({ bus, documents, logger }, { store, ...embeddedReactions(config.right, { store, documents, blobs }) });
});
