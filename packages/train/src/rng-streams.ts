import { Rng, type RngState } from '@recur/core';

/**
 * Independent random streams derived from one master state, addressed by purpose and
 * index: epoch e's shuffle and step s's dropout masks are functions of (master, e) and
 * (master, s) alone. Resuming at step s therefore needs only the master state, and the
 * run continues exactly as if it had never stopped.
 */
export function derivedRng(master: RngState, purpose: 'epoch' | 'step', index: number): Rng {
  const [a, b, c, d] = master.words;
  let h = (purpose === 'epoch' ? 0x243f6a88 : 0x85a308d3) ^ index;
  for (const w of [a, b, c, d, index]) {
    h = Math.imul(h ^ w, 0x9e3779b1);
    h ^= h >>> 15;
  }
  const seed = (h >>> 0) * 4294967296 + ((Math.imul(a ^ index, 0x85ebca6b) ^ d) >>> 0);
  return new Rng(seed);
}
