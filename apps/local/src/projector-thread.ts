// The projector thread of the embedded platform: every projection applying what the log delivers, over the
// thread's own connections (consumer-thread.ts).
import { platformProjections } from '@meridian/projections';
import { projectorConsumers } from '@meridian/wiring';
import { runConsumerThread } from './consumer-thread.ts';

runConsumerThread('meridian-local', ({ bus, documents, logger }) => projectorConsumers({ bus, documents, logger }, platformProjections));
