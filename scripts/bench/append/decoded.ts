// Command data is decoded at the edge, as the command API does: the benchmark builds plain values and
// decodes them once with the aggregate's own codecs (so brands are earned, never asserted).
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';

export const decoded = <A>(codec: t.Decoder<unknown, A>, value: unknown): A => {
  const result = codec.decode(value);
  if (E.isLeft(result)) throw new Error(`benchmark data does not decode as ${codec.name}: ${JSON.stringify(value)}`);
  return result.right;
};
