// GET /asyncapi.json: the event catalog, served without a key, as the code generates it.
import { keyring, serve } from '@meridian/http';
import { silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore } from '@meridian/sqlite';
import { asyncApiDocument } from '@meridian/wiring';
import test from 'ava';
import { createApp } from './app.ts';

test('GET /asyncapi.json answers the AsyncAPI 3 document of the platform, without a key', async (t) => {
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const server = await serve(createApp({ documents, findPrincipal: keyring([]), logger: silentLogger }));
  try {
    const response = await fetch(`${server.url}/asyncapi.json`);
    t.is(response.status, 200);
    t.regex(response.headers.get('content-type') ?? '', /application\/json/);
    t.deepEqual(await response.json(), JSON.parse(JSON.stringify(asyncApiDocument())));
  } finally {
    await server.close();
    await documents.close();
  }
});
