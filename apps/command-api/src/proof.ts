// Proof-of-delivery images: `PUT /v1/parcels/{parcelId}/proof` with the image as the body. The steps, each
// refusing before anything is stored: who (driver, dispatcher, admin: as for the delivery commands), which
// parcel, how big (413 over the limit, by Content-Length before a byte is read, or while streaming), what
// the bytes are (415 unless their magic numbers say JPEG, PNG or WebP: the Content-Type header is not
// trusted), whether the parcel takes it (the decider, on the parcel as it is: 404, 409 unless delivered).
// Then the blob is stored under its content address (`pod/<sha256>`) and `RecordProofImage` sent with a
// request id made of the parcel and the hash: the same bytes uploaded again append nothing.
import type Router from '@koa/router';
import {
  activeTraceparent,
  HttpProblem,
  invalidParameter,
  jsonContent,
  pathParameter,
  problemOfCommandError,
  problemResponses,
  problems,
  requireActor,
  type OpenApiPaths,
} from '@meridian/http';
import {
  answerCommand,
  commandError,
  currentState,
  fingerprintOf,
  randomId,
  streamOfCommand,
  uuidFromName,
  type BlobStore,
  type CommandHandlerDeps,
  type Role,
} from '@meridian/kernel';
import {
  maxProofImageBytes,
  parcel,
  ParcelId,
  proofImageKey,
  proofImageLinks,
  Sha256,
  sniffProofImage,
  type ParcelCommand,
} from '@meridian/parcel';
import * as E from 'fp-ts/lib/Either.js';
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { CommandState } from './handle-route.ts';

const uploaders: readonly Role[] = ['admin', 'dispatcher', 'driver'];

export type ProofDeps = CommandHandlerDeps & {
  readonly blobs: BlobStore;
  /** The largest image taken, in bytes (default maxProofImageBytes, 10 MiB). */
  readonly maxProofBytes?: number;
  readonly now?: () => Date;
};

const readImage = async (ctx: Context, limit: number): Promise<Uint8Array> => {
  if (ctx.request.length > limit) {
    ctx.set('Connection', 'close');
    throw new HttpProblem(problems.tooLarge(limit));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const read of ctx.req) {
    const chunk = Buffer.isBuffer(read) ? read : Buffer.from(String(read));
    size += chunk.length;
    if (size > limit) {
      ctx.set('Connection', 'close');
      throw new HttpProblem(problems.tooLarge(limit));
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
};

const parcelIdOf = (value: string | undefined): ParcelId => {
  const decoded = ParcelId.decode(value);
  if (E.isLeft(decoded)) throw invalidParameter('parcelId', 'path', 'must be an identifier: 1-64 letters, digits, "_", ".", ":" or "-"');
  return decoded.right;
};

const sha256Of = (bytes: Uint8Array): Sha256 => {
  const decoded = Sha256.decode(createHash('sha256').update(bytes).digest('hex'));
  if (E.isLeft(decoded)) throw new Error('a SHA-256 digest in hex is always a Sha256');
  return decoded.right;
};

export const proofRoutes = (router: Router<CommandState>, deps: ProofDeps): void => {
  const limit = deps.maxProofBytes ?? maxProofImageBytes;
  router.put('/v1/parcels/:parcelId/proof', async (ctx) => {
    const { principal, correlationId, traceparent } = ctx.state;
    const actor = requireActor(principal, uploaders);
    const parcelId = parcelIdOf(ctx.params['parcelId']);
    const bytes = await readImage(ctx, limit);
    const contentType = sniffProofImage(bytes);
    if (contentType === undefined)
      throw new HttpProblem(problems.unsupportedMediaType('image/jpeg, image/png or image/webp, with the bytes of one (they are checked)'));
    const sha256 = sha256Of(bytes);
    const image = { key: proofImageKey(sha256), contentType, sizeBytes: bytes.length, sha256 };
    const command: ParcelCommand = {
      type: 'RecordProofImage',
      data: { parcelId, image },
      metadata: { now: (deps.now ?? (() => new Date()))() },
    };
    const streamId = streamOfCommand(parcel, command);
    // Asked first, so that an image for a parcel that will not take it is never stored.
    const state = await currentState(deps.store, parcel, streamId);
    if (state.status === 'Unregistered') throw new HttpProblem(problemOfCommandError(commandError.notFound(streamId)));
    const decided = parcel.decider.decide(command, state);
    if (E.isLeft(decided)) throw new HttpProblem(problemOfCommandError(commandError.rejected(decided.left)));
    await deps.blobs.put(image.key, { bytes, contentType });
    const requestId = uuidFromName(`${parcelId}/proof/${sha256}`);
    const { answer, replayed } = await answerCommand(deps, {
      aggregate: parcel,
      command,
      context: {
        actor,
        correlationId,
        causationId: randomId(),
        traceparent: activeTraceparent() ?? traceparent,
        request: { requestId, fingerprint: fingerprintOf({ parcelId, sha256 }) },
      },
    });
    if (E.isLeft(answer)) throw new HttpProblem(problemOfCommandError(answer.left));
    ctx.status = 202;
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.body = {
      id: parcelId,
      streamId: answer.right.streamId,
      revision: answer.right.revision,
      events: answer.right.events,
      image: { contentType, sizeBytes: image.sizeBytes, sha256, links: proofImageLinks(parcelId) },
    };
  });
};

export const proofPaths = (): OpenApiPaths => ({
  '/v1/parcels/{parcelId}/proof': {
    put: {
      operationId: 'uploadProofImage',
      summary: "Upload a delivered parcel's proof image (a photo or a signature): JPEG, PNG or WebP, known by its bytes",
      tags: ['parcel'],
      parameters: [pathParameter('parcelId', 'the delivered parcel')],
      requestBody: {
        required: true,
        description: `The image's bytes, at most ${maxProofImageBytes} bytes. Its type is read from the bytes (magic numbers), not from Content-Type.`,
        content: Object.fromEntries(
          ['image/jpeg', 'image/png', 'image/webp'].map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
        ),
      },
      responses: {
        '202': {
          description: 'Stored and recorded (the same bytes again: recorded already, nothing appended)',
          content: jsonContent({
            type: 'object',
            required: ['id', 'streamId', 'revision', 'events', 'image'],
            properties: {
              id: { type: 'string' },
              streamId: { type: 'string' },
              revision: { type: 'integer' },
              events: { type: 'array', items: { type: 'object' } },
              image: {
                type: 'object',
                required: ['contentType', 'sizeBytes', 'sha256', 'links'],
                properties: {
                  contentType: { type: 'string', enum: ['image/jpeg', 'image/png', 'image/webp'] },
                  sizeBytes: { type: 'integer' },
                  sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                  links: {
                    type: 'object',
                    required: ['image', 'thumbnail'],
                    properties: { image: { type: 'string' }, thumbnail: { type: 'string' } },
                  },
                },
              },
            },
          }),
        },
        ...problemResponses([400, 403, 404, 409, 413, 415]),
      },
    },
  },
});
