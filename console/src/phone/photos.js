// A photo from the camera, shrunk on the phone before it is kept or sent: the longest side at most 1,600 px, JPEG.
// A 12-megapixel photo of 4-6 MB becomes a few hundred KB, which a weak signal can carry.
const LONGEST_SIDE = 1600;

export async function shrink(file, longest = LONGEST_SIDE, quality = 0.82) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, longest / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
  if (!blob) throw new Error('the photo could not be read');
  return { blob, width, height };
}
