// Reading a JSON body with a hard size limit: a huge body is refused by its Content-Length before a
// byte is read, or as soon as it passes the limit while streaming.
import type { Context } from 'koa';
import { HttpProblem, problems } from './problem.ts';

const jsonMediaType = /^application\/(?:[\w.+-]+\+)?json$/i;

export type JsonBodyOptions = {
  readonly limit: number;
  /** Whether an absent body reads as `{}` (commands whose only input is in the path). */
  readonly emptyAsObject?: boolean;
};

const hasBody = (ctx: Context) => ctx.request.length > 0 || ctx.get('transfer-encoding') !== '';

const readLimited = async (ctx: Context, limit: number): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const read of ctx.req) {
    // The request is read without an encoding set, so Node hands over Buffers.
    const chunk = Buffer.isBuffer(read) ? read : Buffer.from(String(read));
    size += chunk.length;
    if (size > limit) {
      ctx.set('Connection', 'close');
      throw new HttpProblem(problems.tooLarge(limit));
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};

export const readJsonBody = async (ctx: Context, { limit, emptyAsObject = false }: JsonBodyOptions): Promise<unknown> => {
  if (!hasBody(ctx)) {
    if (emptyAsObject) return {};
    throw new HttpProblem(problems.malformedJson('the request needs a JSON body'));
  }
  const mediaType = (ctx.get('content-type').split(';')[0] ?? '').trim();
  if (!jsonMediaType.test(mediaType)) throw new HttpProblem(problems.unsupportedMediaType('application/json'));
  const encoding = ctx.get('content-encoding').toLowerCase();
  if (encoding !== '' && encoding !== 'identity')
    throw new HttpProblem(problems.unsupportedMediaType('application/json without Content-Encoding'));
  if (ctx.request.length > limit) {
    ctx.set('Connection', 'close');
    throw new HttpProblem(problems.tooLarge(limit));
  }
  const raw = await readLimited(ctx, limit);
  if (raw.length === 0 && emptyAsObject) return {};
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let source: string;
  try {
    source = text.decode(raw);
  } catch {
    throw new HttpProblem(problems.malformedJson('the body is not valid UTF-8'));
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new HttpProblem(problems.malformedJson(`the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`));
  }
};
