// The blob store contract: what every adapter of the port does, whatever is behind it. Bytes come back as
// they went in, with their content type; a missing key is undefined; a put again under the same key
// replaces; keys with folders work; a key that is not one is refused.
import type { TestFn } from 'ava';
import { randomBytes, randomUUID } from 'node:crypto';
import type { BlobStore } from '../blob-store.ts';

export type BlobStoreContract = {
  readonly name: string;
  readonly open: () => Promise<{ readonly blobs: BlobStore; readonly close: () => Promise<void> }>;
};

export const blobStoreContract = (test: TestFn, { name, open }: BlobStoreContract): void => {
  const title = (t: string) => `${name} blob store: ${t}`;
  const withStore = async (use: (blobs: BlobStore) => Promise<void>) => {
    const world = await open();
    try {
      await use(world.blobs);
    } finally {
      await world.close();
    }
  };

  test(title('gives back the bytes and content type it stored, byte for byte'), (t) =>
    withStore(async (blobs) => {
      const key = `contract/${randomUUID()}`;
      const bytes = new Uint8Array(randomBytes(256 * 1024));
      await blobs.put(key, { bytes, contentType: 'image/png' });
      const stored = await blobs.get(key);
      t.is(stored?.contentType, 'image/png');
      t.true(stored !== undefined && Buffer.from(stored.bytes).equals(Buffer.from(bytes)));
    }),
  );

  test(title('a key never stored is undefined'), (t) =>
    withStore(async (blobs) => {
      t.is(await blobs.get(`contract/${randomUUID()}`), undefined);
    }),
  );

  test(title('a put again under the same key replaces; keys in folders and beside each other are apart'), (t) =>
    withStore(async (blobs) => {
      const folder = `contract/${randomUUID()}`;
      await blobs.put(`${folder}/a`, { bytes: new TextEncoder().encode('first'), contentType: 'text/plain' });
      await blobs.put(`${folder}/a`, { bytes: new TextEncoder().encode('second'), contentType: 'image/webp' });
      await blobs.put(`${folder}/a.thumbnail`, { bytes: new TextEncoder().encode('small'), contentType: 'image/webp' });
      const a = await blobs.get(`${folder}/a`);
      t.is(a && new TextDecoder().decode(a.bytes), 'second');
      t.is(a?.contentType, 'image/webp');
      const thumbnail = await blobs.get(`${folder}/a.thumbnail`);
      t.is(thumbnail && new TextDecoder().decode(thumbnail.bytes), 'small');
    }),
  );

  test(title('a key that is not one is refused'), (t) =>
    withStore(async (blobs) => {
      for (const key of ['', '../escape', 'a/../../b', '/absolute', 'a//b', '.hidden', 'a b'])
        await t.throwsAsync(() => blobs.put(key, { bytes: new Uint8Array([1]), contentType: 'text/plain' }), undefined, key);
    }),
  );
};
