// The whole platform in one process: every API on one port, every consumer on the embedded log.
import { commandRouter, publicRouter, commandApiPaths, commandApiSchemas } from '@meridian/command-api';
import { errorBoundary, openApiDocument, requestContext, type Principal } from '@meridian/http';
import type { EventStore } from '@meridian/kernel';
import type { Logger } from '@meridian/runtime';
import Koa from 'koa';

export type LocalPlatformDeps = {
  readonly store: EventStore;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
  readonly now?: () => Date;
};

export const localOpenApi = () =>
  openApiDocument({
    title: 'Meridian',
    version: '1.0.0',
    description: 'The Meridian platform: commands in, events durably appended, read models and live updates out. Errors are RFC 9457 problem details.',
    paths: commandApiPaths(),
    schemas: commandApiSchemas,
  });

export const createLocalApp = (deps: LocalPlatformDeps): Koa => {
  const app = new Koa();
  const open = publicRouter(deps, localOpenApi);
  const commands = commandRouter(deps);
  app.use(errorBoundary(deps.logger));
  app.use(requestContext());
  app.use(open.routes()).use(open.allowedMethods());
  app.use(commands.routes()).use(commands.allowedMethods());
  return app;
};
