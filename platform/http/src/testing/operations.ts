// What an app really serves against what its OpenAPI document says it serves: the operations read from
// the koa routers mounted on the app (never from a list kept by hand), and the document's operations.
import Router from '@koa/router';
import type Koa from 'koa';

/** An operation as `METHOD /path/{param}`, the path in OpenAPI's form. */
export type OperationName = string;

const openApiMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const openApiPath = (path: string | RegExp): string => String(path).replace(/:(\w+)/g, '{$1}');

/** The routers an app mounts: koa keeps each router's dispatch middleware, which carries its router. */
export const mountedRouters = (app: Koa): Router[] =>
  app.middleware.flatMap((middleware) => ('router' in middleware && middleware.router instanceof Router ? [middleware.router] : []));

/** Every method and path the app's routers answer; HEAD is left out, as it comes with every GET. */
export const servedOperations = (app: Koa): OperationName[] => {
  const names = mountedRouters(app).flatMap((router) =>
    router.stack.flatMap((layer) =>
      layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${openApiPath(layer.path)}`),
    ),
  );
  return [...new Set(names)].sort();
};

/** Every operation of an OpenAPI document (as read back from JSON). */
export const documentedOperations = (document: unknown): OperationName[] => {
  const paths = isRecord(document) && isRecord(document['paths']) ? document['paths'] : {};
  const names = Object.entries(paths).flatMap(([path, item]) =>
    isRecord(item)
      ? Object.keys(item)
          .filter((key) => openApiMethods.has(key))
          .map((method) => `${method.toUpperCase()} ${path}`)
      : [],
  );
  return names.sort();
};
