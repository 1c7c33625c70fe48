/**
 * Compares two strings in the order of their UTF-8 bytes, the order in which S3 lists keys.
 * JavaScript's `<` compares UTF-16 code units, which puts U+E000..U+FFFF after astral
 * characters; remapping the surrogate range restores code-point (= UTF-8 byte) order.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
