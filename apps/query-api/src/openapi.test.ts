// The query API's document against the app as its process builds it (read models, the event store for the
// audit routes): the same routes, both ways, and the answers the shared HTTP layer gives as declared.
import { keyring, type ApiKey } from '@meridian/http';
import { allAgree, checkServedDocument } from '@meridian/http/testing';
import { silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { createApp } from './app.ts';

const apiKeys = [{ key: 'query-openapi-admin-key-01', principal: 'admin-1', roles: ['admin'] }] as unknown as ApiKey[];

for (const web of [undefined, { tiles: null }])
  test(`the document served is the app${web === undefined ? '' : ' with its pages'}: every route it serves is described, every described operation served, and its 405s and 401s are as declared`, async (t) => {
    const documents = createSqliteDocumentStore({ path: ':memory:' });
    const store = createSqliteEventStore({ path: ':memory:' });
    try {
      t.deepEqual(
        await checkServedDocument(
          createApp({ documents, store, findPrincipal: keyring(apiKeys), logger: silentLogger, ...(web !== undefined && { web }) }),
        ),
        allAgree,
      );
    } finally {
      await documents.close();
      await store.close();
    }
  });
