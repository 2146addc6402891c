import { createHash } from 'node:crypto';

/**
 * Rewrites a checkpoint's header as an attacker would: decode the JSON, change it, then
 * lay the file out again with a correct checksum, so only the decoder's own checks stand
 * between the file and the caller.
 */
export function craft(
  bytes: Uint8Array,
  change: (header: Record<string, unknown>) => unknown,
  version = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true),
): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
  const data = bytes.subarray((16 + headerLength + 3) & ~3, bytes.length - 32);
  const next = change(header);
  const text = new TextEncoder().encode(JSON.stringify(next === undefined ? header : next));
  const start = (16 + text.length + 3) & ~3;
  const out = new Uint8Array(start + data.length + 32);
  out.set(bytes.subarray(0, 8));
  const outView = new DataView(out.buffer);
  outView.setUint32(8, version, true);
  outView.setUint32(12, text.length, true);
  out.set(text, 16);
  out.set(data, start);
  out.set(
    createHash('sha256')
      .update(out.subarray(0, out.length - 32))
      .digest(),
    out.length - 32,
  );
  return out;
}
