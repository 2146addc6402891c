import { createHash } from 'node:crypto';
import type { Checkpoint } from '@recur/train';

/**
 * Each weight and optimizer slot of a checkpoint as a digest of its bytes: equal digests,
 * bit-identical tensors. Slots go by position, as their names hold variable ids, which
 * differ between runs in one process.
 */
export function trainedState(c: Checkpoint): Record<string, string> {
  const digest = (values: ArrayLike<number>) =>
    createHash('sha256').update(Float32Array.from(values)).digest('hex').slice(0, 16);
  return Object.fromEntries([
    ...Object.entries(c.weights).map(([k, t]) => [k, digest(t.values)]),
    ...c.optimizer.map((t, i) => [`optimizer slot ${i}`, digest(t.values)]),
  ]);
}
