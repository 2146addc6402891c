/** The byte arrays one after another in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** float32 values, little-endian, one after another (the layout of safetensors and tfjs shards). */
export function float32Bytes(arrays: readonly Float32Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + 4 * a.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const a of arrays) {
    for (const v of a) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return out;
}
