// The console and the tracking page, bundled by esbuild from this folder's TypeScript and the npm packages
// it imports (Leaflet and its stylesheet): in memory, once per process, the first time a page is asked for
// (or when the server starts, if it asks early). Nothing is written to disk and nothing comes from a CDN, so
// `npm ci && npm start` serves the pages offline, and an edit shows on the next start.
import * as esbuild from 'esbuild';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

export type WebAsset = { readonly contentType: string; readonly body: Uint8Array };

export type WebEntry = { readonly script: string; readonly stylesheet: string | undefined };

export type WebBundle = {
  /** Every file by its name under /assets/ (names carry a hash of the content: cacheable for ever). */
  readonly assets: ReadonlyMap<string, WebAsset>;
  readonly console: WebEntry;
  readonly tracking: WebEntry;
};

const webDir = fileURLToPath(new URL('.', import.meta.url));
const outdir = '/assets';

const contentTypes: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const contentTypeOf = (name: string) => contentTypes[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

const entryOf = (metafile: esbuild.Metafile, entryPoint: string): WebEntry => {
  const [output, meta] = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === entryPoint) ?? [];
  if (output === undefined || meta === undefined) throw new Error(`esbuild made nothing of ${entryPoint}`);
  return { script: basename(output), stylesheet: meta.cssBundle === undefined ? undefined : basename(meta.cssBundle) };
};

const build = async (): Promise<WebBundle> => {
  const result = await esbuild.build({
    absWorkingDir: webDir,
    entryPoints: { console: 'src/console.ts', track: 'src/track.ts' },
    bundle: true,
    format: 'esm',
    splitting: true,
    write: false,
    outdir,
    entryNames: '[name]-[hash]',
    chunkNames: 'shared-[hash]',
    assetNames: '[name]-[hash]',
    // Leaflet's stylesheet names its few images: they travel inside it.
    loader: { '.png': 'dataurl', '.svg': 'dataurl' },
    minify: true,
    metafile: true,
    target: ['es2022', 'chrome111', 'firefox111', 'safari16'],
    logLevel: 'silent',
  });
  const assets = new Map(
    result.outputFiles.map((file) => [basename(file.path), { contentType: contentTypeOf(file.path), body: file.contents }]),
  );
  return { assets, console: entryOf(result.metafile, 'src/console.ts'), tracking: entryOf(result.metafile, 'src/track.ts') };
};

let bundled: Promise<WebBundle> | undefined;

/** The bundle, built once per process; a failed build is tried again on the next call. */
export const bundleWeb = (): Promise<WebBundle> => {
  bundled ??= build().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
};
