// The pages people use, served from here: the operations console at `/` and the tracking page at
// `/track/<token>`, each an HTML shell that loads its bundle from `/assets/` (web/, bundled in memory the
// first time; see web/bundle.ts). No key is needed to load a page: the pages ask for one, or carry a token.
import Router from '@koa/router';
import { HttpProblem, problems } from '@meridian/http';
import { bundleWeb, consolePage, pageSecurityPolicy, trackingPage, type PageSettings, type WebBundle } from '@meridian/web';
import type { Logger } from '@meridian/kernel';
import type { Context } from 'koa';

export type ConsoleDeps = PageSettings & {
  /** The bundle (default: web/'s, built once per process). */
  readonly bundle?: () => Promise<WebBundle>;
};

const answerPage = (ctx: Context, settings: PageSettings, html: string) => {
  ctx.set('Content-Security-Policy', pageSecurityPolicy(settings));
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  // The shell names the bundle's files by their hash: it must be asked again after a restart.
  ctx.set('Cache-Control', 'no-cache');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
};

/** Bundles the pages now, so the first visitor does not wait for it; a failure is logged (and tried again on a visit). */
export const warmConsole = (logger: Logger): void => {
  bundleWeb().catch((error: unknown) => logger.error('the console could not be bundled', { error }));
};

export const consoleRouter = (deps: ConsoleDeps): Router => {
  const bundle = deps.bundle ?? bundleWeb;
  const router = new Router();
  router.get('/', async (ctx) => {
    answerPage(ctx, deps, consolePage(await bundle(), deps));
  });
  router.get('/track/:token', async (ctx) => {
    answerPage(ctx, deps, trackingPage(await bundle(), deps));
  });
  router.get('/assets/:file', async (ctx) => {
    const asset = (await bundle()).assets.get(ctx.params['file'] ?? '');
    if (asset === undefined) throw new HttpProblem(problems.notFound(`no asset is called ${ctx.params['file']}`));
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = asset.contentType;
    ctx.body = Buffer.from(asset.body);
  });
  return router;
};
