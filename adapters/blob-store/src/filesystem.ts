// Blobs as files under a folder (embedded: `<data dir>/blobs`): `<root>/data/<key>` holds the bytes and
// `<root>/types/<key>` their content type. A put writes each to a temporary file and renames it into place
// (type first, bytes last), so a reader sees the old blob or the new one, never half of one, and a blob
// whose bytes are there has its type.
import { checkBlobKey, type BlobStore, type StoredBlob } from '@meridian/kernel';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const isMissing = (error: unknown): boolean => error instanceof Error && 'code' in error && error.code === 'ENOENT';

const writeAtomically = async (path: string, content: Uint8Array | string): Promise<void> => {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { flush: true });
  await rename(temporary, path);
};

export const createFilesystemBlobStore = ({ root }: { readonly root: string }): BlobStore => {
  const dataOf = (key: string) => join(root, 'data', checkBlobKey(key));
  const typeOf = (key: string) => join(root, 'types', checkBlobKey(key));
  return {
    put: async (key, { bytes, contentType }) => {
      const [data, type] = [dataOf(key), typeOf(key)];
      await writeAtomically(type, contentType);
      await writeAtomically(data, bytes);
    },
    get: async (key): Promise<StoredBlob | undefined> => {
      const [data, type] = [dataOf(key), typeOf(key)];
      try {
        const bytes = await readFile(data);
        return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), contentType: await readFile(type, 'utf8') };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
};
