// What a proof-of-delivery image is, by its bytes: the upload's Content-Type header is the sender's claim,
// the magic numbers are the file's. Only the formats a phone camera or a signature pad writes, and a
// thumbnailer reads, are taken.
import { constantOf, described, NonEmptyString, oneOf, struct } from '@meridian/kernel';
import * as t from 'io-ts';

export const proofImageTypes = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const ProofImageType = oneOf('ProofImageType', [...proofImageTypes]);
export type ProofImageType = t.TypeOf<typeof ProofImageType>;

/** The most a proof image may weigh, in bytes (10 MiB: a phone photo at full resolution). */
export const maxProofImageBytes = 10 * 1024 * 1024;

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((byte, index) => bytes[offset + index] === byte);

const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0));

/** The image type the bytes are, by their magic numbers; undefined for anything else (whatever its header says). */
export const sniffProofImage = (bytes: Uint8Array): ProofImageType | undefined => {
  // JPEG: SOI marker then the first segment's marker byte.
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  // PNG: the eight-byte signature, which also catches a file mangled by a text-mode transfer.
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // WebP: a RIFF container whose form type is WEBP.
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
};

export interface Sha256Brand {
  readonly Sha256: unique symbol;
}
const sha256Pattern = /^[0-9a-f]{64}$/;
/** A SHA-256 digest, lower-case hex. */
export const Sha256 = described(
  t.brand(t.string, (s): s is t.Branded<string, Sha256Brand> => sha256Pattern.test(s), 'Sha256'),
  'must be a SHA-256 digest: 64 lower-case hex digits',
  { type: 'string', pattern: sha256Pattern.source },
);
export type Sha256 = t.TypeOf<typeof Sha256>;

/** A stored proof image: content-addressed (its key is made of its sha256), so the same bytes are one blob. */
export const ProofImage = struct('ProofImage', {
  key: NonEmptyString,
  contentType: ProofImageType,
  sizeBytes: t.number,
  sha256: Sha256,
});
export type ProofImage = t.TypeOf<typeof ProofImage>;

/** The blob key of an image: by its hash, so an upload repeated, or the same photo for two parcels, is one blob. */
export const proofImageKey = (sha256: string): NonEmptyString => constantOf(NonEmptyString, `pod/${sha256}`);

/** The blob key of an image's thumbnail, beside it. */
export const proofThumbnailKey = (sha256: string): string => `pod/${sha256}.thumbnail.webp`;

/**
 * Where the APIs serve a parcel's latest proof image and its thumbnail (paths of the query API): what the
 * status view and the webhooks link to. A client key fetches its own parcels' images only.
 */
export const proofImageLinks = (parcelId: string) => ({
  image: `/v1/parcels/${encodeURIComponent(parcelId)}/proof`,
  thumbnail: `/v1/parcels/${encodeURIComponent(parcelId)}/proof/thumbnail`,
});
