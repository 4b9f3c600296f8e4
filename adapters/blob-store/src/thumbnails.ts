// Thumbnails of proof images, with sharp (libvips, prebuilt binaries from npm): at most 320 px a side,
// turned upright by the photo's EXIF orientation, as WebP. The same image and the same sharp give the same
// bytes, so a thumbnail made again is the thumbnail made before.
import sharp from 'sharp';

export const thumbnailMaxSide = 320;
export const thumbnailContentType = 'image/webp';

/** The thumbnail's bytes; `undefined` when the bytes are no image sharp can read (a refusal for good, not a failure). */
export const makeThumbnail = async (image: Uint8Array): Promise<Uint8Array | undefined> => {
  try {
    const thumbnail = await sharp(image, { failOn: 'error', limitInputPixels: 100_000_000 })
      .rotate()
      .resize(thumbnailMaxSide, thumbnailMaxSide, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    return new Uint8Array(thumbnail.buffer, thumbnail.byteOffset, thumbnail.byteLength);
  } catch (error) {
    // sharp says so in its message: an input it cannot decode is refused, anything else (memory) is thrown.
    if (
      error instanceof Error &&
      /unsupported image format|Input buffer|corrupt|premature end|VipsJpeg|pngload|webpload/i.test(error.message)
    )
      return undefined;
    throw error;
  }
};
