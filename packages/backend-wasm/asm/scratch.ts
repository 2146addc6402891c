/**
 * Scratch space comes from tfjs' `_malloc` (the TypeScript side allocates
 * `…Scratch(dims)` bytes, 16-aligned, and frees it after the call); each kernel carves
 * it in the same order as its `…Scratch` function adds it up.
 */

/** The first 16-byte-aligned address after a piece of `bytes` bytes starting at p. */
export function next(p: usize, bytes: i32): usize {
  return p + ((<usize>bytes + 15) & ~(<usize>15));
}
