/**
 * A fixed hash of a string to [0, 1), used to assign examples to splits by a stable key
 * (a word, a message checksum) rather than by position, so a split does not change when
 * the data is reordered and every alternate of one key lands in the same split.
 * FNV-1a over UTF-16 code units, then MurmurHash3's fmix32 finaliser: FNV alone mixes
 * the high bits of short keys poorly, and the high bits decide the split.
 */
export function hashToUnit(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** 8 hex digits of {@link hashToUnit}'s hash: a checksum for files this package writes. */
export function checksum(text: string): string {
  return Math.floor(hashToUnit(text) * 4294967296)
    .toString(16)
    .padStart(8, '0');
}
