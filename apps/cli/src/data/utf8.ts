import { createReadStream } from 'node:fs';
import { CliError } from '../errors.js';

/** Whether `bytes` holds no malformed UTF-8 (a sequence cut off at the end is not malformed: it may go on). */
function validPrefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Whether `bytes` is whole UTF-8: nothing malformed, no sequence left open at the end. */
function complete(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The offset where the first malformed sequence of `bytes` starts. */
function firstBadByte(bytes: Uint8Array): number {
  // Prefix validity is monotone, so the shortest invalid prefix ends at the byte that broke it…
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (validPrefix(bytes.subarray(0, mid + 1))) lo = mid + 1;
    else hi = mid;
  }
  // …which may end a sequence its lead byte opened: the sequence starts there.
  if (lo === 0 || complete(bytes.subarray(0, lo))) return lo;
  let start = lo - 1;
  while (start > 0 && ((bytes[start] as number) & 0xc0) === 0x80) start--;
  return start;
}

const hex = (b: number | undefined) => `0x${(b ?? 0).toString(16).padStart(2, '0').toUpperCase()}`;

/**
 * Checks that the file at `path` is UTF-8 text, streaming it: malformed UTF-8 or a NUL
 * byte (a binary file) is an error naming the byte offset, instead of text silently
 * altered (bytes become U+FFFD) or garbage to train on.
 */
export async function checkUtf8File(path: string): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // The chunk before the current one too: the bad sequence may have begun in it.
  const seen: Buffer[] = [];
  let seenStart = 0;
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    seen.push(chunk);
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      throw new CliError(
        `${path} holds a NUL byte at byte offset ${offset + nul}: it looks like a binary file; give a UTF-8 text file`,
      );
    }
    try {
      decoder.decode(chunk, { stream: true });
    } catch {
      const all = Buffer.concat(seen);
      // Everything before the error decoded, so from any sequence start on it decodes again up to the bad byte.
      let start = 0;
      while (start < all.length - 1 && ((all[start] as number) & 0xc0) === 0x80) start++;
      const at = start + firstBadByte(all.subarray(start));
      throw new CliError(
        `${path} is not UTF-8 text: byte ${hex(all[at])} at byte offset ${seenStart + at} cannot be decoded; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)`,
      );
    }
    // Only a sequence cut at the chunk's end can still be needed to locate a later error.
    if (seen.length > 1) seenStart += (seen.shift() as Buffer).length;
    offset += chunk.length;
  }
  try {
    decoder.decode();
  } catch {
    throw new CliError(
      `${path} is not UTF-8 text: it ends inside a multi-byte character (byte offset ${offset}); convert the file to UTF-8`,
    );
  }
}
