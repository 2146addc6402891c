import { Rng } from '@recur/core';
import type { ExampleSource } from '@recur/core/kernel-api';
import * as tf from '@tensorflow/tfjs-core';

/** Values for named draws of a kernel's example, and `scale`. */
export type ExamplePins = Readonly<Record<string, number | boolean | string>>;

/**
 * The seeded draws a descriptor's `example` takes its inputs from. A draw whose name is
 * in `pins` returns the pinned value instead, so a test can ask for large shapes, one
 * direction or one activation without knowing which kernel it runs.
 */
export function exampleSource(seed: number, pins: ExamplePins = {}): ExampleSource {
  const rng = new Rng(seed);
  const pinned = (name: string, type: 'number' | 'boolean' | 'string') => {
    const value = pins[name];
    return typeof value === type ? value : undefined;
  };
  return {
    int(name, min, max) {
      return (pinned(name, 'number') as number | undefined) ?? min + rng.int(max - min + 1);
    },
    bool(name) {
      return (pinned(name, 'boolean') as boolean | undefined) ?? rng.uniform() < 0.5;
    },
    pick<T extends string>(name: string, options: readonly T[]): T {
      return (pinned(name, 'string') as T | undefined) ?? (options[rng.int(options.length)] as T);
    },
    uniform(shape, low, high) {
      const size = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(rng.fillUniform(new Float32Array(size), low, high), [...shape]);
    },
    mask(batch, time) {
      // Row 0 is whole; each other row has padding anywhere (holes), or none at all.
      const rows = Array.from({ length: batch }, (_, b) =>
        Array.from({ length: time }, () => (b === 0 || rng.uniform() < 0.6 ? 1 : 0)),
      );
      return tf.tensor2d(rows, [batch, time]);
    },
    scale: (pinned('scale', 'number') as number | undefined) ?? 0.5,
  };
}
