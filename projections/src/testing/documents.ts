// A document store in memory (the kernel's, which passes the adapters' contract), with a projection's
// collections prepared: the read side is tested above the port, with no adapter.
import type { DocumentStore, Projection } from '@meridian/kernel';
import { createInMemoryDocumentStore } from '@meridian/kernel/testing';
import { prepareProjection } from '../runtime/projector.ts';

export const openDocuments = async (projection: Projection): Promise<DocumentStore> => {
  const documents = createInMemoryDocumentStore();
  await prepareProjection(documents, projection);
  return documents;
};
