// The embedded document store, in memory, with a projection's collections prepared.
import type { DocumentStore } from '@meridian/kernel';
import { createSqliteDocumentStore } from '@meridian/sqlite';
import { prepareProjection } from '../runtime/projector.ts';
import type { Projection } from '../runtime/projection.ts';

export const openDocuments = async (projection: Projection): Promise<DocumentStore> => {
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  await prepareProjection(documents, projection);
  return documents;
};
