// The API as the pages use it: the same origin, the key of this tab, problem details turned into errors
// that say what the API said. The pages trust the shapes /openapi.json describes (the API decodes its read
// models before it answers); they show the fields they know and leave out what is missing.
import { follow, type ServerEvent } from './sse.ts';

/** The key lives in this tab only (sessionStorage): closing the tab signs out. */
const keyItem = 'meridian.apiKey';
export const storedKey = (): string | null => sessionStorage.getItem(keyItem);
export const storeKey = (key: string): void => sessionStorage.setItem(keyItem, key);
export const forgetKey = (): void => sessionStorage.removeItem(keyItem);

export type Problem = { readonly title?: string; readonly detail?: string; readonly status?: number };

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(status: number, problem: Problem | undefined) {
    super(problem?.detail ?? problem?.title ?? `the API answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

export type Me = { readonly principal: string; readonly roles: readonly string[]; readonly clientId: string | null };

export type Page<T> = { readonly items: readonly T[]; readonly next: string | null };

export type Api = {
  readonly get: <T>(path: string) => Promise<T>;
  readonly post: <T>(path: string, body?: unknown) => Promise<T>;
  /** Bytes the API serves (a proof image): an `<img>` cannot send the key, so the page fetches them. */
  readonly blob: (path: string) => Promise<Blob>;
  /** Follows an SSE stream of the API; answers the function that stops it. */
  readonly follow: (
    path: string,
    handlers: {
      onEvent: (event: ServerEvent) => void;
      onOpen?: () => void;
      onRefused?: (error: ApiError) => void;
      onDisconnect?: () => void;
    },
  ) => () => void;
};

const problemOf = async (response: Response): Promise<Problem | undefined> => {
  const body: unknown = await response.json().catch(() => undefined);
  return typeof body === 'object' && body !== null ? body : undefined;
};

const answer = async <T>(response: Response): Promise<T> => {
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const body: T = await response.json();
  return body;
};

/** The API with a key (or none: the tracking page's public routes). */
export const createApi = (key: string | null): Api => {
  const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  return {
    get: async (path) => answer(await fetch(path, { headers: { accept: 'application/json', ...headers } })),
    blob: async (path) => {
      const response = await fetch(path, { headers });
      if (!response.ok) throw new ApiError(response.status, await problemOf(response));
      return response.blob();
    },
    post: async (path, body) =>
      answer(
        await fetch(path, {
          method: 'POST',
          headers: { accept: 'application/json', ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        }),
      ),
    follow: (path, handlers) =>
      follow(path, {
        headers,
        onEvent: handlers.onEvent,
        ...(handlers.onOpen !== undefined && { onOpen: handlers.onOpen }),
        ...(handlers.onDisconnect !== undefined && { onDisconnect: handlers.onDisconnect }),
        onRefused: (status, problem) =>
          handlers.onRefused?.(new ApiError(status, typeof problem === 'object' && problem !== null ? problem : undefined)),
      }),
  };
};

/** An SSE event's data as JSON of the type the route documents. */
export const dataOf = <T>(event: ServerEvent): T => {
  const data: T = JSON.parse(event.data);
  return data;
};
