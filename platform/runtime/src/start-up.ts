// Start-up failures: a process that cannot start says why in one line (what, which variable, what to do)
// and exits, rather than printing a stack trace an operator cannot act on. Configuration problems (a bad
// variable, a port in use, an unusable data directory) exit 78, EX_CONFIG in sysexits.h; the unforeseen 1.

export const configurationExitCode = 78;

/** A reason not to start, already worded for the operator: what, which variable, what to do. */
export class StartupFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { readonly exitCode?: number; readonly cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StartupFailure';
    this.exitCode = options.exitCode ?? configurationExitCode;
  }
}

const errnoWords: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is a file',
  EISDIR: 'it is a directory',
  ELOOP: 'the path has a symbolic link loop',
  ENAMETOOLONG: 'the path is too long',
  EEXIST: 'something that is not a directory is in the way (a broken symbolic link?)',
  // What mkdir answers under /proc, where the parent exists but nothing can be made.
  ENOENT: 'the file system does not allow it',
};

const codeOf = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

/** A system error in words, with its code for searching: `permission denied (EACCES)`. */
export const reasonOf = (error: unknown): string => {
  const code = codeOf(error);
  const words = code === undefined ? undefined : errnoWords[code];
  if (words !== undefined) return `${words} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
};

/** The line and exit status that an error ending a start-up gets. */
export const startupFailureOf = (error: unknown): { readonly line: string; readonly exitCode: number } =>
  error instanceof StartupFailure
    ? { line: error.message, exitCode: error.exitCode }
    : { line: `could not start: ${reasonOf(error)}`, exitCode: 1 };

/**
 * Runs a process's start-up; if it fails, prints `<service>: <why>` on one line and exits with the
 * failure's status. An unforeseen error's stack follows only when MERIDIAN_LOG_LEVEL=DEBUG.
 */
export const startOrExit = async <A>(service: string, start: () => A | Promise<A>): Promise<A> => {
  try {
    return await start();
  } catch (error) {
    const { line, exitCode } = startupFailureOf(error);
    process.stderr.write(`${service}: ${line}\n`);
    if (!(error instanceof StartupFailure) && error instanceof Error && process.env['MERIDIAN_LOG_LEVEL'] === 'DEBUG')
      process.stderr.write(`${error.stack}\n`);
    return process.exit(exitCode);
  }
};
