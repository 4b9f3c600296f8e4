// The logging port: structured lines, one per thing that happened. The implementation (JSON lines in
// Cloud Logging's shape) lives with the apps; code inside the hexagon only sees this.
export type LogFields = { readonly [key: string]: unknown };

export type Logger = {
  readonly debug: (message: string, fields?: LogFields) => void;
  readonly info: (message: string, fields?: LogFields) => void;
  readonly warn: (message: string, fields?: LogFields) => void;
  readonly error: (message: string, fields?: LogFields) => void;
  /** A logger whose lines all carry these fields (a consumer name, a request's trace). */
  readonly child: (fields: LogFields) => Logger;
};

/** Discards everything: for tests and tools that report otherwise. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
