import test from 'ava';
import sharp from 'sharp';
import { makeThumbnail, thumbnailMaxSide } from './thumbnails.ts';

const photo = (width: number, height: number, format: 'png' | 'jpeg' | 'webp') =>
  sharp({ create: { width, height, channels: 3, background: { r: 180, g: 40, b: 20 } } })
    .toFormat(format)
    .toBuffer();

for (const format of ['png', 'jpeg', 'webp'] as const)
  test(`a ${format} photo becomes a WebP of at most ${thumbnailMaxSide} px a side, the same bytes each time`, async (t) => {
    const image = new Uint8Array(await photo(1200, 900, format));
    const thumbnail = await makeThumbnail(image);
    if (thumbnail === undefined) return void t.fail('no thumbnail');
    const metadata = await sharp(thumbnail).metadata();
    t.is(metadata.format, 'webp');
    t.deepEqual([metadata.width, metadata.height], [320, 240]);
    t.true(Buffer.from(thumbnail).equals(Buffer.from((await makeThumbnail(image)) ?? [])), 'made again: the same bytes');
  });

test('a small image is not enlarged', async (t) => {
  const thumbnail = await makeThumbnail(new Uint8Array(await photo(100, 50, 'png')));
  const metadata = await sharp(thumbnail ?? Buffer.alloc(0)).metadata();
  t.deepEqual([metadata.width, metadata.height], [100, 50]);
});

test('bytes that only start like a PNG are refused, not thrown', async (t) => {
  const truncated = (await photo(64, 64, 'png')).subarray(0, 40);
  t.is(await makeThumbnail(new Uint8Array(truncated)), undefined);
});
